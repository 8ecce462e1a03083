/** Checking request fields against the server's limits, with messages that say what to change. */
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import type { TimeRange } from "@fleetprof/proto";
import type { TimeWindow } from "@fleetprof/store";

export interface Limits {
  maxRangeMs: number;
  maxNodes: number;
  defaultNodes: number;
  maxStacks: number;
  deadlineMs: number;
  /** Memory one ClickHouse query of a call may use, bytes. */
  maxQueryMemoryBytes: number;
}

const HOUR = 3_600_000;

function invalid(message: string): FleetprofError {
  return new FleetprofError(ErrorCode.InvalidArgument, message);
}

/** A request's time range: zero end means now, zero start means end minus one hour. */
export function resolveRange(range: TimeRange | undefined, limits: Limits, now = Date.now(), what = "range"): TimeWindow {
  const start = Number(range?.startUnixMs ?? 0n);
  const end = Number(range?.endUnixMs ?? 0n);
  if (start < 0 || end < 0) throw invalid(`${what}: times are unix milliseconds and cannot be negative`);
  const endMs = end === 0 ? now : end;
  const startMs = start === 0 ? endMs - HOUR : start;
  if (startMs >= endMs) throw invalid(`${what}: start (${new Date(startMs).toISOString()}) must be before end (${new Date(endMs).toISOString()})`);
  if (endMs - startMs > limits.maxRangeMs) {
    throw new FleetprofError(
      ErrorCode.ResourceExhausted,
      `${what}: ${formatMs(endMs - startMs)} is longer than this server allows (${formatMs(limits.maxRangeMs)}, option max-range): ask for a shorter range`,
    );
  }
  return { startMs, endMs };
}

/** True when a TimeRange is unset or all zero (diff requests: "same as the other side"). */
export function isZeroRange(range: TimeRange | undefined): boolean {
  return range === undefined || (range.startUnixMs === 0n && range.endUnixMs === 0n);
}

export function resolveMaxNodes(requested: number, limits: Limits): number {
  if (requested === 0) return limits.defaultNodes;
  if (requested < 2) throw invalid(`max_nodes must be at least 2 (the root and one more), got ${String(requested)}`);
  if (requested > limits.maxNodes) {
    throw new FleetprofError(
      ErrorCode.ResourceExhausted,
      `max_nodes ${String(requested)} is over this server's limit of ${String(limits.maxNodes)} (option max-nodes)`,
    );
  }
  return requested;
}

/** A result count: 0 → `def`, capped at `max`. */
export function resolveLimit(requested: number, def: number, max: number): number {
  return requested === 0 ? def : Math.min(requested, max);
}

const NICE_STEPS_S = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
/** Most points one series may have. */
export const MAX_POINTS = 11_000;

/** A time series step in seconds: the request's, or a round one giving about 120 points. */
export function resolveStep(stepMs: bigint, window: TimeWindow): number {
  const span = window.endMs - window.startMs;
  let step: number;
  if (stepMs === 0n) {
    const want = span / 120 / 1000;
    step = NICE_STEPS_S.find((s) => s >= want) ?? Math.ceil(want / 86400) * 86400;
  } else {
    const ms = Number(stepMs);
    if (ms < 1000 || ms % 1000 !== 0) throw invalid(`step_ms must be a whole number of seconds, at least 1000, got ${String(stepMs)}`);
    step = ms / 1000;
  }
  const points = Math.ceil(span / 1000 / step);
  if (points > MAX_POINTS) {
    throw new FleetprofError(
      ErrorCode.ResourceExhausted,
      `step ${String(step)}s over ${formatMs(span)} gives ${String(points)} points, over the limit of ${String(MAX_POINTS)}: use a longer step`,
    );
  }
  return step;
}

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

export function checkLabelName(name: string, field: string): string {
  if (!LABEL_NAME.test(name)) throw invalid(`${field}: "${name}" is not a label name (letters, digits, _, . and -, starting with a letter or _)`);
  return name;
}

export function formatMs(ms: number): string {
  if (ms % 86_400_000 === 0) return `${String(ms / 86_400_000)}d`;
  if (ms % HOUR === 0) return `${String(ms / HOUR)}h`;
  if (ms % 60_000 === 0) return `${String(ms / 60_000)}m`;
  return `${String(Math.round(ms / 1000))}s`;
}
