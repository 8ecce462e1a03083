/**
 * Time ranges as the URL keeps them: `from`/`to` are `now`, `now-15m` (relative, so a link
 * keeps meaning "the last 15 minutes") or unix milliseconds (absolute, after a drag-to-zoom
 * or a date picked by hand).
 */

export interface RangeParam {
  from: string;
  to: string;
}

export interface ResolvedRange {
  startMs: number;
  endMs: number;
}

/** The range a page shows when the URL names none. */
export const DEFAULT_FROM = "now-1h";

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export const PRESETS: { label: string; from: string }[] = [
  { label: "5m", from: "now-5m" },
  { label: "15m", from: "now-15m" },
  { label: "1h", from: "now-1h" },
  { label: "6h", from: "now-6h" },
  { label: "24h", from: "now-24h" },
  { label: "7d", from: "now-7d" },
];

/** One end of a range at `now`, or undefined when it is not a time. */
export function parseTime(text: string, now: number): number | undefined {
  const t = text.trim();
  if (t === "now" || t === "") return now;
  const rel = /^now-(\d+(?:\.\d+)?)([smhdw])$/.exec(t);
  if (rel !== null) return now - Number(rel[1]) * (UNITS[rel[2] ?? "s"] ?? 1000);
  if (/^\d{10,16}$/.test(t)) return Number(t);
  const parsed = Date.parse(t);
  return Number.isNaN(parsed) ? undefined : parsed;
}

export function resolveRange(range: RangeParam, now = Date.now()): ResolvedRange {
  const endMs = parseTime(range.to, now) ?? now;
  const startMs = parseTime(range.from, now) ?? endMs - 3_600_000;
  return startMs < endMs ? { startMs, endMs } : { startMs: endMs - 3_600_000, endMs };
}

/** The request form: unix ms as bigint. */
export function toTimeRange(r: ResolvedRange): { startUnixMs: bigint; endUnixMs: bigint } {
  return { startUnixMs: BigInt(Math.floor(r.startMs)), endUnixMs: BigInt(Math.ceil(r.endMs)) };
}

const pad = (n: number): string => String(n).padStart(2, "0");

/** `2026-12-02 14:05` in local time. */
export function formatDateTime(ms: number, seconds = false): string {
  const d = new Date(ms);
  return `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? `:${pad(d.getSeconds())}` : ""}`;
}

/** How a range reads in a button: "last 15m" or "12-02 14:05 → 15:20". */
export function describeRange(range: RangeParam): string {
  const preset = PRESETS.find((p) => p.from === range.from);
  if (range.to === "now" && preset !== undefined) return `last ${preset.label}`;
  const rel = /^now-(.+)$/.exec(range.from);
  if (range.to === "now" && rel !== null) return `last ${rel[1] ?? ""}`;
  const r = resolveRange(range);
  const a = formatDateTime(r.startMs);
  const b = formatDateTime(r.endMs);
  return a.slice(0, 10) === b.slice(0, 10) ? `${a} → ${b.slice(11)}` : `${a} → ${b}`;
}

/** A duration in words: "15 min", "2 h", "3 d". */
export function formatSpan(ms: number): string {
  if (ms < 120_000) return `${String(Math.round(ms / 1000))} s`;
  if (ms < 7_200_000) return `${String(Math.round(ms / 60_000))} min`;
  if (ms < 172_800_000) return `${(ms / 3_600_000).toFixed(ms < 36_000_000 ? 1 : 0)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

const STEPS_S = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/**
 * A round step giving about `points` points over a range, never under 10 s: agents send a
 * window's samples stamped with the window's start (10 s by default), so a finer step would
 * draw a comb of spikes rather than the CPU in use.
 */
export function chartStepMs(range: ResolvedRange, points = 60): number {
  const want = (range.endMs - range.startMs) / points / 1000;
  return (STEPS_S.find((s) => s >= want) ?? STEPS_S[STEPS_S.length - 1] ?? 86_400) * 1000;
}
