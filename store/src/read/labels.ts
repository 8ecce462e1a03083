/** Discovery: services, label names and label values seen in a time range. */
import { includesCaptures, LABEL_COLUMNS, MATCH_ALL, type SampleFilter } from "./filter.js";
import { labelExpression } from "./filter-sql.js";
import { partsSql, planRange, type PlanOptions, type TimeWindow } from "./plan.js";
import { queryRows, type ReadOptions, type ReadTarget } from "./run.js";

export interface ServiceRow {
  name: string;
  versions: string[];
  samples: number;
  hosts: number;
}

/** Most versions listed per service. */
const MAX_VERSIONS = 100;
/** Most services, or label names, listed. */
const MAX_NAMES = 1000;

export async function readServices(target: ReadTarget, window: TimeWindow, options: ReadOptions & PlanOptions = {}): Promise<ServiceRow[]> {
  const plan = planRange(window, MATCH_ALL, options);
  const params: Record<string, unknown> = { maxNames: MAX_NAMES };
  const parts = partsSql(target.db, plan, MATCH_ALL, "service, version, host, count", params);
  const rows = await queryRows<[string, string[], string | number, string | number]>(
    target,
    `SELECT service, arraySort(groupUniqArray(${String(MAX_VERSIONS)})(version)), sum(count), uniqExact(host)
FROM (${parts})
GROUP BY service
ORDER BY service
LIMIT {maxNames:UInt32}`,
    params,
    options,
  );
  return rows.map(([name, versions, samples, hosts]) => ({ name, versions, samples: Number(samples), hosts: Number(hosts) }));
}

export interface LabelQuery extends ReadOptions, PlanOptions {
  filter: SampleFilter;
  window: TimeWindow;
}

/** Column label names (always) and the free label names present on matching samples, sorted. */
export async function readLabelNames(target: ReadTarget, q: LabelQuery): Promise<string[]> {
  const plan = planRange(q.window, q.filter, q);
  const params: Record<string, unknown> = { maxNames: MAX_NAMES };
  const parts = partsSql(target.db, plan, q.filter, "labels", params);
  const rows = await queryRows<[string]>(
    target,
    `SELECT DISTINCT arrayJoin(mapKeys(labels)) AS k FROM (${parts}) ORDER BY k LIMIT {maxNames:UInt32}`,
    params,
    q,
  );
  const names = new Set<string>(Object.keys(LABEL_COLUMNS));
  for (const [k] of rows) names.add(k);
  return [...names].sort();
}

/** Up to `limit` distinct values of one label on matching samples, sorted; `truncated` when more exist. */
export async function readLabelValues(target: ReadTarget, q: LabelQuery & { name: string; limit: number }): Promise<{ values: string[]; truncated: boolean }> {
  // Listing capture ids asks for captures.
  const filter: SampleFilter =
    q.name === "pid" || q.name === "capture_id" ? { ...q.filter, rawOnly: true, captures: includesCaptures(q.filter) || q.name === "capture_id" } : q.filter;
  const plan = planRange(q.window, filter, q);
  const params: Record<string, unknown> = { limit: q.limit + 1 };
  const expr = labelExpression(q.name, "labelName", params);
  const parts = partsSql(target.db, plan, filter, `${expr} AS v`, params);
  const rows = await queryRows<[string]>(target, `SELECT DISTINCT v FROM (${parts}) WHERE v != '' ORDER BY v LIMIT {limit:UInt32}`, params, q);
  const values = rows.map(([v]) => v);
  const truncated = values.length > q.limit;
  return { values: truncated ? values.slice(0, q.limit) : values, truncated };
}
