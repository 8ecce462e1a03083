/**
 * Which tables answer a time range. Long ranges read the rollups, and the answer stays exactly
 * what the raw samples give: the range is split into an hour-aligned middle read from
 * `samples_1h`, minute-aligned pieces read from `samples_1m`, and the unaligned edges (under a
 * minute each) read from `samples`. Each rollup row's bucket lies wholly inside its piece, so
 * every sample is counted once.
 */
import { includesCaptures, readsRawOnly, type SampleFilter } from "./filter.js";
import { filterSql } from "./filter-sql.js";
import type { Source } from "./profile.js";

export interface TimeWindow {
  /** Unix milliseconds, [startMs, endMs). */
  startMs: number;
  endMs: number;
}

export interface RangePart {
  table: "samples" | "samples_1m" | "samples_1h";
  /** Unix seconds, [start, end). */
  start: number;
  end: number;
}

export interface Plan {
  parts: RangePart[];
  /** The table covering most of the range. */
  source: Source;
}

export interface PlanOptions {
  /** `raw` forces the raw table (tests, benchmark floors). Default `auto`. */
  source?: "auto" | "raw";
  /** Ranges at least this long read the per-minute rollup. Default 1 h. */
  minuteRollupFromMs?: number;
  /** Ranges at least this long read the per-hour rollup. Default 6 h. */
  hourRollupFromMs?: number;
  /**
   * Buckets of a time series: a rollup is used only when its granularity divides the step
   * (seconds), so no rollup row straddles two steps.
   */
  stepSeconds?: number;
}

const SOURCE_OF: Record<RangePart["table"], Source> = { samples: "raw", samples_1m: "rollup_1m", samples_1h: "rollup_1h" };

/** Splits a window over the raw table and the rollups. */
export function planRange(window: TimeWindow, filter: SampleFilter, options: PlanOptions = {}): Plan {
  const start = Math.floor(window.startMs / 1000);
  const end = Math.max(start, Math.ceil(window.endMs / 1000));
  const length = (end - start) * 1000;
  const step = options.stepSeconds;
  const useMinute =
    options.source !== "raw" && !readsRawOnly(filter) && length >= (options.minuteRollupFromMs ?? 3_600_000) && (step === undefined || step % 60 === 0);
  const useHour = useMinute && length >= (options.hourRollupFromMs ?? 6 * 3_600_000) && (step === undefined || step % 3600 === 0);
  if (!useMinute) return { parts: [{ table: "samples", start, end }], source: "raw" };
  const parts: RangePart[] = [];
  const add = (table: RangePart["table"], s: number, e: number): void => {
    if (e > s) parts.push({ table, start: s, end: e });
  };
  const m0 = Math.ceil(start / 60) * 60;
  const m1 = Math.floor(end / 60) * 60;
  if (m1 <= m0) return { parts: [{ table: "samples", start, end }], source: "raw" };
  add("samples", start, m0);
  if (useHour) {
    const h0 = Math.ceil(start / 3600) * 3600;
    const h1 = Math.floor(end / 3600) * 3600;
    if (h1 > h0) {
      add("samples_1m", m0, h0);
      add("samples_1h", h0, h1);
      add("samples_1m", h1, m1);
    } else {
      add("samples_1m", m0, m1);
    }
  } else {
    add("samples_1m", m0, m1);
  }
  add("samples", m1, end);
  let best = parts[0] as RangePart;
  for (const p of parts) if (p.end - p.start > best.end - best.start) best = p;
  return { parts, source: SOURCE_OF[best.table] };
}

/**
 * `SELECT <columns> FROM` every part, `UNION ALL`ed, each restricted to its time piece and the
 * filter; `columns` may depend on the part's table. Adds the time parameters to `params`
 * and the filter's parameters to `params` (prefixed, so two plans fit in one query). Raw parts
 * leave capture samples out unless the filter asks for captures (the rollups never hold them).
 */
export function partsSql(
  db: string,
  plan: Plan,
  filter: SampleFilter,
  columns: string | ((part: RangePart) => string),
  params: Record<string, unknown>,
  prefix = "t",
): string {
  const where = filterSql(filter, params, `${prefix}f`);
  const captures = includesCaptures(filter) ? "" : " AND capture_id = ''";
  return plan.parts
    .map((p, i) => {
      const s = `${prefix}${String(i)}s`;
      const e = `${prefix}${String(i)}e`;
      params[s] = p.start;
      params[e] = p.end;
      return `SELECT ${typeof columns === "string" ? columns : columns(p)} FROM ${db}.${p.table} WHERE time >= toDateTime({${s}:UInt32}) AND time < toDateTime({${e}:UInt32}) AND (${where})${p.table === "samples" ? captures : ""}`;
    })
    .join("\nUNION ALL\n");
}
