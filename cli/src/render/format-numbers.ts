/** Number formatting shared by the renderers. */

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
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
