/** Number formatting shared by the renderers: counts, shares, changes in share, CPU time. */

// One formatter for every call: Number.prototype.toLocaleString builds one each time.
const INTEGER = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  return INTEGER.format(Math.round(n));
}

/** "1 process", "2,400 processes": a count with its noun, singular for exactly one. */
export function formatCountOf(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** A share in [0, 1] as a percentage: 2 decimals below 10%, 1 above, "<0.01%" for specks. */
export function formatPercent(f: number): string {
  if (f === 0) return "0%";
  const p = f * 100;
  if (Math.abs(p) < 0.01) return `${p < 0 ? "-" : ""}<0.01%`;
  return `${p.toFixed(Math.abs(p) < 10 ? 2 : 1)}%`;
}

/** A change in share as signed percentage points. */
export function formatPoints(f: number): string {
  const sign = f > 0 ? "+" : f < 0 ? "-" : "±";
  return `${sign}${Math.abs(f * 100).toFixed(2)} pp`;
}

/** The agents' sampling rate unless a view knows better (a capture says its own). */
export const DEFAULT_RATE_HZ = 100;

/** Samples as CPU time at `rateHz` samples per second (per thread), e.g. "12.4 s", "3.1 h". */
export function formatCpu(samples: number, rateHz: number): string {
  const s = samples / rateHz;
  if (s === 0) return "0 s";
  if (s < 1) return `${(s * 1000).toFixed(0)} ms`;
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 100) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${formatCount(s)} s`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** CPU seconds per second: how many cores' worth, e.g. "0.42 cores". */
export function formatCores(cores: number): string {
  if (cores === 0) return "0 cores";
  const digits = cores < 0.1 ? 3 : cores < 10 ? 2 : 1;
  return `${cores.toFixed(digits)} ${cores === 1 ? "core" : "cores"}`;
}
