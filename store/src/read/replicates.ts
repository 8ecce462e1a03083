/**
 * Samples per replicate and stack: what diff statistics compare. A replicate is one process
 * over one minute — (host, pid, minute) — read from the raw table, for ranges under
 * {@link HOURLY_REPLICATES_FROM_MS}; longer ranges read what a flame graph reads, the per-hour
 * rollup, where a replicate is one host over one hour (the rollups have no pid), with the
 * unaligned edges from the per-minute rollup (host, minute) and the raw table. The answer is
 * RowBinary: one row per replicate with its stacks and counts as two arrays.
 *
 * The answer is columns (CSR): replicate `r` holds entries `start[r] .. start[r + 1]` of
 * `stack` (a dense index into `stacks`) and `count`; a stack may have several entries in one
 * replicate (one per thread and row), whose counts add up. Stacks and frames come through the same
 * dictionary cache as flame graphs.
 */
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import { u64String } from "../write/hash.js";
import type { SampleFilter } from "./filter.js";
import { partsSql, planRange, type Plan, type RangePart, type TimeWindow } from "./plan.js";
import type { FrameInfo } from "./profile.js";
import { RowBinaryReader } from "./rowbinary-reader.js";
import { queryBinary } from "./run-binary.js";
import type { ReadOptions, ReadTarget } from "./run.js";
import { readFrames, readStacks } from "./stacks.js";
import { U64Index } from "./u64-index.js";

/** Ranges at least this long read replicates per host and hour (from the per-hour rollup). */
export const HOURLY_REPLICATES_FROM_MS = 6 * 3_600_000;

/** Which tables answer a replicate read: raw under 6 h, the per-hour rollup (and per-minute edges) from 6 h. */
export function replicatePlan(window: TimeWindow, filter: SampleFilter): Plan {
  return planRange(window, filter, { minuteRollupFromMs: HOURLY_REPLICATES_FROM_MS, hourRollupFromMs: HOURLY_REPLICATES_FROM_MS });
}

/** What one replicate of a plan is: "host-hour" where it reads the per-hour rollup, "process-minute" otherwise. */
export function replicateUnit(plan: Plan): "process-minute" | "host-hour" {
  return plan.parts.some((p) => p.table === "samples_1h") ? "host-hour" : "process-minute";
}

/** A sample row's replicate in each table: pid (0 in the rollups) and bucket start (minute, or hour in the per-hour rollup). */
export function replicateColumns(part: RangePart): { pid: string; bucket: string } {
  const seconds = part.table === "samples_1h" ? 3600 : 60;
  return { pid: part.table === "samples" ? "pid" : "toUInt32(0)", bucket: `toUInt32(intDiv(toUnixTimestamp(time), ${String(seconds)}) * ${String(seconds)})` };
}

export interface ReplicateQuery extends ReadOptions {
  filter: SampleFilter;
  /** From {@link replicatePlan}. */
  plan: Plan;
  /** Refuse (RESOURCE_EXHAUSTED) when more distinct stacks match. Default 2 000 000. */
  maxStacks?: number;
  /** Refuse when more replicates match. Default 5 000 000. */
  maxReplicates?: number;
}

export interface ReplicateProfile {
  frames: FrameInfo[];
  /** Frame indexes (into `frames`) of each distinct stack, root first; empty when unknown. */
  stacks: number[][];
  /** Number of replicates. */
  length: number;
  host: string[];
  pid: Uint32Array;
  /** Start of the replicate's minute or hour, unix seconds. */
  bucket: Uint32Array;
  mode: string[];
  /** `length + 1` offsets into `stack` and `count`. */
  start: Uint32Array;
  stack: Uint32Array;
  count: Float64Array;
  /** Samples of each replicate. */
  samples: Float64Array;
  /** Samples in all. */
  total: number;
}

