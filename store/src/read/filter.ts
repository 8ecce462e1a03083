/**
 * A filter over sample rows, as the query API hands it to the read SQL: a boolean SQL
 * expression over the columns of `samples` (and of the rollups, when `rawOnly` is false)
 * whose every value is a `{name:Type}` query parameter. Builders never splice values
 * into SQL text; column names come from {@link LABEL_COLUMNS} only.
 */
export interface SampleFilter {
  /** SQL boolean expression, `1` for "everything". */
  readonly where: string;
  /** Values of the `{name:Type}` placeholders in {@link where}. */
  readonly params: Readonly<Record<string, unknown>>;
  /** True when the filter reads a column only the raw table has (pid, capture_id). */
  readonly rawOnly: boolean;
  /**
   * True when the filter itself says which captures it wants (it names `capture_id`). Otherwise
   * samples of captures (ad-hoc, high-rate) stay out: the rollups never hold them, and raw reads
   * add `capture_id = ''` (see plan.ts `partsSql`).
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

export const MATCH_ALL: SampleFilter = { where: "1", params: {}, rawOnly: false, captures: false };

export function isLabelColumn(name: string): name is LabelColumn {
  return Object.hasOwn(LABEL_COLUMNS, name);
}

/**
 * The SQL expression reading one label as a String: the column for {@link LABEL_COLUMNS},
 * `labels[{param:String}]` for the rest (the label name itself is a parameter).
 */
export function labelExpression(name: string, param: string, params: Record<string, unknown>): string {
  if (isLabelColumn(name)) return LABEL_COLUMNS[name] === "String" ? name : `toString(${name})`;
  params[param] = name;
  return `labels[{${param}:String}]`;
}
