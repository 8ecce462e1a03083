/**
 * The ranked regression table of a comparison: functions by change in share of self time
 * (DiffTopFunctions), regressions or improvements, with both sides' self share and CPU time.
 * Columns are a list so that statistics the server adds (a confidence interval and a
 * significance per function) slot in as two more entries in DIFF_COLUMNS.
 */
import type { DiffTopFunctionsResponse, FunctionDiff } from "@fleetprof/proto/query";
import { formatCpu, formatPercent, formatPoints } from "../../flame/format.js";
import { functionCell, h, type Child } from "../dom.js";

export interface DiffColumn {
  title: string;
  numeric: boolean;
  cell: (f: FunctionDiff, ctx: { rateHz: number; maxDelta: number }) => Child;
}

function changeBar(delta: number, max: number): HTMLElement {
  const w = max > 0 ? Math.min(1, Math.abs(delta) / max) * 100 : 0;
  return h("span", { className: `change-bar ${delta >= 0 ? "up" : "down"}` }, h("span", { style: { width: `${w.toFixed(1)}%` } }));
}

/** The table's columns after the function name. */
export const DIFF_COLUMNS: DiffColumn[] = [
  { title: "Baseline self", numeric: true, cell: (f) => formatPercent(f.baseSelfShare) },
  { title: "Comparison self", numeric: true, cell: (f) => formatPercent(f.selfShare) },
  {
    title: "Change",
    numeric: true,
    cell: (f, c) => h("span", { className: `change ${f.deltaShare > 0 ? "up" : f.deltaShare < 0 ? "down" : ""}` }, formatPoints(f.deltaShare), changeBar(f.deltaShare, c.maxDelta)),
  },
  // Issue 14 (DiffTopFunctions confidence intervals): the interval and significance columns go here.
  { title: "CPU self (base → comp.)", numeric: true, cell: (f, c) => `${formatCpu(Number(f.baseSelf), c.rateHz)} → ${formatCpu(Number(f.self), c.rateHz)}` },
];

export function diffTable(res: DiffTopFunctionsResponse, which: "regressions" | "improvements", rateHz: number, onPick: (f: FunctionDiff) => void): HTMLElement {
  const list = which === "regressions" ? res.regressions : res.improvements;
  const maxDelta = Math.max(0, ...res.regressions.map((f) => Math.abs(f.deltaShare)), ...res.improvements.map((f) => Math.abs(f.deltaShare)));
  const ctx = { rateHz, maxDelta };
  return h(
    "table",
    { className: "data-table diff-table" },
    h("thead", null, h("tr", null, h("th", { className: "num rank" }, "#"), h("th", null, "Function"), ...DIFF_COLUMNS.map((c) => h("th", { className: c.numeric ? "num" : "" }, c.title)))),
    h(
      "tbody",
      null,
      ...list.map((f, k) =>
        h(
          "tr",
          { title: `${f.function}: click to highlight in the graph`, on: { click: () => onPick(f) } },
          h("td", { className: "num rank" }, String(k + 1)),
          functionCell(f.function, f.file),
          ...DIFF_COLUMNS.map((c) => h("td", { className: c.numeric ? "num" : "" }, c.cell(f, ctx))),
        ),
      ),
    ),
  );
}
