/**
 * Compare: two independent selections (each its own selector and time range), the diff flame
 * graph coloured by change in share (red grew, blue shrank, dashed frames only on one side),
 * and the functions ranked by change in share of self time. In the URL: base, bfrom, bto, cmp,
 * cfrom, cto, tab, search, zoom, fn, nodes, hz.
 */
import type { DiffTopFunctionsResponse, ListServicesResponse } from "@fleetprof/proto/query";
import { flameDataFrom } from "../../flame/flame-data-from.js";
import { formatCount, formatCpu } from "../../flame/format.js";
import { exactFunction } from "../../flame/search.js";
import { api } from "../api.js";
import { fill, h } from "../dom.js";
import { diffTable } from "../components/diff-table.js";
import { fileStem, type ExportSource } from "../components/export-menu.js";
import { FlamePanel, type FlameState } from "../components/flame-panel.js";
import { empty, failure, loading } from "../components/notice.js";
import { selectorInput } from "../components/selector-input.js";
import { timePicker } from "../components/time-picker.js";
import { setParams, type Page } from "../router.js";
import { describeRange, resolveRange, toTimeRange, type RangeParam, type ResolvedRange } from "../time-range.js";
import { rateFrom } from "../units.js";
import { abortAll, copyLinkButton, Loader, pageHeader, rangeParam, reloadAll } from "./page-kit.js";
import { quickPick } from "./compare-pick.js";

interface Side {
  selector: string;
  range: RangeParam;
}

interface CompareParams {
  base: Side;
  cmp: Side;
  tab: "regressions" | "improvements";
  nodes: number;
  rateHz: number;
  flame: FlameState;
}

function read(params: URLSearchParams): CompareParams {
  return {
    base: { selector: params.get("base") ?? "", range: rangeParam(params, "bfrom", "bto") },
    cmp: { selector: params.get("cmp") ?? "", range: rangeParam(params, "cfrom", "cto") },
    tab: params.get("tab") === "improvements" ? "improvements" : "regressions",
    nodes: Number(params.get("nodes") ?? 0) || 0,
    rateHz: rateFrom(params),
    flame: { search: params.get("search") ?? "", zoom: params.get("zoom") ?? "", fn: params.get("fn") ?? "" },
  };
}

const sideLabel = (s: Side): string => s.selector || "everything";

function sideCard(title: string, className: string, side: Side, onSelector: (q: string) => void, onRange: (r: RangeParam) => void, range: () => ResolvedRange) {
  const selector = selectorInput({ value: side.selector, label: `${title} selector`, range, onSubmit: onSelector });
  const picker = timePicker(side.range, onRange, `${title} time range`);
  const el = h("div", { className: `side-card ${className}` }, h("div", { className: "side-title" }, title), h("div", { className: "side-row" }, selector.el, picker.el));
  return { el, selector, picker };
}

