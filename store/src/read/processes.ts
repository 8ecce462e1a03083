/**
 * Processes seen recently: the distinct (host, pid) of matching raw samples, for control
 * requests (dump, capture) that go to the agents profiling them.
 */
import type { SampleFilter } from "./filter.js";
import { partsSql, planRange, type TimeWindow } from "./plan.js";
import { queryRows, type ReadOptions, type ReadTarget } from "./run.js";

export interface ProcessQuery extends ReadOptions {
  filter: SampleFilter;
  window: TimeWindow;
  /** At most this many processes (the most recently seen). */
  limit: number;
}

export interface ProcessRow {
  host: string;
  pid: number;
  service: string;
  version: string;
  /** Time of the process's latest matching sample, unix ms. */
  lastSeenMs: number;
}

/** Distinct processes of matching samples, by host then pid; `truncated` when more exist. */
export async function readProcesses(target: ReadTarget, q: ProcessQuery): Promise<{ processes: ProcessRow[]; truncated: boolean }> {
  // pid is a raw-only column: the rollups do not know processes.
  const filter: SampleFilter = { ...q.filter, rawOnly: true };
  const plan = planRange(q.window, filter, { source: "raw" });
  const params: Record<string, unknown> = { limit: q.limit + 1 };
  const parts = partsSql(target.db, plan, filter, "host, pid, service, version, time", params);
  const rows = await queryRows<[string, number | string, string, string, number | string]>(
    target,
    `SELECT host, pid, argMax(service, time), argMax(version, time), toUnixTimestamp(max(time))
FROM (${parts})
GROUP BY host, pid
ORDER BY max(time) DESC, host, pid
LIMIT {limit:UInt32}`,
    params,
    q,
  );
  const truncated = rows.length > q.limit;
  const processes = (truncated ? rows.slice(0, q.limit) : rows).map(([host, pid, service, version, last]) => ({
    host,
    pid: Number(pid),
    service,
    version,
    lastSeenMs: Number(last) * 1000,
  }));
  processes.sort((a, b) => (a.host === b.host ? a.pid - b.pid : a.host < b.host ? -1 : 1));
  return { processes, truncated };
}
