/**
 * The ranked regression table of a comparison (DiffTopFunctions): functions by change in share
 * of self or total time, regressions or improvements, with both sides' share, the change and
 * its 95 % interval, whether the change is significant (after false-discovery control over
 * every function tested; the other rows are dimmed) and both sides' CPU time. Above it, the
 * cost per process and the statistics behind the intervals, worded as `fleetprof top --diff`
 * words them.
 */
import type { DiffTopFunctionsResponse, FunctionDiff } from "@fleetprof/proto/query";
import { describeCost, describeStatistics, formatInterval } from "../../flame/diff-confidence.js";
import { formatCpu, formatPercent, formatPoints } from "../../flame/format.js";
import { functionCell, h, type Child } from "../dom.js";

export type DiffSort = "self" | "total";

export interface DiffColumn {
  title: string;
  numeric: boolean;
  cell: (f: FunctionDiff, ctx: { rateHz: number; maxDelta: number }) => Child;
}

function changeBar(delta: number, max: number): HTMLElement {
  const w = max > 0 ? Math.min(1, Math.abs(delta) / max) * 100 : 0;
  return h("span", { className: `change-bar ${delta >= 0 ? "up" : "down"}` }, h("span", { style: { width: `${w.toFixed(1)}%` } }));
}

function significance(f: FunctionDiff): HTMLElement {
  if (!f.tested) return h("span", { className: "sig untested", title: "seen in too few replicates to be tested" }, "—");
  if (!f.significant) return h("span", { className: "sig no", title: "the interval and the other functions' tests leave this change within noise" }, "no");
  return h("span", { className: `sig yes ${f.deltaShare >= 0 ? "up" : "down"}`, title: "significant at a 5 % false discovery rate" }, "yes");
}

/** The table's columns after the function name, for a ranking by `sort`. */
export function diffColumns(sort: DiffSort): DiffColumn[] {
  const total = sort === "total";
  return [
    { title: `Baseline ${sort}`, numeric: true, cell: (f) => formatPercent(total ? f.baseTotalShare : f.baseSelfShare) },
    { title: `Comparison ${sort}`, numeric: true, cell: (f) => formatPercent(total ? f.totalShare : f.selfShare) },
    {
      title: "Change",
      numeric: true,
      cell: (f, c) =>
        h(
          "span",
          { className: `change ${f.deltaShare > 0 ? "up" : f.deltaShare < 0 ? "down" : ""}` },
          formatPoints(f.deltaShare),
          changeBar(f.deltaShare, c.maxDelta),
        ),
    },
    { title: "95 % interval", numeric: true, cell: (f) => h("span", { className: "interval" }, formatInterval(f.ciLow, f.ciHigh)) },
    { title: "Significant", numeric: false, cell: significance },
    {
      title: `CPU ${sort} (base → comp.)`,
      numeric: true,
      cell: (f, c) => `${formatCpu(Number(total ? f.baseTotal : f.baseSelf), c.rateHz)} → ${formatCpu(Number(total ? f.total : f.self), c.rateHz)}`,
    },
  ];
}

export function diffTable(
  res: DiffTopFunctionsResponse,
  which: "regressions" | "improvements",
  sort: DiffSort,
  rateHz: number,
  onPick: (f: FunctionDiff) => void,
): HTMLElement {
  const list = which === "regressions" ? res.regressions : res.improvements;
  const maxDelta = Math.max(0, ...res.regressions.map((f) => Math.abs(f.deltaShare)), ...res.improvements.map((f) => Math.abs(f.deltaShare)));
  const ctx = { rateHz, maxDelta };
  const columns = diffColumns(sort);
  return h(
    "table",
    { className: "data-table diff-table" },
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        h("th", { className: "num rank" }, "#"),
        h("th", null, "Function"),
        ...columns.map((c) => h("th", { className: c.numeric ? "num" : "" }, c.title)),
      ),
    ),
    h(
      "tbody",
      null,
      ...list.map((f, k) =>
        h(
          "tr",
          {
            className: f.significant ? "significant" : "insignificant",
            title: `${f.function}: click to highlight in the graph`,
            on: { click: () => onPick(f) },
          },
          h("td", { className: "num rank" }, String(k + 1)),
          functionCell(f.function, f.file),
          ...columns.map((c) => h("td", { className: c.numeric ? "num" : "" }, c.cell(f, ctx))),
        ),
      ),
    ),
  );
}

/** The cost per process (CPU per process with its interval), then what was compared and the statistics, muted. */
export function diffSummary(res: DiffTopFunctionsResponse): HTMLElement {
  const mode = res.basis?.mode || res.basis?.baseMode || "";
  const notes = [res.basis?.note ?? "", ...describeStatistics(res.statistics, res.sort, "“yes”")].filter((l) => l !== "");
  return h(
    "div",
    { className: "diff-summary" },
    h("div", { className: `diff-cost${res.cost?.significant === true ? (res.cost.deltaCores > 0 ? " up" : " down") : ""}` }, describeCost(res.cost, mode)),
    ...notes.map((l) => h("div", { className: "diff-note muted" }, l)),
  );
}
