/**
 * Window coverage per replicate — (host, pid, minute) — from `process_windows`: how many
 * process-seconds were observed, the samples the windows held, and their sampling rates. What
 * turns samples into seconds (÷ rate) and seconds into cores per process.
 *
 * Rows are first deduplicated by the table's key (a batch written twice), then the parts of a
 * profile split across batch parts are put together (same window: its length counted once,
 * samples summed). A window's observed time is its length scaled by how much of it py-spy
 * sampled: samples ÷ expected samples, at most 1 (expected unknown: the whole window).
 */
import { processWindows } from "../schema/tables.js";
import type { SampleFilter } from "./filter.js";
import type { TimeWindow } from "./plan.js";
import { RowBinaryReader } from "./rowbinary-reader.js";
import { queryBinary } from "./run-binary.js";
import type { ReadOptions, ReadTarget } from "./run.js";

export interface CoverageQuery extends ReadOptions {
  /** A filter over the coverage columns: every sample label but `thread`. */
  filter: SampleFilter;
  window: TimeWindow;
  /** Refuse when more replicates match. Default 5 000 000. */
  maxReplicates?: number;
}

export interface CoverageRows {
  length: number;
  host: string[];
  pid: Uint32Array;
  minute: Uint32Array;
  /** Process-seconds observed. */
  observedSeconds: Float64Array;
  /** Samples the windows held (every thread), and the same in seconds (÷ each window's rate; 0 when unknown). */
  samples: Float64Array;
  sampleSeconds: Float64Array;
  /** Distinct sampling rates of the replicate's windows, Hz (0: unknown). */
  rates: number[][];
}

export async function readCoverage(target: ReadTarget, q: CoverageQuery): Promise<CoverageRows> {
  const params: Record<string, unknown> = { ...q.filter.params, cs: Math.floor(q.window.startMs / 1000), ce: Math.ceil(q.window.endMs / 1000) };
  const sql = `SELECT toString(host), pid, m, sum(obs_ms) / 1000, sum(s), sum(sec), groupUniqArray(rate)
FROM (
  SELECT host, pid, toUInt32(intDiv(toUnixTimestamp(time), 60)) AS m, max(w) AS wms, max(e) AS ex, sum(s1) AS s, max(r) AS rate,
    toFloat64(if(ex > 0, wms * least(1, s / ex), wms)) AS obs_ms, toFloat64(if(rate > 0, s / rate, 0)) AS sec
  FROM (
    SELECT host, pid, time, any(window_ms) AS w, any(expected) AS e, any(samples) AS s1, any(rate_hz) AS r
    FROM ${target.db}.${processWindows.name}
    WHERE time >= toDateTime({cs:UInt32}) AND time < toDateTime({ce:UInt32}) AND (${q.filter.where})
    GROUP BY host, pid, time, batch, seq
  )
  GROUP BY host, pid, time
)
GROUP BY host, pid, m`;
  const buf = await queryBinary(target, sql, params, q, [`max_result_rows = ${String(q.maxReplicates ?? 5_000_000)}`, "result_overflow_mode = 'throw'"]);
  return parseCoverage(buf);
}

function parseCoverage(buf: Buffer): CoverageRows {
  const r = new RowBinaryReader(buf);
  const host: string[] = [];
  const pid: number[] = [];
  const minute: number[] = [];
  const observed: number[] = [];
  const samples: number[] = [];
  const seconds: number[] = [];
  const rates: number[][] = [];
  while (!r.done) {
    host.push(r.string());
    pid.push(r.u32());
    minute.push(r.u32());
    observed.push(r.f64());
    samples.push(r.u64());
    seconds.push(r.f64());
    const n = r.varint();
    const list: number[] = [];
    for (let i = 0; i < n; i++) list.push(r.u32());
    rates.push(list.sort((a, b) => a - b));
  }
  return {
    length: host.length,
    host,
    pid: Uint32Array.from(pid),
    minute: Uint32Array.from(minute),
    observedSeconds: Float64Array.from(observed),
    samples: Float64Array.from(samples),
    sampleSeconds: Float64Array.from(seconds),
    rates,
  };
}
