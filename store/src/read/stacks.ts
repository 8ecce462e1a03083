/**
 * "Every matching sample, merged by stack": the one query behind flame graphs, diffs, top
 * functions and exports.
 *
 * 1. Samples are summed per stack id first (the same GROUP BY as a bare aggregation), then
 *    joined to the stack dictionary, so duplicate dictionary rows (a ReplacingMergeTree before
 *    its merge) can never multiply a count: the dictionary side is deduplicated by id here.
 * 2. The frames those stacks use are fetched by id, in chunks, and deduplicated the same way.
 *
 * Frame ids travel as their low 53 bits ({@link FRAME_KEY_MASK}): plain JSON numbers, exact in
 * JavaScript, so hundreds of thousands of frame references parse without a string each. Two
 * frames of one answer sharing 53 low bits (odds ~n²/2⁵⁴, about 1 in 50 million for 20 000
 * frames) would show under one name.
 */
import { ErrorCode, FleetprofError } from "@fleetprof/common";
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

/** Frame ids per frames query (keeps query parameters well under HTTP URL limits). */
const FRAME_CHUNK = 20_000;
/** 2⁵³ − 1: the part of a 64-bit frame id that a JavaScript number holds exactly. */
export const FRAME_KEY_MASK = "9007199254740991";

export async function readStackProfile(target: ReadTarget, q: StackQuery): Promise<StackProfile> {
  const plan = planRange(q.window, q.filter, q);
  const maxStacks = q.maxStacks ?? 2_000_000;
  const params: Record<string, unknown> = { maxStacks: maxStacks + 1 };
  const parts = partsSql(target.db, plan, q.filter, "stack_id, count, time", params);
  const sql = `SELECT toString(a.stack_id), a.c, toUnixTimestamp(a.t0), toUnixTimestamp(a.t1), arrayMap(x -> bitAnd(x, ${FRAME_KEY_MASK}), s.frame_ids)
FROM ${target.db}.stacks AS s
RIGHT JOIN (
  SELECT stack_id, sum(count) AS c, min(time) AS t0, max(time) AS t1
  FROM (${parts})
  GROUP BY stack_id
  LIMIT {maxStacks:UInt64}
) AS a ON s.stack_id = a.stack_id`;
  const rows = await queryRows<[string, string | number, number, number, number[]]>(target, sql, params, q);
  const seen = new Set<string>();
  const frameIndex = new Map<number, number>();
  const frameIds: number[] = [];
  const profile: StackProfile = { frames: [], stacks: [], total: 0, firstMs: 0, lastMs: 0, source: plan.source };
  let first = Infinity;
  let last = 0;
  for (const [id, c, t0, t1, ids] of rows) {
    if (seen.has(id)) continue;
    seen.add(id);
    if (seen.size > maxStacks) {
      throw new FleetprofError(ErrorCode.ResourceExhausted, `more than ${String(maxStacks)} distinct stacks match: narrow the selector or the time range`);
    }
    const count = Number(c);
    const frames = ids.map((f) => {
      let i = frameIndex.get(f);
      if (i === undefined) {
        i = frameIds.length;
        frameIds.push(f);
        frameIndex.set(f, i);
      }
      return i;
    });
    profile.stacks.push({ frames, count });
    profile.total += count;
    if (t0 < first) first = t0;
    if (t1 > last) last = t1;
  }
  if (profile.stacks.length > 0) {
    profile.firstMs = first * 1000;
    profile.lastMs = last * 1000;
  }
  profile.frames = await readFrames(target, frameIds, q);
  return profile;
}

/** Frames by frame key (id masked to 53 bits), in the order of `keys`; a missing frame reads as an unknown function. */
export async function readFrames(target: ReadTarget, keys: readonly number[], options: ReadOptions = {}): Promise<FrameInfo[]> {
  const byId = new Map<number, FrameInfo>();
  for (let i = 0; i < keys.length; i += FRAME_CHUNK) {
    const chunk = keys.slice(i, i + FRAME_CHUNK);
    const rows = await queryRows<[number, string, string, number]>(
      target,
      `SELECT bitAnd(frame_id, ${FRAME_KEY_MASK}) AS k, function, file, line FROM ${target.db}.frames WHERE k IN {ids:Array(UInt64)}`,
      { ids: chunk },
      options,
    );
    for (const [id, fn, file, line] of rows) if (!byId.has(id)) byId.set(id, { function: fn, file, line: Number(line) });
  }
  return keys.map((id) => byId.get(id) ?? { function: "", file: "", line: 0 });
}
