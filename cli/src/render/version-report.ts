/**
 * The version report on the terminal: which versions, over which equal windows, the cost per
 * process with its interval, significant regressions and improvements, and functions new or
 * gone.
 */
import type { FunctionDiff, TimeRange, VersionReportResponse } from "@fleetprof/proto";
import { describeRange } from "../output/emit-flame.js";
import { describeBasis, describeCost, describeStatistics, diffTable, sortName } from "./diff-table.js";
import { formatCountOf, formatPercent } from "@fleetprof/web";
import { formatTable, type Paint } from "./table.js";

export function rangeMs(r: TimeRange | undefined): { startMs: number; endMs: number } {
  return { startMs: Number(r?.startUnixMs ?? 0n), endMs: Number(r?.endUnixMs ?? 0n) };
}

/** "12 min", "1 h", "1 h 30 min" */
export function formatLength(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${String(m)} min` : m === 0 ? `${String(h)} h` : `${String(h)} h ${String(m)} min`;
}

/** The report's title line. */
export function reportTitle(res: VersionReportResponse, named: boolean): string {
  const { startMs, endMs } = rangeMs(res.range);
  return `${res.service}: ${res.version} against ${res.baseVersion}${named ? "" : " (the newest version against the previous one)"}, ${formatLength(endMs - startMs)} each`;
}

function presenceTable(list: readonly FunctionDiff[], side: "base" | "comparison"): string {
  return formatTable(
    [{ header: "TOTAL", right: true }, { header: "SELF", right: true }, { header: "FUNCTION" }, { header: "FILE" }],
    list.map((f) => [
      formatPercent(side === "base" ? f.baseTotalShare : f.totalShare),
      formatPercent(side === "base" ? f.baseSelfShare : f.selfShare),
      f.function,
      f.file,
    ]),
  );
}

export function renderReportText(res: VersionReportResponse, p: Paint, named: boolean): string {
  const d = res.diff;
  const stats = d?.statistics;
  const sort = d?.sort ?? 0;
  const what = sortName(sort);
  const side = (version: string, r: TimeRange | undefined, replicates: number, processes: number, samples: bigint): string => {
    const { startMs, endMs } = rangeMs(r);
    return `  ${version}  ${describeRange(startMs, endMs)}  ${formatCountOf(replicates, stats?.replicateUnit || "replicate")}, ${formatCountOf(processes, "process", "processes")}, ${formatCountOf(Number(samples), "sample")}`;
  };
  const lines = [
    p.bold(reportTitle(res, named)),
    side(res.baseVersion, res.baseRange, stats?.baseReplicates ?? 0, stats?.baseProcesses ?? 0, d?.baseTotal ?? 0n),
    side(res.version, res.range, stats?.replicates ?? 0, stats?.processes ?? 0, d?.total ?? 0n),
    describeCost(d?.cost, d?.basis?.mode || d?.basis?.baseMode || ""),
    ...[describeBasis(d?.basis), ...describeStatistics(stats, sort)].filter((l) => l !== "").map((l) => p.dim(l)),
    "",
  ];
  let out = lines.join("\n") + "\n";
  out += p.bold(`Significant regressions (share of ${what} time grew)`) + "\n";
  out += (d?.regressions.length ?? 0) === 0 ? "  none\n" : diffTable(d?.regressions ?? [], sort, p, p.red);
  out += "\n" + p.bold(`Significant improvements (share of ${what} time shrank)`) + "\n";
  out += (d?.improvements.length ?? 0) === 0 ? "  none\n" : diffTable(d?.improvements ?? [], sort, p, p.blue);
  out += "\n" + p.bold(`New in ${res.version} (not seen in ${res.baseVersion})`) + "\n";
  out += res.newFunctions.length === 0 ? "  none\n" : presenceTable(res.newFunctions, "comparison");
  out += "\n" + p.bold(`Gone since ${res.baseVersion} (not seen in ${res.version})`) + "\n";
  out += res.goneFunctions.length === 0 ? "  none\n" : presenceTable(res.goneFunctions, "base");
  return out;
}
