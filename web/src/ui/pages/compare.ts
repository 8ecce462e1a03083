/**
 * Compare: two independent selections (each its own selector and time range), the diff flame
 * graph coloured by change in share (red grew, blue shrank, dashed frames only on one side),
 * and the functions ranked by change in share of self or total time, each change with its 95 %
 * interval and significance, under the cost per process. In the URL: base, bfrom, bto, cmp,
 * cfrom, cto, tab, sort, search, zoom, fn, nodes, hz.
 */
import { SortBy } from "../../flame/proto-enums.js";
import type { DiffTopFunctionsResponse, FlameGraph, ListServicesResponse } from "@fleetprof/proto/query";
import { sortName } from "../../flame/diff-confidence.js";
import { flameDataFrom } from "../../flame/flame-data-from.js";
import { formatCount, formatCpu } from "../../flame/format.js";
import { exactFunction } from "../../flame/search.js";
import { api } from "../api.js";
import { fill, h } from "../dom.js";
import { diffSummary, diffTable, type DiffSort } from "../components/diff-table.js";
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
  /** The ranking: change in share of self or of total time. */
  sort: DiffSort;
  nodes: number;
  rateHz: number;
  flame: FlameState;
}

function read(params: URLSearchParams): CompareParams {
  return {
    base: { selector: params.get("base") ?? "", range: rangeParam(params, "bfrom", "bto") },
    cmp: { selector: params.get("cmp") ?? "", range: rangeParam(params, "cfrom", "cto") },
    tab: params.get("tab") === "improvements" ? "improvements" : "regressions",
    sort: params.get("sort") === "total" ? "total" : "self",
    nodes: Number(params.get("nodes") ?? 0) || 0,
    rateHz: rateFrom(params),
    flame: { search: params.get("search") ?? "", zoom: params.get("zoom") ?? "", fn: params.get("fn") ?? "" },
  };
}

const sideLabel = (s: Side): string => s.selector || "everything";

function sideCard(title: string, className: string, side: Side, onSelector: (q: string) => void, onRange: (r: RangeParam) => void, range: () => ResolvedRange) {
  const selector = selectorInput({ value: side.selector, label: `${title} selector`, range, onSubmit: onSelector });
  const picker = timePicker(side.range, onRange, `${title} time range`);
  const el = h(
    "div",
    { className: `side-card ${className}` },
    h("div", { className: "side-title" }, title),
    h("div", { className: "side-row" }, selector.el, picker.el),
  );
  return { el, selector, picker };
}

/** What the page keeps between URL changes. */
interface CompareState {
  p: CompareParams;
  /** Both sides' time ranges, resolved once per selection. */
  ranges: { base: ResolvedRange; cmp: ResolvedRange };
  lastKey: string;
  services: ListServicesResponse["services"];
  table: DiffTopFunctionsResponse | undefined;
}

/** The page's controls and panels. */
interface CompareView {
  base: ReturnType<typeof sideCard>;
  cmp: ReturnType<typeof sideCard>;
  pick: ReturnType<typeof quickPick>;
  summary: HTMLElement;
  panel: FlamePanel;
  flameSlot: HTMLElement;
  tableTitle: HTMLElement;
  sortSwitch: HTMLElement;
  tabs: HTMLElement;
  /** The cost per process and the statistics behind the intervals. */
  diffSummary: HTMLElement;
  tableBody: HTMLElement;
}

function diffPanel(s: CompareState): FlamePanel {
  const tooltip = document.getElementById("tooltip") as HTMLElement;
  const panel: FlamePanel = new FlamePanel(tooltip, {
    rateHz: s.p.rateHz,
    baseLabel: sideLabel(s.p.base),
    comparisonLabel: sideLabel(s.p.cmp),
    exportSource: (): ExportSource | undefined => {
      const d = panel.currentData();
      const p = s.p;
      const title = `${sideLabel(p.base)} → ${sideLabel(p.cmp)}`;
      return d === undefined
        ? undefined
        : {
            name: fileStem(`diff_${p.base.selector}_${p.cmp.selector}`),
            html: {
              data: d,
              options: {
                title,
                subtitle: `baseline ${describeRange(p.base.range)} · comparison ${describeRange(p.cmp.range)}`,
                baseLabel: sideLabel(p.base),
                comparisonLabel: sideLabel(p.cmp),
                rateHz: p.rateHz,
              },
            },
          };
    },
    onState: (changes, replace) => setParams(changes, replace),
  });
  return panel;
}

