/**
 * "Every matching sample, merged by stack": the one query behind flame graphs, diffs, top
 * functions and exports.
 *
 * 1. Samples are summed per stack id: exactly the bare `GROUP BY stack_id` (plus the first and
 *    last sample time), nothing joined.
 * 2. Stacks not in the dictionary cache are looked up by id (the stacks table's primary key),
 *    then frames not in the cache by id. Duplicate dictionary rows (a ReplacingMergeTree before
 *    its merge) are dropped by id, so a count is never multiplied. Both dictionaries are
 *    content-addressed, so the cache is always right (see dictionary-cache.ts).
 *
 * Frame ids travel as their low 53 bits ({@link FRAME_KEY_MASK}): plain JSON numbers, exact in
 * JavaScript, so hundreds of thousands of frame references parse without a string each. Two
 * frames of one answer sharing 53 low bits (odds ~n²/2⁵⁴, about 1 in 50 million for 20 000
 * frames) would show under one name.
 */
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import { dictionaryCache } from "./dictionary-cache.js";
import type { SampleFilter } from "./filter.js";
import { partsSql, planRange, type PlanOptions, type TimeWindow } from "./plan.js";
import type { FrameInfo, StackCount, StackProfile } from "./profile.js";
import { RowBinaryReader } from "./rowbinary-reader.js";
import { queryBinary } from "./run-binary.js";
import { DEFAULT_QUERY_MEMORY, queryRows, type ReadOptions, type ReadTarget } from "./run.js";

export interface StackQuery extends ReadOptions, PlanOptions {
  filter: SampleFilter;
  window: TimeWindow;
  /** Refuse (RESOURCE_EXHAUSTED) when more distinct stacks match. Default 2 000 000. */
  maxStacks?: number;
}

/** Ids per dictionary query (keeps query parameters well under HTTP URL limits). */
const ID_CHUNK = 20_000;
/** 2⁵³ − 1: the part of a 64-bit frame id that a JavaScript number holds exactly. */
export const FRAME_KEY_MASK = "9007199254740991";

export async function readStackProfile(target: ReadTarget, q: StackQuery): Promise<StackProfile> {
  const plan = planRange(q.window, q.filter, q);
  const maxStacks = q.maxStacks ?? 2_000_000;
  const params: Record<string, unknown> = { maxStacks: maxStacks + 1 };
  const select = "toString(stack_id), sum(count), toUnixTimestamp(min(time)), toUnixTimestamp(max(time))";
  // a plan of one table (a minute-aligned range under 6 h, a short range): aggregated where it is
  // read, without a subquery for ClickHouse to plan around
  const from =
    plan.parts.length === 1
      ? partsSql(target.db, plan, q.filter, select, params)
      : `SELECT ${select}\nFROM (${partsSql(target.db, plan, q.filter, "stack_id, count, time", params)})`;
  const sql = `${from}
GROUP BY stack_id
LIMIT {maxStacks:UInt64}`;
  // RowBinary: the ids come as strings and the sums as integers without a JSON parse or a row array each
  const buf = await queryBinary(target, sql, params, q, [
    `max_memory_usage = ${String(Math.floor(q.maxMemoryBytes ?? DEFAULT_QUERY_MEMORY))}`,
    `max_result_rows = ${String(maxStacks + 1)}`,
    "result_overflow_mode = 'throw'",
    // ClickHouse compiles an aggregation with LLVM once it has seen it three times: a 20–30 ms
    // stall in that query, for no gain on these reads (as fast or faster interpreted)
    "compile_aggregate_expressions = 0",
  ]);
  const ids: string[] = [];
  const counts: number[] = [];
  let first = Infinity;
  let last = 0;
  for (const r = new RowBinaryReader(buf); !r.done;) {
    ids.push(r.string());
    counts.push(r.u64());
    const t0 = r.u32();
    const t1 = r.u32();
    if (t0 < first) first = t0;
    if (t1 > last) last = t1;
  }
  if (ids.length > maxStacks) {
    throw new FleetprofError(ErrorCode.ResourceExhausted, `more than ${String(maxStacks)} distinct stacks match: narrow the selector or the time range`);
  }
  const stackFrames = await readStacks(target, ids, q);
  const index = new FrameKeyIndex();
  const profile: StackProfile = { frames: [], stacks: new Array<StackCount>(ids.length), total: 0, firstMs: 0, lastMs: 0, source: plan.source };
  for (let r = 0; r < ids.length; r++) {
    const count = counts[r] as number;
    const keys = stackFrames[r] as number[];
    const frames = new Array<number>(keys.length);
    for (let i = 0; i < keys.length; i++) frames[i] = index.id(keys[i] as number);
    profile.stacks[r] = { frames, count };
    profile.total += count;
  }
  if (ids.length > 0) {
    profile.firstMs = first * 1000;
    profile.lastMs = last * 1000;
  }
  profile.frames = await readFrames(target, index.keys, q);
  return profile;
}

