/**
 * Explore: one selection (selector and time range) as CPU over time, optionally split by a
 * label, and its flame graph beside the top functions. Everything on screen is in the URL:
 * q, from, to, by, top, sort, search, zoom, fn (sandwich), nodes, hz.
 */
import { SortBy } from "@fleetprof/proto/query";
import { decodeFlameGraphResponse } from "../../flame/decode-flame-graph.js";
import type { FlameData } from "../../flame/flame-data.js";
import { exactFunction } from "../../flame/search.js";
import { api } from "../api.js";
import { fetchFlameGraph } from "../flame-fetch.js";
import { fill, h } from "../dom.js";
import { FlamePanel, type FlameState } from "../components/flame-panel.js";
import { empty, failure, loading } from "../components/notice.js";
import { selectorInput } from "../components/selector-input.js";
import { SeriesChart } from "../components/series-chart.js";
import { timePicker } from "../components/time-picker.js";
import { topTable, type TopSort } from "../components/top-table.js";
import { setParams, type Page } from "../router.js";
import { chartStepMs, describeRange, resolveRange, toTimeRange, type RangeParam, type ResolvedRange } from "../time-range.js";
import { cores, rateFrom } from "../units.js";
import { abortAll, copyLinkButton, Loader, pageHeader, rangeParam, reloadAll } from "./page-kit.js";
import { takeFlamePreload } from "../preload/take-preload.js";
import { fileStem, type ExportSource } from "../components/export-menu.js";

interface ExploreParams {
  q: string;
  range: RangeParam;
  by: string;
  top: number;
  sort: TopSort;
  nodes: number;
  rateHz: number;
  flame: FlameState;
}

function read(params: URLSearchParams): ExploreParams {
  return {
    q: params.get("q") ?? "",
    range: rangeParam(params, "from", "to"),
    by: params.get("by") ?? "",
    top: Number(params.get("top") ?? 5) || 5,
    sort: params.get("sort") === "total" ? "total" : "self",
    nodes: Number(params.get("nodes") ?? 0) || 0,
    rateHz: rateFrom(params),
    flame: { search: params.get("search") ?? "", zoom: params.get("zoom") ?? "", fn: params.get("fn") ?? "" },
  };
}

