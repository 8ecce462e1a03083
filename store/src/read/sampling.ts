/**
 * How matching samples were taken: their profile modes (from the samples, rollups included)
 * and their sampling rates (from window coverage). A diff compares like with like only.
 */
import { processWindows } from "../schema/tables.js";
import type { SampleFilter } from "./filter.js";
import { partsSql, planRange, type PlanOptions, type TimeWindow } from "./plan.js";
import { queryRows, type ReadOptions, type ReadTarget } from "./run.js";

export interface SamplingQuery extends ReadOptions, PlanOptions {
  filter: SampleFilter;
  window: TimeWindow;
}

/** Distinct modes of matching samples, sorted. */
export async function readModes(target: ReadTarget, q: SamplingQuery): Promise<string[]> {
  const plan = planRange(q.window, q.filter, q);
  const params: Record<string, unknown> = {};
  const parts = partsSql(target.db, plan, q.filter, "mode", params);
  const rows = await queryRows<[string]>(target, `SELECT DISTINCT toString(mode) AS m FROM (${parts}) ORDER BY m LIMIT 16`, params, q);
  return rows.map(([m]) => m);
}

/** Distinct known sampling rates (Hz) of matching windows, ascending; `filter` must not name `thread`. */
export async function readRates(target: ReadTarget, q: Omit<SamplingQuery, keyof PlanOptions>): Promise<number[]> {
  const params: Record<string, unknown> = { ...q.filter.params, cs: Math.floor(q.window.startMs / 1000), ce: Math.ceil(q.window.endMs / 1000) };
  const rows = await queryRows<[number]>(
    target,
    `SELECT DISTINCT rate_hz FROM ${target.db}.${processWindows.name}
WHERE time >= toDateTime({cs:UInt32}) AND time < toDateTime({ce:UInt32}) AND rate_hz > 0 AND (${q.filter.where})
ORDER BY rate_hz LIMIT 64`,
    params,
    q,
  );
  return rows.map(([r]) => Number(r));
}
