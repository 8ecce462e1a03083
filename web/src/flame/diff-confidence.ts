/**
 * How a diff's confidence reads, in words shared by the terminal, the version report and the
 * web UI: a change's 95 % interval, relative changes, the cost per process, and the line
 * saying how many replicates the intervals rest on and what could be detected.
 */
import type { CostComparison, DiffStatistics, SortBy as SortByEnum } from "@fleetprof/proto/query";
import { SortBy } from "./proto-enums.js";
import { formatCount, formatPoints } from "./format.js";

/** "self" or "total": the measure a diff is ranked by. */
export function sortName(sort: SortByEnum): "self" | "total" {
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

/** "0.42 → 0.55 cores per process (+31 % [+22 %, +40 %]), significant" */
export function describeCost(cost: CostComparison | undefined, mode: string): string {
  if (cost === undefined || !cost.available) return "cost per process: unknown (no window coverage recorded for these samples)";
  const what = mode === "wall" ? "busy threads" : mode === "gil" ? "GIL holders" : "cores";
  const rel = !Number.isFinite(cost.ciLow)
    ? " (no interval: too few process-minutes)"
    : cost.baseCores > 0 && cost.cores > 0
      ? ` (${formatRelative(cost.relativeChange)} [${formatRelative(cost.relativeCiLow)}, ${formatRelative(cost.relativeCiHigh)}])`
      : "";
  const verdict = cost.significant ? (cost.deltaCores > 0 ? "significantly more" : "significantly less") : "no significant change";
  return `${cost.baseCores.toFixed(3)} → ${cost.cores.toFixed(3)} ${what} per process${rel}: ${verdict} (${cost.unit} ÷ process-seconds observed)`;
}

/** The replicates behind the intervals, what `mark` (a significant row's mark) means, and the server's notes. */
export function describeStatistics(stats: DiffStatistics | undefined, sort: SortByEnum, mark = "*"): string[] {
  if (stats === undefined) return [];
  const lines = [
    `${formatCount(stats.baseReplicates)} → ${formatCount(stats.replicates)} ${stats.replicateUnit === "" ? "replicate" : stats.replicateUnit}s (${String(stats.baseProcesses)} → ${String(stats.processes)} ${stats.replicateUnit === "host-hour" ? "hosts" : "processes"}); ` +
      `${mark} = significant at a ${String(Math.round(stats.fdr * 100))} % false discovery rate over ${String(stats.functionsTested)} functions tested` +
      (stats.minDetectableShare > 0
        ? `; changes under ${formatPoints(stats.minDetectableShare).replace("+", "±")} in share of ${sortName(sort)} time are below what this data can detect`
        : ""),
  ];
  return [...lines, ...stats.notes];
}
