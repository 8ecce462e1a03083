/**
 * How the samples of each side of a diff were taken: their profile modes (from the samples,
 * rollups included) and their sampling rates (from window coverage; over 6 h and more from its
 * hourly sums, for the hours the range touches), in one query for all sides. A diff compares
 * like with like only.
 */
import { processWindows, processWindows1h } from "../schema/tables.js";
import { HOURLY_REPLICATES_FROM_MS } from "./replicates.js";
import type { SampleFilter } from "./filter.js";
import { filterSql } from "./filter-sql.js";
import { partsSql, planRange, type PlanOptions, type TimeWindow } from "./plan.js";
import { queryRows, type ReadOptions, type ReadTarget } from "./run.js";

export interface SamplingSide {
  filter: SampleFilter;
  /** The same side over the coverage columns (no `thread`). */
  coverageFilter: SampleFilter;
  window: TimeWindow;
}

export interface Sampling {
  /** Distinct modes, sorted. */
  modes: string[];
  /** Distinct known sampling rates, Hz, ascending. */
  rates: number[];
}

export async function readSampling(target: ReadTarget, sides: readonly SamplingSide[], options: ReadOptions & PlanOptions = {}): Promise<Sampling[]> {
  const params: Record<string, unknown> = {};
  const selects = sides.flatMap((side, i) => {
    const plan = planRange(side.window, side.filter, options);
    const parts = partsSql(target.db, plan, side.filter, "mode", params, `m${String(i)}p`);
    const s = `r${String(i)}s`;
    const e = `r${String(i)}e`;
    // long ranges: the hourly coverage sums, over the hours the range touches
    const hourly = side.window.endMs - side.window.startMs >= HOURLY_REPLICATES_FROM_MS;
    params[s] = hourly ? Math.floor(side.window.startMs / 3_600_000) * 3600 : Math.floor(side.window.startMs / 1000);
    params[e] = Math.ceil(side.window.endMs / 1000);
    const coverage = filterSql(side.coverageFilter, params, `r${String(i)}f`);
    return [
      `SELECT ${String(i)} AS side, 0 AS kind, toString(mode) AS v FROM (${parts}) GROUP BY v`,
      `SELECT ${String(i)} AS side, 1 AS kind, toString(rate_hz) AS v FROM ${target.db}.${hourly ? processWindows1h.name : processWindows.name}
WHERE time >= toDateTime({${s}:UInt32}) AND time < toDateTime({${e}:UInt32}) AND rate_hz > 0 AND (${coverage}) GROUP BY v`,
    ];
  });
  const rows = await queryRows<[number, number, string]>(
    target,
    `SELECT side, kind, v FROM (${selects.join("\nUNION ALL\n")}) ORDER BY side, kind, v LIMIT 1000`,
    params,
    options,
  );
  const out = sides.map((): Sampling => ({ modes: [], rates: [] }));
  for (const [side, kind, v] of rows) {
    const o = out[Number(side)] as Sampling;
    if (Number(kind) === 0) o.modes.push(v);
    else o.rates.push(Number(v));
  }
  for (const o of out) o.rates.sort((a, b) => a - b);
  return out;
}
