/** The versions of a service seen in a time range: when each was first and last seen. */
import type { SampleFilter } from "./filter.js";
import { partsSql, planRange, type PlanOptions, type TimeWindow } from "./plan.js";
import { queryRows, type ReadOptions, type ReadTarget } from "./run.js";

export interface VersionRow {
  version: string;
  /** Window start of the first and last matching sample (bucket start in the rollups), unix ms. */
  firstMs: number;
  lastMs: number;
  samples: number;
}

/** Most versions listed. */
const MAX_VERSIONS = 1000;

/** Versions of matching samples, by first appearance, newest first. */
export async function readVersions(target: ReadTarget, q: ReadOptions & PlanOptions & { filter: SampleFilter; window: TimeWindow }): Promise<VersionRow[]> {
  const plan = planRange(q.window, q.filter, q);
  const params: Record<string, unknown> = { maxVersions: MAX_VERSIONS };
  const parts = partsSql(target.db, plan, q.filter, "version, time, count", params);
  const rows = await queryRows<[string, number, number, string | number]>(
    target,
    `SELECT toString(version) AS v, toUnixTimestamp(min(time)) AS f, toUnixTimestamp(max(time)) AS l, sum(count)
FROM (${parts})
GROUP BY v
ORDER BY f DESC, l DESC, v DESC
LIMIT {maxVersions:UInt32}`,
    params,
    q,
  );
  return rows.map(([version, f, l, n]) => ({ version, firstMs: Number(f) * 1000, lastMs: Number(l) * 1000, samples: Number(n) }));
}
