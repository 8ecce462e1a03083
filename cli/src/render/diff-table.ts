/**
 * Diffs with intervals on the terminal: one table per direction (base share, comparison share,
 * change, 95 % interval), significant rows marked `*` and the rest dimmed, plus one-line
 * summaries of the replicates, the cost per process and what was compared.
 */
import { SortBy, type CostComparison, type DiffBasis, type DiffStatistics, type FunctionDiff } from "@fleetprof/proto";
import { formatCount, formatPercent, formatPoints } from "@fleetprof/web";
import { formatTable, type Paint } from "./table.js";

export function sortName(sort: SortBy): "self" | "total" {
  return sort === SortBy.TOTAL ? "total" : "self";
}

/** "[+1.20, +3.40] pp"; "no interval" when a side had too few replicates to estimate one. */
export function formatInterval(low: number, high: number): string {
  if (!Number.isFinite(low) || !Number.isFinite(high)) return "no interval";
  const p = (v: number): string => `${v > 0 ? "+" : v < 0 ? "-" : "±"}${Math.abs(v * 100).toFixed(2)}`;
  return `[${p(low)}, ${p(high)}] pp`;
}

/** "+31 %" */
export function formatRelative(v: number): string {
  const pct = v * 100;
  return `${pct > 0 ? "+" : pct < 0 ? "-" : "±"}${Math.abs(pct).toFixed(Math.abs(pct) < 10 ? 1 : 0)} %`;
}

/** The rows of one direction; `colour` paints the change of significant rows. */
export function diffTable(list: readonly FunctionDiff[], sort: SortBy, p: Paint, colour: (s: string) => string): string {
  const total = sort === SortBy.TOTAL;
  const rows = list.map((f) => {
    const cells = [
      f.significant ? "*" : "",
      formatPercent(total ? f.baseTotalShare : f.baseSelfShare),
      formatPercent(total ? f.totalShare : f.selfShare),
      f.significant ? colour(formatPoints(f.deltaShare)) : formatPoints(f.deltaShare),
      formatInterval(f.ciLow, f.ciHigh),
      f.function,
      f.file,
    ];
    return f.significant ? cells : cells.map((c) => (c === "" ? c : p.dim(c)));
  });
  const name = total ? "TOTAL" : "SELF";
  return formatTable(
    [{ header: "" }, { header: `BASE ${name}`, right: true }, { header: name, right: true }, { header: "CHANGE", right: true }, { header: "95 % INTERVAL", right: true }, { header: "FUNCTION" }, { header: "FILE" }],
    rows,
  );
}

/** "0.42 → 0.55 cores per process (+31 % [+22 %, +40 %]), significant" */
export function describeCost(cost: CostComparison | undefined, mode: string): string {
  if (cost === undefined || !cost.available) return "cost per process: unknown (no window coverage recorded for these samples)";
  const what = mode === "wall" ? "busy threads" : mode === "gil" ? "GIL holders" : "cores";
  const rel = !Number.isFinite(cost.ciLow) ? " (no interval: too few process-minutes)" : cost.baseCores > 0 && cost.cores > 0 ? ` (${formatRelative(cost.relativeChange)} [${formatRelative(cost.relativeCiLow)}, ${formatRelative(cost.relativeCiHigh)}])` : "";
  const verdict = cost.significant ? (cost.deltaCores > 0 ? "significantly more" : "significantly less") : "no significant change";
  return `${cost.baseCores.toFixed(3)} → ${cost.cores.toFixed(3)} ${what} per process${rel}: ${verdict} (${cost.unit} ÷ process-seconds observed)`;
}

export function describeStatistics(stats: DiffStatistics | undefined, sort: SortBy): string[] {
  if (stats === undefined) return [];
  const lines = [
    `${formatCount(stats.baseReplicates)} → ${formatCount(stats.replicates)} ${stats.replicateUnit === "" ? "replicate" : stats.replicateUnit}s (${String(stats.baseProcesses)} → ${String(stats.processes)} ${stats.replicateUnit === "host-hour" ? "hosts" : "processes"}); ` +
      `* = significant at a ${String(Math.round(stats.fdr * 100))} % false discovery rate over ${String(stats.functionsTested)} functions tested` +
      (stats.minDetectableShare > 0 ? `; changes under ${formatPoints(stats.minDetectableShare).replace("+", "±")} in share of ${sortName(sort)} time are below what this data can detect` : ""),
  ];
  return [...lines, ...stats.notes];
}

export function describeBasis(basis: DiffBasis | undefined): string {
  return basis === undefined || basis.note === "" ? "" : basis.note;
}