export function comparePage(root: HTMLElement): Page {
  const tooltip = document.getElementById("tooltip") as HTMLElement;
  let p = read(new URLSearchParams(location.search));
  let ranges = { base: resolveRange(p.base.range), cmp: resolveRange(p.cmp.range) };
  let lastKey = "";
  let services: ListServicesResponse["services"] = [];
  let table: DiffTopFunctionsResponse | undefined;
  const loaders = { diff: new Loader(), top: new Loader(), services: new Loader() };
  const base = sideCard("Baseline", "base", p.base, (q) => setParams({ base: q, zoom: undefined, fn: undefined }), (r) => setParams({ bfrom: r.from, bto: r.to }), () => ranges.base);
  const cmp = sideCard("Comparison", "cmp", p.cmp, (q) => setParams({ cmp: q, zoom: undefined, fn: undefined }), (r) => setParams({ cfrom: r.from, cto: r.to }), () => ranges.cmp);
  const pick = quickPick((changes) => setParams({ ...changes, zoom: undefined, fn: undefined, search: undefined }));
  const summary = h("div", { className: "compare-summary" });
  const panel: FlamePanel = new FlamePanel(tooltip, {
    rateHz: p.rateHz,
    baseLabel: sideLabel(p.base),
    comparisonLabel: sideLabel(p.cmp),
    exportSource: (): ExportSource | undefined => {
      const d = panel.currentData();
      const title = `${sideLabel(p.base)} → ${sideLabel(p.cmp)}`;
      return d === undefined ? undefined : { name: fileStem(`diff_${p.base.selector}_${p.cmp.selector}`), html: { data: d, options: { title, subtitle: `baseline ${describeRange(p.base.range)} · comparison ${describeRange(p.cmp.range)}`, baseLabel: sideLabel(p.base), comparisonLabel: sideLabel(p.cmp), rateHz: p.rateHz } } };
    },
    onState: (changes, replace) => setParams(changes, replace),
  });
  const flameSlot = h("div", { className: "flame-slot" });
  const tabs = h("div", { className: "tabs", attrs: { role: "tablist" } });
  const tableBody = h("div");
  root.append(
    pageHeader("Compare", "What got slower? Two selections side by side: the diff flame graph is red where the comparison spends a larger share of its CPU, blue where it spends less.", copyLinkButton()),
    h("section", { className: "panel compare-sides" }, pick.el, h("div", { className: "sides" }, base.el, h("div", { className: "versus" }, "vs"), cmp.el), summary),
    flameSlot,
    h("section", { className: "panel" }, h("div", { className: "panel-head" }, h("h2", null, "Functions by change in share of self time"), tabs), tableBody),
  );

  const renderTable = (): void => {
    tabs.replaceChildren(
      ...(["regressions", "improvements"] as const).map((t) =>
        h("button", { type: "button", className: `tab${p.tab === t ? " active" : ""}`, attrs: { role: "tab", "aria-selected": String(p.tab === t) }, on: { click: () => setParams({ tab: t }, true) } }, t === "regressions" ? `Regressions (${String(table?.regressions.length ?? 0)})` : `Improvements (${String(table?.improvements.length ?? 0)})`),
      ),
    );
    if (table === undefined) return;
    const list = p.tab === "regressions" ? table.regressions : table.improvements;
    fill(tableBody, list.length === 0 ? empty(p.tab === "regressions" ? "Nothing grew" : "Nothing shrank") : diffTable(table, p.tab, p.rateHz, (f) => setParams({ search: exactFunction(f.function), fn: undefined }, true)));
  };
  const request = () => ({ baseSelector: p.base.selector, baseRange: toTimeRange(ranges.base), selector: p.cmp.selector, range: toTimeRange(ranges.cmp) });
  const loadDiff = async (signal: AbortSignal): Promise<void> => {
    panel.showLoading(flameSlot, loading("Comparing…"));
    try {
      const graph = (await api.diffFlameGraph({ ...request(), maxNodes: p.nodes }, { signal })).flameGraph;
      if (graph === undefined || (graph.total === 0n && graph.baseTotal === 0n)) {
        fill(flameSlot, empty("Neither side has samples", "Check both selectors and time ranges."));
        return;
      }
      const rate = p.rateHz;
      summary.replaceChildren(
        h("span", { className: "side-sum base" }, `Baseline: ${formatCount(Number(graph.baseTotal))} samples · ${formatCpu(Number(graph.baseTotal), rate)} CPU`),
        h("span", { className: "side-sum cmp" }, `Comparison: ${formatCount(Number(graph.total))} samples · ${formatCpu(Number(graph.total), rate)} CPU`),
        h("span", { className: "muted" }, "Shares are of each side's own total, so sides of different size compare fairly."),
      );
      if (!flameSlot.contains(panel.el)) fill(flameSlot, panel.el);
      panel.setData(flameDataFrom(graph), p.flame);
    } catch (err) {
      fill(flameSlot, failure(err, retry));
    }
  };
  const loadTop = async (signal: AbortSignal): Promise<void> => {
    fill(tableBody, loading());
    try {
      table = await api.diffTopFunctions({ ...request(), limit: 50 }, { signal });
      renderTable();
    } catch (err) {
      fill(tableBody, failure(err, retry));
    }
  };
  const loadServices = async (signal: AbortSignal): Promise<void> => {
    try {
      services = (await api.listServices({ range: toTimeRange(ranges.cmp) }, { signal })).services;
      pick.setServices(services, p.base.selector, p.cmp.selector);
    } catch {
      // the quick pick stays empty; the selectors still work
    }
  };

  function retry(): void {
    reloadAll(loaders, update);
  }

  function update(params: URLSearchParams): void {
    p = read(params);
    base.selector.set(p.base.selector);
    cmp.selector.set(p.cmp.selector);
    base.picker.set(p.base.range);
    cmp.picker.set(p.cmp.range);
    const key = JSON.stringify([p.base, p.cmp]);
    if (key !== lastKey) {
      ranges = { base: resolveRange(p.base.range), cmp: resolveRange(p.cmp.range) };
      lastKey = key;
    }
    panel.setRate(p.rateHz);
    panel.setLabels(sideLabel(p.base), sideLabel(p.cmp));
    loaders.services.run(`${p.cmp.range.from}|${p.cmp.range.to}`, loadServices);
    pick.setServices(services, p.base.selector, p.cmp.selector);
    if (p.base.selector === "" && p.cmp.selector === "") {
      loaders.diff.abort();
      loaders.top.abort();
      fill(flameSlot, empty("Pick what to compare", "Choose a service and two versions above, or type a selector for each side (any label works: host, region, …)."));
      tableBody.replaceChildren();
      return;
    }
    loaders.diff.run(`${key}|${String(p.nodes)}|${String(p.rateHz)}`, loadDiff);
    if (!loaders.top.run(key, loadTop)) renderTable();
    panel.apply(p.flame);
  }
  return {
    update,
    destroy: () => {
      abortAll(loaders);
      panel.destroy();
    },
  };
}
