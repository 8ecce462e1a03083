/**
 * Window coverage per replicate from `process_windows` — per (host, pid, minute), or per (host,
 * hour) where the replicate plan reads the per-hour rollup (see replicates.ts) — how many
 * process-seconds were observed, the samples the windows held, and their sampling rates. What
 * turns samples into seconds (÷ rate) and seconds into cores per process.
 *
 * One aggregation, no per-window deduplication: the writer covers a window once (write/
 * coverage.ts). Hours read the writer's hourly sums (`process_windows_1h`), minutes the rows. A window's observed time is its length scaled by how much of it py-spy
 * sampled, samples ÷ expected samples, at most 1 (expected unknown: the whole window); a
 * profile split across batch parts has a row per part, whose fractions add up to the window's.
 */
import { processWindows, processWindows1h } from "../schema/tables.js";
import type { SampleFilter } from "./filter.js";
import { filterSql } from "./filter-sql.js";
import type { Plan } from "./plan.js";
import { replicateColumns } from "./replicates.js";
import { RowBinaryReader } from "./rowbinary-reader.js";
import { queryBinary } from "./run-binary.js";
import type { ReadOptions, ReadTarget } from "./run.js";

export interface CoverageQuery extends ReadOptions {
  /** A filter over the coverage columns: every sample label but `thread`. */
  filter: SampleFilter;
  /** The replicate plan of the samples it goes with (replicates.ts). */
  plan: Plan;
  /** Refuse when more replicates match. Default 5 000 000. */
  maxReplicates?: number;
}

export interface CoverageRows {
  length: number;
  host: string[];
  pid: Uint32Array;
  /** Start of the replicate's minute or hour, unix seconds. */
  bucket: Uint32Array;
  /** Process-seconds observed. */
  observedSeconds: Float64Array;
  /** Samples the windows held (every thread), and the same in seconds (÷ each window's rate; 0 when unknown). */
  samples: Float64Array;
  sampleSeconds: Float64Array;
  /** Distinct sampling rates of the replicate's windows, Hz (0: unknown). */
  rates: number[][];
}

export async function readCoverage(target: ReadTarget, q: CoverageQuery): Promise<CoverageRows> {
  return (await readCoverages(target, [q], q))[0] as CoverageRows;
}

/**
 * The coverage of several sides (a diff's two) in one query: the rows come tagged with their
 * side. One query instead of one per side, which ClickHouse would each plan and run in turn.
 */
export async function readCoverages(target: ReadTarget, sides: readonly CoverageQuery[], options: ReadOptions): Promise<CoverageRows[]> {
  const params: Record<string, unknown> = {};
  const parts = sides.flatMap((q, side) => {
    const filter = filterSql(q.filter, params, side === 0 ? "wf" : `wf${String(side)}_`);
    return q.plan.parts.map((part, i) => {
      const s = side === 0 ? `w${String(i)}s` : `w${String(side)}_${String(i)}s`;
      const e = side === 0 ? `w${String(i)}e` : `w${String(side)}_${String(i)}e`;
      params[s] = part.start;
      params[e] = part.end;
      const c = replicateColumns(part);
      const where = `time >= toDateTime({${s}:UInt32}) AND time < toDateTime({${e}:UInt32}) AND (${filter})`;
      if (part.table === "samples_1h") {
        // hours: the writer's hourly sums (per rate, so samples ÷ rate stays exact)
        return `SELECT toUInt8(${String(side)}) AS side, host, ${c.pid} AS p, ${c.bucket} AS b, samples, rate_hz, observed_ms AS obs_ms, toFloat64(if(rate_hz > 0, samples / rate_hz, 0)) AS sec
    FROM ${target.db}.${processWindows1h.name}
    WHERE ${where}`;
      }
      return `SELECT toUInt8(${String(side)}) AS side, host, ${c.pid} AS p, ${c.bucket} AS b, samples, rate_hz,
      toFloat64(if(expected > 0, window_ms * least(1, samples / expected), window_ms)) AS obs_ms,
      toFloat64(if(rate_hz > 0, samples / rate_hz, 0)) AS sec
    FROM ${target.db}.${processWindows.name}
    WHERE ${where}`;
    });
  });
  const sql = `SELECT side, toString(host), p, b, sum(obs_ms) / 1000, sum(samples), sum(sec), groupUniqArray(rate_hz)
FROM (${parts.join("\n    UNION ALL\n    ")})
GROUP BY side, host, p, b`;
  const maxRows = sides.reduce((n, q) => n + (q.maxReplicates ?? 5_000_000), 0);
  // no LLVM compile of the aggregation (a stall in the query that triggers it, as in readStackProfile)
  const buf = await queryBinary(target, sql, params, options, [
    `max_result_rows = ${String(maxRows)}`,
    "result_overflow_mode = 'throw'",
    "compile_aggregate_expressions = 0",
  ]);
  return parseCoverage(buf, sides.length);
}

function parseCoverage(buf: Buffer, sides: number): CoverageRows[] {
  const r = new RowBinaryReader(buf);
  const cols = Array.from({ length: sides }, () => ({
    host: [] as string[],
    pid: [] as number[],
    bucket: [] as number[],
    observed: [] as number[],
    samples: [] as number[],
    seconds: [] as number[],
    rates: [] as number[][],
  }));
  while (!r.done) {
    const c = cols[r.u8()];
    if (c === undefined) throw new RangeError("coverage answer: a side out of range");
    c.host.push(r.string());
    c.pid.push(r.u32());
    c.bucket.push(r.u32());
    c.observed.push(r.f64());
    c.samples.push(r.u64());
    c.seconds.push(r.f64());
    const n = r.varint();
    const list: number[] = [];
    for (let i = 0; i < n; i++) list.push(r.u32());
    c.rates.push(list.sort((a, b) => a - b));
  }
  return cols.map((c) => ({
    length: c.host.length,
    host: c.host,
    pid: Uint32Array.from(c.pid),
    bucket: Uint32Array.from(c.bucket),
    observedSeconds: Float64Array.from(c.observed),
    samples: Float64Array.from(c.samples),
    sampleSeconds: Float64Array.from(c.seconds),
    rates: c.rates,
  }));
}
