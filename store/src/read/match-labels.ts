/**
 * Which of a list of label sets a filter selects: processes the agents report (not sample
 * rows), matched by ClickHouse with the very SQL that selects samples. So a selector means the
 * same for samples and for processes, and regexes run in ClickHouse's RE2 — linear in the
 * length of the value whatever the pattern, where a backtracking engine can take exponential
 * time (`(a+)+$` against thirty `a`s and a `!`). The sets travel as array query parameters
 * and are never part of the SQL text.
 */
import type { SampleFilter } from "./filter.js";
import { filterSql } from "./filter-sql.js";
import { queryRows, type ReadOptions, type ReadTarget } from "./run.js";

/** One set of label values, shaped like a sample row's columns. */
export interface LabelSet {
  service: string;
  version: string;
  host: string;
  pid: number;
  mode: string;
  /** Empty for a process (threads and captures belong to samples). */
  thread?: string;
  captureId?: string;
  /** Free labels (the `labels` map). */
  labels: Readonly<Record<string, string>>;
}

/** Rough bytes of label text per query, so the parameters stay well under HTTP URL limits. */
const CHUNK_BYTES = 256 * 1024;

function sizeOf(set: LabelSet): number {
  let n = set.service.length + set.version.length + set.host.length + set.mode.length + 32;
  for (const [k, v] of Object.entries(set.labels)) n += k.length + v.length + 8;
  return n;
}

/** For each set, whether `filter` selects it. */
export async function matchLabelSets(target: ReadTarget, filter: SampleFilter, sets: readonly LabelSet[], options: ReadOptions = {}): Promise<boolean[]> {
  if (filter.matchers.length === 0) return sets.map(() => true);
  const matched = new Array<boolean>(sets.length).fill(false);
  let from = 0;
  while (from < sets.length) {
    let to = from;
    let bytes = 0;
    while (to < sets.length && (to === from || bytes + sizeOf(sets[to] as LabelSet) <= CHUNK_BYTES)) bytes += sizeOf(sets[to++] as LabelSet);
    const chunk = sets.slice(from, to);
    const params: Record<string, unknown> = {
      m_service: chunk.map((s) => s.service),
      m_version: chunk.map((s) => s.version),
      m_host: chunk.map((s) => s.host),
      m_pid: chunk.map((s) => s.pid),
      m_mode: chunk.map((s) => s.mode),
      m_thread: chunk.map((s) => s.thread ?? ""),
      m_capture: chunk.map((s) => s.captureId ?? ""),
      m_labels: chunk.map((s) => ({ ...s.labels })),
    };
    const where = filterSql(filter, params, "f");
    const rows = await queryRows<[number]>(
      target,
      `SELECT i FROM (
  SELECT arrayJoin(range(1, length({m_service:Array(String)}) + 1)) AS i,
    {m_service:Array(String)}[i] AS service, {m_version:Array(String)}[i] AS version, {m_host:Array(String)}[i] AS host,
    {m_pid:Array(UInt32)}[i] AS pid, {m_mode:Array(String)}[i] AS mode, {m_thread:Array(String)}[i] AS thread,
    {m_capture:Array(String)}[i] AS capture_id, {m_labels:Array(Map(String, String))}[i] AS labels
)
WHERE ${where}`,
      params,
      { ...options, maxRows: chunk.length },
    );
    for (const [i] of rows) matched[from + Number(i) - 1] = true;
    from = to;
  }
  return matched;
}
