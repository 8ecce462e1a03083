/**
 * The version report as one self-contained HTML page: the summary and tables of the text
 * report above the interactive diff flame graph (the same page as `fleetprof diff -o x.html`).
 */
import type { FunctionDiff, VersionReportResponse } from "@fleetprof/proto";
import { describeRange } from "../../output/emit-flame.js";
import { describeBasis, describeCost, describeStatistics, formatInterval, sortName } from "../diff-table.js";
import { flameDataFrom, formatCountOf, formatPercent, formatPoints } from "@fleetprof/web";
import { rangeMs, reportTitle } from "../version-report.js";
import { escapeHtml, renderFlameHtml } from "./flame-html.js";

const STYLE = `<style>
#report { padding: 10px 14px 4px; font-size: 13px; }
#report h2 { font-size: 14px; margin: 14px 0 6px; font-weight: 600; }
#report p { margin: 4px 0; }
#report .muted { color: var(--muted); }
#report .cost { font-size: 14px; font-weight: 600; }
#report table { border-collapse: collapse; font-size: 12.5px; }
#report th { text-align: right; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--border); padding: 3px 10px 3px 0; }
#report td { text-align: right; padding: 2px 10px 2px 0; font-variant-numeric: tabular-nums; }
#report th.name, #report td.name { text-align: left; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
#report td.file { text-align: left; color: var(--muted); }
#report td.up { color: rgb(190, 30, 25); font-weight: 600; }
#report td.down { color: rgb(36, 99, 209); font-weight: 600; }
</style>`;

function changes(list: readonly FunctionDiff[], total: boolean, cls: "up" | "down"): string {
  if (list.length === 0) return `<p class="muted">none</p>`;
  const head = `<tr><th class="name">function</th><th>base</th><th>now</th><th>change</th><th>95 % interval</th><th class="name">file</th></tr>`;
  const rows = list.map(
    (f) =>
      `<tr><td class="name">${escapeHtml(f.function)}</td><td>${formatPercent(total ? f.baseTotalShare : f.baseSelfShare)}</td><td>${formatPercent(total ? f.totalShare : f.selfShare)}</td><td class="${cls}">${formatPoints(f.deltaShare)}</td><td>${formatInterval(f.ciLow, f.ciHigh)}</td><td class="file">${escapeHtml(f.file)}</td></tr>`,
  );
  return `<table>${head}${rows.join("")}</table>`;
}

function presence(list: readonly FunctionDiff[], base: boolean): string {
  if (list.length === 0) return `<p class="muted">none</p>`;
  const rows = list.map(
    (f) =>
      `<tr><td class="name">${escapeHtml(f.function)}</td><td>${formatPercent(base ? f.baseTotalShare : f.totalShare)}</td><td class="file">${escapeHtml(f.file)}</td></tr>`,
  );
  return `<table><tr><th class="name">function</th><th>total</th><th class="name">file</th></tr>${rows.join("")}</table>`;
}

export function renderReportHtml(res: VersionReportResponse, named: boolean): string {
  const d = res.diff;
  const total = sortName(d?.sort ?? 0) === "total";
  const what = total ? "total" : "self";
  const stats = d?.statistics;
  const sideLine = (version: string, r: typeof res.range, replicates: number, processes: number, samples: bigint): string => {
    const { startMs, endMs } = rangeMs(r);
    return `<p><b>${escapeHtml(version)}</b> ${escapeHtml(describeRange(startMs, endMs))} · ${escapeHtml(formatCountOf(replicates, stats?.replicateUnit || "replicate"))}, ${formatCountOf(processes, "process", "processes")}, ${formatCountOf(Number(samples), "sample")}</p>`;
  };
  const notes = [describeBasis(d?.basis), ...describeStatistics(stats, d?.sort ?? 0)].filter((l) => l !== "");
  const section = `${STYLE}
<section id="report">
${sideLine(res.baseVersion, res.baseRange, stats?.baseReplicates ?? 0, stats?.baseProcesses ?? 0, d?.baseTotal ?? 0n)}
${sideLine(res.version, res.range, stats?.replicates ?? 0, stats?.processes ?? 0, d?.total ?? 0n)}
<p class="cost" id="report-cost">${escapeHtml(describeCost(d?.cost, d?.basis?.mode || d?.basis?.baseMode || ""))}</p>
${notes.map((n) => `<p class="muted">${escapeHtml(n)}</p>`).join("\n")}
<h2>Significant regressions (share of ${what} time grew)</h2>
<div id="report-regressions">${changes(d?.regressions ?? [], total, "up")}</div>
<h2>Significant improvements (share of ${what} time shrank)</h2>
<div id="report-improvements">${changes(d?.improvements ?? [], total, "down")}</div>
<h2>New in ${escapeHtml(res.version)}</h2>
<div id="report-new">${presence(res.newFunctions, false)}</div>
<h2>Gone since ${escapeHtml(res.baseVersion)}</h2>
<div id="report-gone">${presence(res.goneFunctions, true)}</div>
<h2>Diff flame graph: red grew, blue shrank</h2>
</section>
`;
  const graph = res.flameGraph;
  if (graph === undefined) throw new Error("the version report has no flame graph");
  return renderFlameHtml(flameDataFrom(graph), {
    title: reportTitle(res, named),
    subtitle: `fleetprof version report · ${res.baseVersion} → ${res.version}`,
    baseLabel: res.baseVersion,
    comparisonLabel: res.version,
    report: section,
  });
}