/** A typed array that doubles when full. */
class Column<T extends Uint32Array | Float64Array> {
  length = 0;
  constructor(public data: T) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new (this.data.constructor as new (n: number) => T)(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  done(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export async function readReplicates(target: ReadTarget, q: ReplicateQuery): Promise<ReplicateProfile> {
  const maxStacks = q.maxStacks ?? 2_000_000;
  const maxReplicates = q.maxReplicates ?? 5_000_000;
  const params: Record<string, unknown> = {};
  const parts = partsSql(
    target.db,
    q.plan,
    q.filter,
    (part) => {
      const c = replicateColumns(part);
      return `host, ${c.pid} AS p, ${c.bucket} AS b, mode, stack_id, count`;
    },
    params,
  );
  // one aggregation: a stack may come more than once in a replicate (threads, rows not yet
  // merged, windows of one minute), and the caller sums per function anyway
  const sql = `SELECT toString(host), p, b, toString(mode), groupArray(stack_id), groupArray(count)
FROM (${parts})
GROUP BY host, p, b, mode
ORDER BY host, p, b`;
  // no LLVM compile of the aggregation: a stall of tens of ms in the query that triggers it (as in readStackProfile)
  const buf = await queryBinary(target, sql, params, q, [
    `max_result_rows = ${String(maxReplicates)}`,
    "result_overflow_mode = 'throw'",
    "compile_aggregate_expressions = 0",
  ]);
  const parsed = parseReplicates(buf);
  if (parsed.index.size > maxStacks) {
    throw new FleetprofError(ErrorCode.ResourceExhausted, `more than ${String(maxStacks)} distinct stacks match: narrow the selector or the time range`);
  }
  const ids: string[] = new Array<string>(parsed.index.size);
  for (let s = 0; s < ids.length; s++) ids[s] = u64String(parsed.index.keys[s * 2] as number, parsed.index.keys[s * 2 + 1] as number);
  const stackKeys = await readStacks(target, ids, q);
  const { frameKeys, stacks } = indexFrames(stackKeys);
  const frames = await readFrames(target, frameKeys, q);
  const { index: _, ...rest } = parsed;
  return { ...rest, frames, stacks };
}

/** Frame keys of every stack → one frame list and each stack as indexes into it. */
function indexFrames(stackKeys: readonly number[][]): { frameKeys: number[]; stacks: number[][] } {
  const at = new Map<number, number>();
  const frameKeys: number[] = [];
  const stacks = stackKeys.map((keys) => {
    const out = new Array<number>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as number;
      let f = at.get(k);
      if (f === undefined) {
        f = frameKeys.length;
        frameKeys.push(k);
        at.set(k, f);
      }
      out[i] = f;
    }
    return out;
  });
  return { frameKeys, stacks };
}

type Parsed = Omit<ReplicateProfile, "frames" | "stacks"> & { index: U64Index };

/** Rows of (host, pid, bucket, mode, stack ids, counts) into columns. */
export function parseReplicates(buf: Buffer): Parsed {
  const r = new RowBinaryReader(buf);
  const index = new U64Index();
  const host: string[] = [];
  const mode: string[] = [];
  const pid = new Column(new Uint32Array(1024));
  const bucket = new Column(new Uint32Array(1024));
  const start = new Column(new Uint32Array(1024));
  const samples = new Column(new Float64Array(1024));
  const stack = new Column(new Uint32Array(1 << 14));
  const count = new Column(new Float64Array(1 << 14));
  let total = 0;
  start.push(0);
  while (!r.done) {
    host.push(r.string());
    pid.push(r.u32());
    bucket.push(r.u32());
    mode.push(r.string());
    const n = r.varint();
    for (let i = 0; i < n; i++) {
      stack.push(index.id(r.u64Hi(), r.u64Lo()));
      r.pos += 8;
    }
    if (r.varint() !== n) throw new FleetprofError(ErrorCode.Internal, "replicate answer: stacks and counts differ in length");
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const c = r.u64();
      count.push(c);
      sum += c;
    }
    samples.push(sum);
    total += sum;
    start.push(stack.length);
  }
  return {
    length: host.length,
    host,
    mode,
    pid: pid.done(),
    bucket: bucket.done(),
    start: start.done(),
    stack: stack.done(),
    count: count.done(),
    samples: samples.done(),
    total,
    index,
  };
}
