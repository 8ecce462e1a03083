/**
 * Samples per time step, optionally per value of one label. Steps are aligned to the epoch
 * (multiples of the step), and a rollup is read only when its bucket divides the step.
 *
 * Grouped series are bounded in SQL: a first query ranks the groups by total and counts them,
 * the second sums per step only the `limit` largest and folds every other group into one row
 * per step. A label with a million values costs one GROUP BY over it, never a million series
 * in memory.
 */
import type { SampleFilter } from "./filter.js";
import { includesCaptures } from "./filter.js";
import { labelExpression } from "./filter-sql.js";
import { partsSql, planRange, type PlanOptions, type TimeWindow } from "./plan.js";
import type { Source } from "./profile.js";
import { queryRows, type ReadOptions, type ReadTarget } from "./run.js";

export interface SeriesQuery extends ReadOptions, Omit<PlanOptions, "stepSeconds"> {
  filter: SampleFilter;
  window: TimeWindow;
  /** Step in whole seconds. */
  stepSeconds: number;
  /** Label to group by; undefined for one series. */
  groupBy?: string | undefined;
  /** Groups kept (the largest by total); the rest are folded. Default {@link DEFAULT_SERIES_GROUPS}. */
  limit?: number | undefined;
}

/** Groups a grouped series keeps unless the query says. */
export const DEFAULT_SERIES_GROUPS = 100;

export interface SeriesRow {
  /** Bucket start, unix seconds. */
  time: number;
  /** The label's value; "" for a folded row. */
  group: string;
  samples: number;
  /** The sum of every group beyond the limit. */
  folded: boolean;
}

export interface SeriesResult {
  rows: SeriesRow[];
  source: Source;
  /** Distinct groups in the range (1 without grouping). */
  groups: number;
  /** Groups folded into the folded rows. */
  foldedGroups: number;
}

export async function readSeries(target: ReadTarget, q: SeriesQuery): Promise<SeriesResult> {
  const grouped = q.groupBy !== undefined;
  const asksCaptures = q.groupBy === "capture_id";
  const filter: SampleFilter =
    grouped && (q.groupBy === "pid" || asksCaptures) ? { ...q.filter, rawOnly: true, captures: includesCaptures(q.filter) || asksCaptures } : q.filter;
  const plan = planRange(q.window, filter, { ...q, stepSeconds: q.stepSeconds });
  const params: Record<string, unknown> = { step: q.stepSeconds };
  const bucket = "intDiv(toUnixTimestamp(time), {step:UInt32}) * {step:UInt32}";
  const buckets = Math.ceil((q.window.endMs - q.window.startMs) / 1000 / q.stepSeconds) + 1;
  if (q.groupBy === undefined) {
    const parts = partsSql(target.db, plan, filter, "time, count", params);
    const rows = await queryRows<[number, string | number]>(target, `SELECT ${bucket} AS b, sum(count) FROM (${parts}) GROUP BY b ORDER BY b`, params, {
      ...q,
      maxRows: buckets,
    });
    return {
      rows: rows.map(([time, c]) => ({ time: Number(time), group: "", samples: Number(c), folded: false })),
      source: plan.source,
      groups: 1,
      foldedGroups: 0,
    };
  }
  const group = labelExpression(q.groupBy, "groupKey", params);
  const parts = partsSql(target.db, plan, filter, `time, count, ${group} AS g`, params);
  const limit = q.limit ?? DEFAULT_SERIES_GROUPS;
  const ranked = await queryRows<[string, string | number, string | number]>(
    target,
    `SELECT g, sum(count) AS total, count() OVER () FROM (${parts}) GROUP BY g ORDER BY total DESC, g LIMIT {limit:UInt32}`,
    { ...params, limit },
    { ...q, maxRows: limit },
  );
  const groups = Number(ranked[0]?.[2] ?? 0);
  if (groups === 0) return { rows: [], source: plan.source, groups: 0, foldedGroups: 0 };
  const sql = `SELECT ${bucket} AS b, g IN {keep:Array(String)} AS kept, if(kept, g, '') AS gg, sum(count)
FROM (${parts})
GROUP BY b, kept, gg
ORDER BY b, gg`;
  const rows = await queryRows<[number, number, string, string | number]>(
    target,
    sql,
    { ...params, keep: ranked.map(([g]) => g) },
    { ...q, maxRows: buckets * (ranked.length + 1) },
  );
  return {
    rows: rows.map(([time, kept, g, c]) => ({ time: Number(time), group: g, samples: Number(c), folded: Number(kept) === 0 })),
    source: plan.source,
    groups,
    foldedGroups: groups - ranked.length,
  };
}
