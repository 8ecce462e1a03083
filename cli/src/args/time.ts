/**
 * Times on the command line: `now`, a duration before now (`15m`, `2h`, `7d`, also `-15m`
 * and `now-15m`), an ISO 8601 date or date-time (`2026-11-25`, `2026-11-25T10:00:00Z`,
 * local time when no zone is given), or Unix seconds / milliseconds.
 */
import { ErrorCode, FleetprofError, parseDuration } from "@fleetprof/common";

export function parseTime(text: string, now: number = Date.now()): number {
  const s = text.trim();
  if (s === "" || s === "now") return now;
  const rel = /^(?:now)?\s*-?\s*(\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w))$/.exec(s);
  if (rel !== null) {
    const d = rel[1] as string;
    const ms = d.endsWith("w") ? parseDuration(`${d.slice(0, -1)}d`) * 7 : parseDuration(d);
    return now - ms;
  }
  if (/^\d{10}$/.test(s)) return Number(s) * 1000;
  if (/^\d{13}$/.test(s)) return Number(s);
  if (/^\d{4}-\d{2}-\d{2}/.test(s)) {
    // a bare date is local midnight, like a date-time without a zone
    const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00` : s);
    if (Number.isFinite(ms)) return ms;
  }
  throw new FleetprofError(
    ErrorCode.InvalidArgument,
    `"${text}" is not a time: use now, a duration before now (15m, 2h, 7d), an ISO time (2026-11-25T10:00:00Z) or Unix seconds`,
  );
}

export interface TimeRangeMs {
  startMs: number;
  endMs: number;
}

/** The one place a range becomes the API's int64 (bigint) milliseconds. */
export function apiRange(range: TimeRangeMs): { startUnixMs: bigint; endUnixMs: bigint } {
  return { startUnixMs: BigInt(range.startMs), endUnixMs: BigInt(range.endMs) };
}

/** `--since` / `--until` to a range; since must be before until. */
export function parseRange(since: string, until: string, now: number = Date.now()): TimeRangeMs {
  const startMs = parseTime(since, now);
  const endMs = parseTime(until, now);
  if (startMs >= endMs) {
    throw new FleetprofError(
      ErrorCode.InvalidArgument,
      `--since (${new Date(startMs).toISOString()}) must be before --until (${new Date(endMs).toISOString()})`,
    );
  }
  return { startMs, endMs };
}
