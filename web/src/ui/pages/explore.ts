/**
 * Explore: one selection (selector and time range) as CPU over time, optionally split by a
 * label, and its flame graph beside the top functions. Everything on screen is in the URL:
 * q, from, to, by, top, sort, search, zoom, fn (sandwich), nodes, hz.
 */
import { SortBy } from "../../flame/proto-enums.js";
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

/** What the page keeps between URL changes. */
interface ExploreState {
  p: ExploreParams;
  /** The selection's time range, resolved once per selection (a relative range stays put). */
  resolved: ResolvedRange;
  /** Settles when the flame graph is shown: the other requests wait for it. */
  flameDone: Promise<void>;
  lastBase: string;
  /** The first flame graph, already asked for by the preload script. */
  preloaded: Promise<Uint8Array | undefined> | undefined;
}

/** The page's controls and panels. */
interface ExploreView {
  selector: ReturnType<typeof selectorInput>;
  picker: ReturnType<typeof timePicker>;
  chart: SeriesChart;
  splitBy: HTMLSelectElement;
  topN: HTMLSelectElement;
  chartNote: HTMLElement;
  chartBox: HTMLElement;
  panel: FlamePanel;
  flameSlot: HTMLElement;
  topBody: HTMLElement;
  topTitle: HTMLElement;
}

function flamePanel(tooltip: HTMLElement, s: ExploreState): FlamePanel {
  const panel: FlamePanel = new FlamePanel(tooltip, {
    rateHz: s.p.rateHz,
    exportSource: (): ExportSource | undefined => {
      const d = panel.currentData();
      const p = s.p;
      return d === undefined
        ? undefined
        : {
            name: fileStem(p.q || "fleet"),
            query: { selector: p.q, range: s.resolved },
            html: { data: d, options: { title: p.q || "all services", subtitle: describeRange(p.range), rateHz: p.rateHz } },
          };
    },
    onState: (changes, replace) => setParams(changes, replace),
  });
  return panel;
}

/** Builds the page's header, chart panel and flame/top grid into `root`. */
function exploreView(root: HTMLElement, s: ExploreState): ExploreView {
  const tooltip = document.getElementById("tooltip") as HTMLElement;
  const selector = selectorInput({
    value: s.p.q,
    label: "Selector",
    range: () => s.resolved,
    onSubmit: (q) => setParams({ q, zoom: undefined, fn: undefined }),
  });
  const run = h(
    "button",
    { type: "button", className: "primary", on: { click: () => setParams({ q: selector.input.value.trim(), zoom: undefined, fn: undefined }) } },
    "Run",
  );
  const picker = timePicker(s.p.range, (r) => setParams({ from: r.from, to: r.to }));
  const chart = new SeriesChart(tooltip, (a, b) => setParams({ from: String(a), to: String(b) }));
  const splitBy = h("select", { attrs: { "aria-label": "Split by label" }, on: { change: () => setParams({ by: splitBy.value }) } });
  const topN = h(
    "select",
    { attrs: { "aria-label": "How many series" }, on: { change: () => setParams({ top: topN.value }) } },
    ...[3, 5, 10].map((n) => h("option", { value: String(n) }, `top ${String(n)}`)),
  );
  const view: ExploreView = {
    selector,
    picker,
    chart,
    splitBy,
    topN,
    chartNote: h("span", { className: "muted" }),
    chartBox: h("div"),
    panel: flamePanel(tooltip, s),
    flameSlot: h("div", { className: "flame-slot" }),
    topBody: h("div", { className: "top-body" }),
    topTitle: h("h2", null, "Top functions"),
  };
  root.append(
    pageHeader(
      "Explore",
      "A flame graph of any selection: type a selector (Tab completes labels and values), pick a time range, drag across the chart to zoom in time.",
      selector.el,
      run,
      picker.el,
      copyLinkButton(),
    ),
    h(
      "section",
      { className: "panel chart-panel" },
      h("div", { className: "panel-head" }, h("h2", null, "CPU over time"), h("label", { className: "inline" }, "Split by", splitBy), topN, view.chartNote),
      view.chartBox,
      chart.el,
    ),
    h(
      "div",
      { className: "explore-grid" },
      view.flameSlot,
      h("section", { className: "panel top-panel" }, h("div", { className: "panel-head" }, view.topTitle), view.topBody),
    ),
  );
  return view;
}

/** The flame graph as columns: the preload script's answer, or a call now. */
async function fetchFlame(s: ExploreState, signal: AbortSignal): Promise<FlameData> {
  const pre = s.preloaded;
  s.preloaded = undefined;
  const bytes = pre === undefined ? undefined : await pre;
  if (bytes !== undefined) return decodeFlameGraphResponse(bytes);
  const r = toTimeRange(s.resolved);
  return fetchFlameGraph({ selector: s.p.q, startMs: Number(r.startUnixMs), endMs: Number(r.endUnixMs), maxNodes: s.p.nodes }, signal);
}

type Load = (signal: AbortSignal) => Promise<void>;