/** Builds the two side cards, the diff flame graph's slot and the ranked table into `root`. */
function compareView(root: HTMLElement, s: CompareState): CompareView {
  const v: CompareView = {
    base: sideCard(
      "Baseline",
      "base",
      s.p.base,
      (q) => setParams({ base: q, zoom: undefined, fn: undefined }),
      (r) => setParams({ bfrom: r.from, bto: r.to }),
      () => s.ranges.base,
    ),
    cmp: sideCard(
      "Comparison",
      "cmp",
      s.p.cmp,
      (q) => setParams({ cmp: q, zoom: undefined, fn: undefined }),
      (r) => setParams({ cfrom: r.from, cto: r.to }),
      () => s.ranges.cmp,
    ),
    pick: quickPick((changes) => setParams({ ...changes, zoom: undefined, fn: undefined, search: undefined })),
    summary: h("div", { className: "compare-summary" }),
    panel: diffPanel(s),
    flameSlot: h("div", { className: "flame-slot" }),
    tableTitle: h("h2", null, tableTitle(s.p.sort)),
    sortSwitch: h("div", { className: "segmented", attrs: { role: "group", "aria-label": "Rank by" } }),
    tabs: h("div", { className: "tabs", attrs: { role: "tablist" } }),
    diffSummary: h("div"),
    tableBody: h("div"),
  };
  root.append(
    pageHeader(
      "Compare",
      "What got slower? Two selections side by side: the diff flame graph is red where the comparison spends a larger share of its CPU, blue where it spends less.",
      copyLinkButton(),
    ),
    h(
      "section",
      { className: "panel compare-sides" },
      v.pick.el,
      h("div", { className: "sides" }, v.base.el, h("div", { className: "versus" }, "vs"), v.cmp.el),
      v.summary,
    ),
    v.flameSlot,
    h("section", { className: "panel diff-panel" }, h("div", { className: "panel-head" }, v.tableTitle, v.sortSwitch, v.tabs), v.diffSummary, v.tableBody),
  );
  return v;
}

const tableTitle = (sort: DiffSort): string => `Functions by change in share of ${sort} time`;

/** The self/total switch, the regressions/improvements tabs, the cost line and the table of the tab chosen. */
function renderTable(s: CompareState, v: CompareView): void {
  const { p, table } = s;
  v.tableTitle.textContent = tableTitle(p.sort);
  v.sortSwitch.replaceChildren(
    ...(["self", "total"] as const).map((k) =>
      h(
        "button",
        {
          type: "button",
          className: `seg${p.sort === k ? " active" : ""}`,
          title: `Rank by change in share of ${k} time`,
          attrs: { "aria-pressed": String(p.sort === k) },
          on: { click: () => setParams({ sort: k }) },
        },
        k === "self" ? "Self" : "Total",
      ),
    ),
  );
  v.tabs.replaceChildren(
    ...(["regressions", "improvements"] as const).map((t) =>
      h(
        "button",
        {
          type: "button",
          className: `tab${p.tab === t ? " active" : ""}`,
          attrs: { role: "tab", "aria-selected": String(p.tab === t) },
          on: { click: () => setParams({ tab: t }, true) },
        },
        t === "regressions" ? `Regressions (${String(table?.regressions.length ?? 0)})` : `Improvements (${String(table?.improvements.length ?? 0)})`,
      ),
    ),
  );
  if (table === undefined) return;
  fill(v.diffSummary, diffSummary(table));
  const list = p.tab === "regressions" ? table.regressions : table.improvements;
  fill(
    v.tableBody,
    list.length === 0
      ? empty(p.tab === "regressions" ? "Nothing grew" : "Nothing shrank")
      : diffTable(table, p.tab, sortName(table.sort), p.rateHz, (f) => setParams({ search: exactFunction(f.function), fn: undefined }, true)),
  );
}

/** Each side's samples and CPU time above the graph. */
function showSummary(summary: HTMLElement, graph: FlameGraph, rate: number): void {
  summary.replaceChildren(
    h("span", { className: "side-sum base" }, `Baseline: ${formatCount(Number(graph.baseTotal))} samples · ${formatCpu(Number(graph.baseTotal), rate)} CPU`),
    h("span", { className: "side-sum cmp" }, `Comparison: ${formatCount(Number(graph.total))} samples · ${formatCpu(Number(graph.total), rate)} CPU`),
    h("span", { className: "muted" }, "Shares are of each side's own total, so sides of different size compare fairly."),
  );
}

