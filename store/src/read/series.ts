/**
 * Samples per time step, optionally per value of one label. Steps are aligned to the epoch
 * (multiples of the step), and a rollup is read only when its bucket divides the step.
 */
import type { SampleFilter } from "./filter.js";
import { labelExpression } from "./filter.js";
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
}

export interface SeriesRow {
  /** Bucket start, unix seconds. */
  time: number;
  group: string;
  samples: number;
}

export async function readSeries(target: ReadTarget, q: SeriesQuery): Promise<{ rows: SeriesRow[]; source: Source }> {
  const filter: SampleFilter = q.groupBy !== undefined && (q.groupBy === "pid" || q.groupBy === "capture_id") ? { ...q.filter, rawOnly: true } : q.filter;
  const plan = planRange(q.window, filter, { ...q, stepSeconds: q.stepSeconds });
  const params: Record<string, unknown> = { step: q.stepSeconds };
  const group = q.groupBy === undefined ? "''" : labelExpression(q.groupBy, "groupKey", params);
  const parts = partsSql(target.db, plan, filter, `time, count, ${group} AS g`, params);
  const sql = `SELECT intDiv(toUnixTimestamp(time), {step:UInt32}) * {step:UInt32} AS b, g, sum(count)
FROM (${parts})
GROUP BY b, g
ORDER BY b, g`;
  const rows = await queryRows<[number, string, string | number]>(target, sql, params, q);
  return { rows: rows.map(([time, g, c]) => ({ time: Number(time), group: g, samples: Number(c) })), source: plan.source };
}