/** The page's four requests: the flame graph first, then the top functions, the series and the label names. */
function exploreLoads(s: ExploreState, v: ExploreView, retry: () => void): { flame: Load; top: Load; series: Load; labels: Load } {
  const flame = async (signal: AbortSignal): Promise<void> => {
    // the request first: the page's own changes happen while the server works
    const answer = fetchFlame(s, signal);
    v.panel.showLoading(v.flameSlot, loading("Computing the flame graph…"));
    try {
      const data = await answer;
      if (signal.aborted) return;
      if (data.sum === 0) {
        fill(
          v.flameSlot,
          empty("No samples matched this selector in this time range", "Try a longer range, or check the Services page for what is being profiled."),
        );
        return;
      }
      if (!v.flameSlot.contains(v.panel.el)) fill(v.flameSlot, v.panel.el);
      v.panel.setData(data, s.p.flame);
    } catch (err) {
      fill(v.flameSlot, failure(err, retry));
    }
  };
  const top = async (signal: AbortSignal): Promise<void> => {
    await s.flameDone;
    fill(v.topBody, loading());
    try {
      const p = s.p;
      const res = await api.topFunctions(
        { selector: p.q, range: toTimeRange(s.resolved), limit: 100, sort: p.sort === "total" ? SortBy.TOTAL : SortBy.SELF },
        { signal },
      );
      v.topTitle.textContent = `Top functions · by ${p.sort} time`;
      fill(
        v.topBody,
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
      fill(v.topBody, failure(err, retry));
    }
  };
  return { flame, top, series: seriesLoad(s, v, retry), labels: labelsLoad(s, v) };
}

/** CPU over time (split by a label when asked), once the flame graph is in. */
function seriesLoad(s: ExploreState, v: ExploreView, retry: () => void): Load {
  return async (signal: AbortSignal): Promise<void> => {
    await s.flameDone;
    try {
      const p = s.p;
      const res = await api.timeSeries(
        { selector: p.q, range: toTimeRange(s.resolved), stepMs: BigInt(chartStepMs(s.resolved)), groupBy: p.by, limit: p.top },
        { signal },
      );
      const stepMs = Number(res.stepMs);
      const times = (res.series[0]?.points ?? []).map((pt) => Number(pt.timeUnixMs));
      v.chart.set({
        times,
        stepMs,
        series: res.series.map((g) => ({ name: g.group, values: g.points.map((pt) => cores(Number(pt.samples), p.rateHz, stepMs)) })),
      });
      v.chartNote.textContent = `step ${String(stepMs / 1000)} s · ${describeRange(p.range)}`;
      v.chartBox.replaceChildren();
    } catch (err) {
      fill(v.chartBox, failure(err, retry));
    }
  };
}

/** The labels the chart can be split by, for this selection. */
function labelsLoad(s: ExploreState, v: ExploreView): Load {
  return async (signal: AbortSignal): Promise<void> => {
    await s.flameDone;
    try {
      const { names } = await api.listLabelNames({ selector: s.p.q, range: toTimeRange(s.resolved) }, { signal });
      const choices = names.filter((n) => n !== "capture_id");
      v.splitBy.replaceChildren(h("option", { value: "" }, "nothing"), ...choices.map((n) => h("option", { value: n }, n)));
      v.splitBy.value = s.p.by;
    } catch {
      // the flame graph's error says what is wrong
    }
  };
}

export function explorePage(root: HTMLElement): Page {
  const p = read(new URLSearchParams(location.search));
  const s: ExploreState = { p, resolved: resolveRange(p.range), flameDone: Promise.resolve(), lastBase: "", preloaded: undefined };
  const loaders = { flame: new Loader(), top: new Loader(), series: new Loader(), labels: new Loader() };
  const v = exploreView(root, s);
  const load = exploreLoads(s, v, () => reloadAll(loaders, update));

  function update(params: URLSearchParams): void {
    s.p = read(params);
    const p = s.p;
    const base = `${p.q}|${p.range.from}|${p.range.to}`;
    if (base !== s.lastBase) {
      // one resolution of a relative range for every request of this selection
      const pre = takeFlamePreload(location.search);
      s.preloaded = pre?.bytes;
      s.resolved = pre?.range ?? resolveRange(p.range);
      s.lastBase = base;
    }
    v.panel.setRate(p.rateHz);
    // the flame graph's request goes out before the controls change (they only show the URL)
    loaders.flame.run(`${base}|${String(p.nodes)}|${String(p.rateHz)}`, (signal) => (s.flameDone = load.flame(signal)));
    v.selector.set(p.q);
    v.picker.set(p.range);
    v.topN.value = String(p.top);
    loaders.top.run(`${base}|${p.sort}`, load.top);
    loaders.series.run(`${base}|${p.by}|${String(p.top)}|${String(p.rateHz)}`, load.series);
    loaders.labels.run(base, load.labels);
    v.panel.apply(p.flame);
  }
  return {
    update,
    destroy: () => {
      abortAll(loaders);
      v.panel.destroy();
      v.chart.destroy();
    },
  };
}
