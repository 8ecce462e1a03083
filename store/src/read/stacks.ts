/**
 * "Every matching sample, merged by stack": the one query behind flame graphs, diffs, top
 * functions and exports.
 *
 * 1. Samples are summed per stack id first (the same GROUP BY as a bare aggregation), then
 *    joined to the stack dictionary, so duplicate dictionary rows (a ReplacingMergeTree before
 *    its merge) can never multiply a count: the dictionary side is deduplicated by id here.
 * 2. The frames those stacks use are fetched by id, in chunks, and deduplicated the same way.
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

export async function readStackProfile(target: ReadTarget, q: StackQuery): Promise<StackProfile> {
  const plan = planRange(q.window, q.filter, q);
  const maxStacks = q.maxStacks ?? 2_000_000;
  const params: Record<string, unknown> = { maxStacks: maxStacks + 1 };
  const parts = partsSql(target.db, plan, q.filter, "stack_id, count, time", params);
  const sql = `SELECT toString(a.stack_id), a.c, toUnixTimestamp(a.t0), toUnixTimestamp(a.t1), arrayMap(x -> toString(x), s.frame_ids)
FROM ${target.db}.stacks AS s
RIGHT JOIN (
  SELECT stack_id, sum(count) AS c, min(time) AS t0, max(time) AS t1
  FROM (${parts})
  GROUP BY stack_id
  LIMIT {maxStacks:UInt64}
) AS a ON s.stack_id = a.stack_id`;
  const rows = await queryRows<[string, string | number, number, number, string[]]>(target, sql, params, q);
  const seen = new Set<string>();
  const frameIndex = new Map<string, number>();
  const frameIds: string[] = [];
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

/** Frames by id, in the order of `ids`; a missing frame reads as an unknown function. */
export async function readFrames(target: ReadTarget, ids: readonly string[], options: ReadOptions = {}): Promise<FrameInfo[]> {
  const byId = new Map<string, FrameInfo>();
  for (let i = 0; i < ids.length; i += FRAME_CHUNK) {
    const chunk = ids.slice(i, i + FRAME_CHUNK).map((id) => BigInt(id));
    const rows = await queryRows<[string, string, string, number]>(
      target,
      `SELECT toString(frame_id), function, file, line FROM ${target.db}.frames WHERE frame_id IN {ids:Array(UInt64)}`,
      { ids: chunk },
      options,
    );
    for (const [id, fn, file, line] of rows) if (!byId.has(id)) byId.set(id, { function: fn, file, line: Number(line) });
  }
  return ids.map((id) => byId.get(id) ?? { function: "", file: "", line: 0 });
}