export function explorePage(root: HTMLElement): Page {
  const tooltip = document.getElementById("tooltip") as HTMLElement;
  let p = read(new URLSearchParams(location.search));
  let resolved: ResolvedRange = resolveRange(p.range);
  let flameDone: Promise<void> = Promise.resolve();
  let lastBase = "";
  /** The first flame graph, already asked for by the preload script. */
  let preloaded: Promise<Uint8Array | undefined> | undefined;
  const loaders = { flame: new Loader(), top: new Loader(), series: new Loader(), labels: new Loader() };
  const selector = selectorInput({ value: p.q, label: "Selector", range: () => resolved, onSubmit: (q) => setParams({ q, zoom: undefined, fn: undefined }) });
  const run = h("button", { type: "button", className: "primary", on: { click: () => setParams({ q: selector.input.value.trim(), zoom: undefined, fn: undefined }) } }, "Run");
  const picker = timePicker(p.range, (r) => setParams({ from: r.from, to: r.to }));
  const chart = new SeriesChart(tooltip, (a, b) => setParams({ from: String(a), to: String(b) }));
  const splitBy = h("select", { attrs: { "aria-label": "Split by label" }, on: { change: () => setParams({ by: splitBy.value }) } });
  const topN = h("select", { attrs: { "aria-label": "How many series" }, on: { change: () => setParams({ top: topN.value }) } }, ...[3, 5, 10].map((n) => h("option", { value: String(n) }, `top ${String(n)}`)));
  const chartNote = h("span", { className: "muted" });
  const chartBox = h("div");
  const panel: FlamePanel = new FlamePanel(tooltip, {
    rateHz: p.rateHz,
    exportSource: (): ExportSource | undefined => {
      const d = panel.currentData();
      return d === undefined ? undefined : { name: fileStem(p.q || "fleet"), query: { selector: p.q, range: resolved }, html: { data: d, options: { title: p.q || "all services", subtitle: describeRange(p.range), rateHz: p.rateHz } } };
    },
    onState: (changes, replace) => setParams(changes, replace),
  });
  const flameSlot = h("div", { className: "flame-slot" });
  const topBody = h("div", { className: "top-body" });
  const topTitle = h("h2", null, "Top functions");
  root.append(
    pageHeader("Explore", "A flame graph of any selection: type a selector (Tab completes labels and values), pick a time range, drag across the chart to zoom in time.", selector.el, run, picker.el, copyLinkButton()),
    h("section", { className: "panel chart-panel" }, h("div", { className: "panel-head" }, h("h2", null, "CPU over time"), h("label", { className: "inline" }, "Split by", splitBy), topN, chartNote), chartBox, chart.el),
    h("div", { className: "explore-grid" }, flameSlot, h("section", { className: "panel top-panel" }, h("div", { className: "panel-head" }, topTitle), topBody)),
  );

  /** The flame graph as columns: the preload script's answer, or a call now. */
  const fetchFlame = async (signal: AbortSignal): Promise<FlameData> => {
    const pre = preloaded;
    preloaded = undefined;
    const bytes = pre === undefined ? undefined : await pre;
    if (bytes !== undefined) return decodeFlameGraphResponse(bytes);
    const r = toTimeRange(resolved);
    return fetchFlameGraph({ selector: p.q, startMs: Number(r.startUnixMs), endMs: Number(r.endUnixMs), maxNodes: p.nodes }, signal);
  };
  const loadFlame = async (signal: AbortSignal): Promise<void> => {
    panel.showLoading(flameSlot, loading("Computing the flame graph…"));
    try {
      const data = await fetchFlame(signal);
      if (signal.aborted) return;
      if (data.sum === 0) {
        fill(flameSlot, empty("No samples matched this selector in this time range", "Try a longer range, or check the Services page for what is being profiled."));
        return;
      }
      if (!flameSlot.contains(panel.el)) fill(flameSlot, panel.el);
      panel.setData(data, p.flame);
    } catch (err) {
      fill(flameSlot, failure(err, retry));
    }
  };
  const loadTop = async (signal: AbortSignal): Promise<void> => {
    await flameDone;
    fill(topBody, loading());
    try {
      const res = await api.topFunctions({ selector: p.q, range: toTimeRange(resolved), limit: 100, sort: p.sort === "total" ? SortBy.TOTAL : SortBy.SELF }, { signal });
      topTitle.textContent = `Top functions · by ${p.sort} time`;
      fill(
        topBody,
        res.functions.length === 0
          ? empty("No functions")
          : topTable(res, {
              rateHz: p.rateHz,
              sort: p.sort,
              onSort: (sort) => setParams({ sort }),
              onHighlight: (f) => setParams({ search: exactFunction(f.function), fn: undefined }, true),
              onSandwich: (f) => setParams({ fn: f.function }),
            }),
      );
    } catch (err) {
      fill(topBody, failure(err, retry));
    }
  };
  const loadSeries = async (signal: AbortSignal): Promise<void> => {
    await flameDone;
    try {
      const res = await api.timeSeries({ selector: p.q, range: toTimeRange(resolved), stepMs: BigInt(chartStepMs(resolved)), groupBy: p.by, limit: p.top }, { signal });
      const stepMs = Number(res.stepMs);
      const times = (res.series[0]?.points ?? []).map((pt) => Number(pt.timeUnixMs));
      chart.set({ times, stepMs, series: res.series.map((s) => ({ name: s.group, values: s.points.map((pt) => cores(Number(pt.samples), p.rateHz, stepMs)) })) });
      chartNote.textContent = `step ${String(stepMs / 1000)} s · ${describeRange(p.range)}`;
      chartBox.replaceChildren();
    } catch (err) {
      fill(chartBox, failure(err, retry));
    }
  };
  const loadLabels = async (signal: AbortSignal): Promise<void> => {
    await flameDone;
    try {
      const { names } = await api.listLabelNames({ selector: p.q, range: toTimeRange(resolved) }, { signal });
      const choices = names.filter((n) => n !== "capture_id");
      splitBy.replaceChildren(h("option", { value: "" }, "nothing"), ...choices.map((n) => h("option", { value: n }, n)));
      splitBy.value = p.by;
    } catch {
      // the flame graph's error says what is wrong
    }
  };

  function retry(): void {
    reloadAll(loaders, update);
  }

  function update(params: URLSearchParams): void {
    p = read(params);
    selector.set(p.q);
    picker.set(p.range);
    topN.value = String(p.top);
    const base = `${p.q}|${p.range.from}|${p.range.to}`;
    if (base !== lastBase) {
      // one resolution of a relative range for every request of this selection
      const pre = takeFlamePreload(location.search);
      preloaded = pre?.bytes;
      resolved = pre?.range ?? resolveRange(p.range);
      lastBase = base;
    }
    panel.setRate(p.rateHz);
    loaders.flame.run(`${base}|${String(p.nodes)}|${String(p.rateHz)}`, (s) => (flameDone = loadFlame(s)));
    loaders.top.run(`${base}|${p.sort}`, loadTop);
    loaders.series.run(`${base}|${p.by}|${String(p.top)}|${String(p.rateHz)}`, loadSeries);
    loaders.labels.run(base, loadLabels);
    panel.apply(p.flame);
  }
  return {
    update,
    destroy: () => {
      abortAll(loaders);
      panel.destroy();
      chart.destroy();
    },
  };
}