type Load = (signal: AbortSignal) => Promise<void>;

/** The page's requests: the diff flame graph, the ranked functions, and the services for the quick pick. */
function compareLoads(s: CompareState, v: CompareView, retry: () => void): { diff: Load; top: Load; services: Load } {
  const request = () => ({
    baseSelector: s.p.base.selector,
    baseRange: toTimeRange(s.ranges.base),
    selector: s.p.cmp.selector,
    range: toTimeRange(s.ranges.cmp),
  });
  const diff = async (signal: AbortSignal): Promise<void> => {
    v.panel.showLoading(v.flameSlot, loading("Comparing…"));
    try {
      const graph = (await api.diffFlameGraph({ ...request(), maxNodes: s.p.nodes }, { signal })).flameGraph;
      if (graph === undefined || (graph.total === 0n && graph.baseTotal === 0n)) {
        fill(v.flameSlot, empty("Neither side has samples", "Check both selectors and time ranges."));
        return;
      }
      showSummary(v.summary, graph, s.p.rateHz);
      if (!v.flameSlot.contains(v.panel.el)) fill(v.flameSlot, v.panel.el);
      v.panel.setData(flameDataFrom(graph), s.p.flame);
    } catch (err) {
      fill(v.flameSlot, failure(err, retry));
    }
  };
  const top = async (signal: AbortSignal): Promise<void> => {
    fill(v.tableBody, loading());
    v.diffSummary.replaceChildren();
    try {
      s.table = await api.diffTopFunctions({ ...request(), limit: 50, sort: s.p.sort === "total" ? SortBy.TOTAL : SortBy.SELF }, { signal });
      renderTable(s, v);
    } catch (err) {
      fill(v.tableBody, failure(err, retry));
    }
  };
  const services = async (signal: AbortSignal): Promise<void> => {
    try {
      s.services = (await api.listServices({ range: toTimeRange(s.ranges.cmp) }, { signal })).services;
      v.pick.setServices(s.services, s.p.base.selector, s.p.cmp.selector);
    } catch {
      // the quick pick stays empty; the selectors still work
    }
  };
  return { diff, top, services };
}

export function comparePage(root: HTMLElement): Page {
  const p = read(new URLSearchParams(location.search));
  const s: CompareState = { p, ranges: { base: resolveRange(p.base.range), cmp: resolveRange(p.cmp.range) }, lastKey: "", services: [], table: undefined };
  const loaders = { diff: new Loader(), top: new Loader(), services: new Loader() };
  const v = compareView(root, s);
  const load = compareLoads(s, v, () => reloadAll(loaders, update));

  function update(params: URLSearchParams): void {
    s.p = read(params);
    const p = s.p;
    v.base.selector.set(p.base.selector);
    v.cmp.selector.set(p.cmp.selector);
    v.base.picker.set(p.base.range);
    v.cmp.picker.set(p.cmp.range);
    const key = JSON.stringify([p.base, p.cmp]);
    if (key !== s.lastKey) {
      s.ranges = { base: resolveRange(p.base.range), cmp: resolveRange(p.cmp.range) };
      s.lastKey = key;
    }
    v.panel.setRate(p.rateHz);
    v.panel.setLabels(sideLabel(p.base), sideLabel(p.cmp));
    loaders.services.run(`${p.cmp.range.from}|${p.cmp.range.to}`, load.services);
    v.pick.setServices(s.services, p.base.selector, p.cmp.selector);
    if (p.base.selector === "" && p.cmp.selector === "") {
      loaders.diff.abort();
      loaders.top.abort();
      fill(
        v.flameSlot,
        empty("Pick what to compare", "Choose a service and two versions above, or type a selector for each side (any label works: host, region, …)."),
      );
      v.tableBody.replaceChildren();
      v.diffSummary.replaceChildren();
      return;
    }
    loaders.diff.run(`${key}|${String(p.nodes)}|${String(p.rateHz)}`, load.diff);
    if (!loaders.top.run(`${key}|${p.sort}`, load.top)) renderTable(s, v);
    v.panel.apply(p.flame);
  }
  return {
    update,
    destroy: () => {
      abortAll(loaders);
      v.panel.destroy();
    },
  };
}