/**
 * Dense indexes of frame keys (integers below 2⁵³) in first-seen order: open addressing over a
 * Float64Array, several times faster than a Map of numbers for the tens of thousands of frame
 * references of a profile.
 */
class FrameKeyIndex {
  readonly keys: number[] = [];
  #key = new Float64Array(1024);
  /** index + 1 per slot; 0 = empty. */
  #slot = new Int32Array(1024);

  id(k: number): number {
    let mask = this.#slot.length - 1;
    let i = slotOf(k, mask);
    for (;;) {
      const s = this.#slot[i] as number;
      if (s === 0) break;
      if (this.#key[i] === k) return s - 1;
      i = (i + 1) & mask;
    }
    const id = this.keys.length;
    this.keys.push(k);
    if ((id + 1) * 2 > this.#slot.length) {
      this.#grow();
      mask = this.#slot.length - 1;
      i = slotOf(k, mask);
      while (this.#slot[i] !== 0) i = (i + 1) & mask;
    }
    this.#slot[i] = id + 1;
    this.#key[i] = k;
    return id;
  }

  #grow(): void {
    const n = this.#slot.length * 2;
    this.#slot = new Int32Array(n);
    this.#key = new Float64Array(n);
    const mask = n - 1;
    // every key but the newest (the caller places it)
    for (let id = 0; id < this.keys.length - 1; id++) {
      const k = this.keys[id] as number;
      let i = slotOf(k, mask);
      while (this.#slot[i] !== 0) i = (i + 1) & mask;
      this.#slot[i] = id + 1;
      this.#key[i] = k;
    }
  }
}

/** A slot for a frame key: its low and high 32-bit halves mixed. */
function slotOf(k: number, mask: number): number {
  return (Math.imul((k >>> 0) ^ ((k / 4294967296) | 0), 0x9e3779b1) >>> 0) & mask;
}

/** Frame keys of each stack id (decimal), in order; an unknown stack has none. */
export async function readStacks(target: ReadTarget, ids: readonly string[], options: ReadOptions = {}): Promise<number[][]> {
  const cache = dictionaryCache(target.client);
  // one cache lookup per id: what is cached now (fetching may evict it), and what is missing
  const out = new Array<number[] | undefined>(ids.length);
  const missing: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string;
    const hit = cache.stacks.get(id);
    if (hit === undefined) missing.push(id);
    else out[i] = hit;
  }
  if (missing.length === 0) return out as number[][];
  const fetched = new Map<string, number[]>();
  for (let i = 0; i < missing.length; i += ID_CHUNK) {
    const chunk = missing.slice(i, i + ID_CHUNK).map((id) => BigInt(id));
    const rows = await queryRows<[string, number[]]>(
      target,
      `SELECT toString(stack_id), arrayMap(x -> bitAnd(x, ${FRAME_KEY_MASK}), frame_ids) FROM ${target.db}.stacks WHERE stack_id IN {ids:Array(UInt64)}`,
      { ids: chunk },
      options,
    );
    for (const [id, keys] of rows) {
      if (fetched.has(id)) continue;
      fetched.set(id, keys);
      cache.stacks.set(id, keys);
    }
  }
  for (let i = 0; i < ids.length; i++) out[i] ??= fetched.get(ids[i] as string) ?? [];
  return out as number[][];
}

/** Frames by frame key (id masked to 53 bits), in the order of `keys`; a missing frame reads as an unknown function. */
export async function readFrames(target: ReadTarget, keys: readonly number[], options: ReadOptions = {}): Promise<FrameInfo[]> {
  const cache = dictionaryCache(target.client);
  const out = new Array<FrameInfo | undefined>(keys.length);
  const missing: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as number;
    const hit = cache.frames.get(k);
    if (hit === undefined) missing.push(k);
    else out[i] = hit;
  }
  if (missing.length === 0) return out as FrameInfo[];
  const fetched = new Map<number, FrameInfo>();
  for (let i = 0; i < missing.length; i += ID_CHUNK) {
    const chunk = missing.slice(i, i + ID_CHUNK);
    const rows = await queryRows<[number, string, string, number]>(
      target,
      `SELECT bitAnd(frame_id, ${FRAME_KEY_MASK}) AS k, function, file, line FROM ${target.db}.frames WHERE k IN {ids:Array(UInt64)}`,
      { ids: chunk },
      options,
    );
    for (const [k, fn, file, line] of rows) {
      if (fetched.has(k)) continue;
      const frame = { function: fn, file, line: Number(line) };
      fetched.set(k, frame);
      cache.frames.set(k, frame);
    }
  }
  for (let i = 0; i < keys.length; i++) out[i] ??= fetched.get(keys[i] as number) ?? { function: "", file: "", line: 0 };
  return out as FrameInfo[];
}
