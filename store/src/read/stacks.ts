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
import type { FrameInfo, StackProfile } from "./profile.js";
import { queryRows, type ReadOptions, type ReadTarget } from "./run.js";

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
  const parts = partsSql(target.db, plan, q.filter, "stack_id, count, time", params);
  const sql = `SELECT toString(stack_id), sum(count), toUnixTimestamp(min(time)), toUnixTimestamp(max(time))
FROM (${parts})
GROUP BY stack_id
LIMIT {maxStacks:UInt64}`;
  const rows = await queryRows<[string, string | number, number, number]>(target, sql, params, { ...q, maxRows: maxStacks + 1 });
  if (rows.length > maxStacks) {
    throw new FleetprofError(ErrorCode.ResourceExhausted, `more than ${String(maxStacks)} distinct stacks match: narrow the selector or the time range`);
  }
  const stackFrames = await readStacks(target, rows.map((r) => r[0]), q);
  const frameIndex = new Map<number, number>();
  const frameKeys: number[] = [];
  const profile: StackProfile = { frames: [], stacks: [], total: 0, firstMs: 0, lastMs: 0, source: plan.source };
  let first = Infinity;
  let last = 0;
  for (let r = 0; r < rows.length; r++) {
    const [, c, t0, t1] = rows[r] as [string, string | number, number, number];
    const count = Number(c);
    const keys = stackFrames[r] as number[];
    const frames = new Array<number>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as number;
      let f = frameIndex.get(k);
      if (f === undefined) {
        f = frameKeys.length;
        frameKeys.push(k);
        frameIndex.set(k, f);
      }
      frames[i] = f;
    }
    profile.stacks.push({ frames, count });
    profile.total += count;
    if (t0 < first) first = t0;
    if (t1 > last) last = t1;
  }
  if (profile.stacks.length > 0) {
    profile.firstMs = first * 1000;
    profile.lastMs = last * 1000;
  }
  profile.frames = await readFrames(target, frameKeys, q);
  return profile;
}

/** Frame keys of each stack id (decimal), in order; an unknown stack has none. */
export async function readStacks(target: ReadTarget, ids: readonly string[], options: ReadOptions = {}): Promise<number[][]> {
  const cache = dictionaryCache(target.client);
  const missing = ids.filter((id) => cache.stacks.get(id) === undefined);
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
  return ids.map((id) => fetched.get(id) ?? cache.stacks.get(id) ?? []);
}

/** Frames by frame key (id masked to 53 bits), in the order of `keys`; a missing frame reads as an unknown function. */
export async function readFrames(target: ReadTarget, keys: readonly number[], options: ReadOptions = {}): Promise<FrameInfo[]> {
  const cache = dictionaryCache(target.client);
  const missing = keys.filter((k) => cache.frames.get(k) === undefined);
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
  return keys.map((k) => fetched.get(k) ?? cache.frames.get(k) ?? { function: "", file: "", line: 0 });
}
