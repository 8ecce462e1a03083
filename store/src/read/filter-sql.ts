/**
 * Sample filters as SQL: parameterised only. Values, regexes and free label names become
 * `{name:Type}` query parameters; column names come from {@link LABEL_COLUMNS} alone, so no
 * text a user wrote is ever part of the SQL. Regexes are anchored like Prometheus
 * (`=~"1\\.5.*"` must match the whole value) and run through ClickHouse's RE2 `match()`.
 */
import { isLabelColumn, LABEL_COLUMNS, type LabelMatcher, type SampleFilter } from "./filter.js";

/**
 * The SQL expression reading one label as a String: the column for {@link LABEL_COLUMNS},
 * `labels[{param:String}]` for the rest (the label name itself is a parameter).
 */
export function labelExpression(name: string, param: string, params: Record<string, unknown>): string {
  if (isLabelColumn(name)) return LABEL_COLUMNS[name] === "String" ? name : `toString(${name})`;
  params[param] = name;
  return `labels[{${param}:String}]`;
}

/** A pid compared for (in)equality with a number: compared as the UInt32 column it is. */
function isPidNumber(m: LabelMatcher): boolean {
  return m.label === "pid" && (m.op === "=" || m.op === "!=") && /^\d{1,10}$/.test(m.value) && Number(m.value) <= 0xffffffff;
}

/** One matcher as SQL; its parameters (named `<p>v`, `<p>k`) go into `params`. */
function matcherSql(m: LabelMatcher, p: string, params: Record<string, unknown>): string {
  if (isPidNumber(m)) {
    params[`${p}v`] = Number(m.value);
    return `pid ${m.op} {${p}v:UInt32}`;
  }
  const column = labelExpression(m.label, `${p}k`, params);
  switch (m.op) {
    case "=":
    case "!=":
      params[`${p}v`] = m.value;
      return `${column} ${m.op} {${p}v:String}`;
    case "=~":
    case "!~":
      params[`${p}v`] = `^(?:${m.value})$`;
      return `${m.op === "!~" ? "NOT " : ""}match(${column}, {${p}v:String})`;
  }
}

/**
 * The filter's matchers as one SQL boolean expression (`1` for none), its parameters added to
 * `params`; `prefix` keeps the parameter names of several filters in one query apart.
 */
export function filterSql(filter: SampleFilter, params: Record<string, unknown>, prefix: string): string {
  const terms = filter.matchers.map((m, i) => matcherSql(m, `${prefix}${String(i)}`, params));
  return terms.length === 0 ? "1" : terms.join(" AND ");
}
