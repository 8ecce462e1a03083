/**
 * The table under an HTML flame graph: functions by self time, or in a diff by change in
 * share of self time with both sides; a click on a row highlights the function.
 */
import type { FlameData } from "../flame/flame-data.js";
import { formatCount, formatPercent, formatPoints } from "../flame/format.js";
import { functionStats, type FunctionStat } from "../flame/function-stats.js";
import type { Layout } from "../flame/layout.js";
import { UNCHANGED } from "../flame/colours.js";

const ROWS = 30;

/** Fills the table; returns how many rows it shows. */
export function fillFunctionTable(table: HTMLTableElement, title: HTMLElement, d: FlameData, layout: Layout, highlight: (name: string) => void): number {
  const stats = functionStats(d, layout.end);
  const of = (v: number, sum: number): number => (sum > 0 ? v / sum : 0);
  const change = (s: FunctionStat): number => of(s.self, d.sum) - of(s.baseSelf, d.baseSum);
  const rows = [...stats].sort(d.diff ? (a, b) => Math.abs(change(b)) - Math.abs(change(a)) : (a, b) => b.self - a.self || b.total - a.total).slice(0, ROWS);
  const head = document.createElement("tr");
  for (const c of d.diff ? ["function", "file", "base self", "self", "change"] : ["function", "file", "self", "self %", "total %"]) {
    const th = document.createElement("th");
    th.textContent = c;
    head.append(th);
  }
  table.append(head);
  for (const s of rows) {
    const tr = document.createElement("tr");
    const cells = d.diff
      ? [s.name, s.location, formatPercent(of(s.baseSelf, d.baseSum)), formatPercent(of(s.self, d.sum)), formatPoints(change(s))]
      : [s.name, s.location, formatCount(s.self), formatPercent(of(s.self, d.sum)), formatPercent(of(s.total, d.sum))];
    cells.forEach((text, k) => {
      const td = document.createElement("td");
      td.textContent = text;
      if (k === 4 && d.diff) td.className = change(s) > UNCHANGED ? "up" : change(s) < -UNCHANGED ? "down" : "";
      tr.append(td);
    });
    tr.title = `highlight ${s.name} in the graph`;
    tr.addEventListener("click", () => highlight(s.name));
    table.append(tr);
  }
  title.textContent = `${d.diff ? "Functions by change in share of self time" : "Functions by self time"} (${String(rows.length)} of ${String(stats.length)})`;
  return rows.length;
}
