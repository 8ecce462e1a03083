/**
 * A filter over sample rows, as a value: Prometheus-style label matchers (regexes are RE2,
 * anchored like Prometheus) plus what the read should include. Other packages hand the store
 * this value; the store alone turns it into SQL (filter-sql.ts), every value a query parameter.
 */

/** `=` equal, `!=` not equal, `=~` matches the RE2 regex (whole value), `!~` does not match. */
export type MatchOp = "=" | "!=" | "=~" | "!~";

/** One condition on one label: a column of {@link LABEL_COLUMNS} or a key of the `labels` map. */
export interface LabelMatcher {
  readonly label: string;
  readonly op: MatchOp;
  readonly value: string;
}

export interface SampleFilter {
  /** Every matcher must hold; none selects everything. */
  readonly matchers: readonly LabelMatcher[];
  /** Read the raw table even when no matcher names a raw-only column (pid, capture_id). */
  readonly rawOnly?: boolean;
  /**
   * Include samples of captures (ad-hoc, high-rate) even when no matcher names `capture_id`.
   * Otherwise they stay out: the rollups never hold them, and raw reads add `capture_id = ''`
   * (see plan.ts `partsSql`).
   */
  readonly captures?: boolean;
}

/** Label names that are columns, with their ClickHouse type; other labels live in the `labels` map. */
export const LABEL_COLUMNS = {
  service: "String",
  version: "String",
  host: "String",
  pid: "UInt32",
  thread: "String",
  mode: "String",
  capture_id: "String",
} as const;

export type LabelColumn = keyof typeof LABEL_COLUMNS;

/** Columns the rollup tables do not have: filters on them read raw samples. */
export const RAW_ONLY_COLUMNS: ReadonlySet<string> = new Set(["pid", "capture_id"]);

/** Selects every sample (captures left out). */
export const MATCH_ALL: SampleFilter = { matchers: [] };

export function isLabelColumn(name: string): name is LabelColumn {
  return Object.hasOwn(LABEL_COLUMNS, name);
}

/** Whether the filter reads a column only the raw table has, or asks for the raw table. */
export function readsRawOnly(filter: SampleFilter): boolean {
  return filter.rawOnly === true || filter.matchers.some((m) => RAW_ONLY_COLUMNS.has(m.label));
}

/** Whether the filter says which captures it wants (it names `capture_id`) or asks for them all. */
export function includesCaptures(filter: SampleFilter): boolean {
  return filter.captures === true || filter.matchers.some((m) => m.label === "capture_id");
}
