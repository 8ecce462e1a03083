/**
 * Time series shaping: every step of the range gets a point (zeros included, so a chart
 * shows when something started), and beyond `limit` groups the smallest are summed into
 * "other".
 */
import type { SeriesRow, TimeWindow } from "@fleetprof/store";

export interface SeriesOut {
  group: string;
  total: number;
  points: { time: number; samples: number }[];
}

export const OTHER_GROUP = "other";

export function foldSeries(rows: readonly SeriesRow[], window: TimeWindow, stepSeconds: number, grouped: boolean, limit: number): SeriesOut[] {
  const first = Math.floor(window.startMs / 1000 / stepSeconds) * stepSeconds;
  const count = Math.max(1, Math.ceil((Math.ceil(window.endMs / 1000) - first) / stepSeconds));
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.group, (totals.get(r.group) ?? 0) + r.samples);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const kept = new Set(ranked.slice(0, grouped ? limit : ranked.length).map(([g]) => g));
  const byGroup = new Map<string, SeriesOut>();
  const get = (group: string): SeriesOut => {
    let s = byGroup.get(group);
    if (s === undefined) {
      s = { group, total: 0, points: Array.from({ length: count }, (_, i) => ({ time: first + i * stepSeconds, samples: 0 })) };
      byGroup.set(group, s);
    }
    return s;
  };
  if (!grouped) get("");
  for (const r of rows) {
    const s = get(kept.has(r.group) ? r.group : OTHER_GROUP);
    const i = Math.floor((r.time - first) / stepSeconds);
    const p = s.points[i];
    if (p === undefined) continue;
    p.samples += r.samples;
    s.total += r.samples;
  }
  const out = [...byGroup.values()].sort((a, b) => b.total - a.total || a.group.localeCompare(b.group));
  // The folded rest goes last.
  const folded = ranked.length > kept.size ? out.findIndex((s) => s.group === OTHER_GROUP) : -1;
  if (folded !== -1) out.push(...out.splice(folded, 1));
  return out;
}
