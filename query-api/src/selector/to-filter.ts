/**
 * Compiles parsed matchers into a {@link SampleFilter}: parameterised SQL only. Regex matchers
 * are anchored like Prometheus (`=~"1\\.5.*"` must match the whole value) and run through
 * ClickHouse's RE2 `match()`. Label names become parameters too (`labels[{p:String}]`).
 * A selector naming `capture_id` says which captures it wants; any other leaves captures out.
 */
import { labelExpression, RAW_ONLY_COLUMNS, type SampleFilter } from "@fleetprof/store";
import { parseSelector, type Matcher } from "./parse.js";

/** Compiles matchers; `prefix` keeps parameter names of two filters in one query apart. */
export function matchersToFilter(matchers: readonly Matcher[], prefix = "s"): SampleFilter {
  const params: Record<string, unknown> = {};
  const terms: string[] = [];
  let rawOnly = false;
  matchers.forEach((m, i) => {
    const p = `${prefix}${String(i)}`;
    if (RAW_ONLY_COLUMNS.has(m.label)) rawOnly = true;
    if (m.label === "pid" && (m.op === "=" || m.op === "!=") && /^\d{1,10}$/.test(m.value) && Number(m.value) <= 0xffffffff) {
      params[`${p}v`] = Number(m.value);
      terms.push(`pid ${m.op} {${p}v:UInt32}`);
      return;
    }
    const column = labelExpression(m.label, `${p}k`, params);
    switch (m.op) {
      case "=":
      case "!=":
        params[`${p}v`] = m.value;
        terms.push(`${column} ${m.op} {${p}v:String}`);
        break;
      case "=~":
      case "!~":
        params[`${p}v`] = `^(?:${m.value})$`;
        terms.push(`${m.op === "!~" ? "NOT " : ""}match(${column}, {${p}v:String})`);
        break;
    }
  });
  const captures = matchers.some((m) => m.label === "capture_id");
  return { where: terms.length === 0 ? "1" : terms.join(" AND "), params, rawOnly, captures };
}

/** Parses and compiles a selector in one step. */
export function selectorToFilter(selector: string, prefix = "s"): SampleFilter {
  return matchersToFilter(parseSelector(selector), prefix);
}
