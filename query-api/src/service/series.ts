/**
 * Time series shaping: every step of the range gets a point (zeros included, so a chart
 * shows when something started). The store has already kept the largest groups and summed the
 * rest per step into folded rows; they become one series named "other", marked folded, last.
 */
import type { SeriesRow, TimeWindow } from "@fleetprof/store";

export interface SeriesOut {
  group: string;
  total: number;
  points: { time: number; samples: number }[];
  /** The sum of the groups beyond the limit. */
  folded: boolean;
}

export const OTHER_GROUP = "other";

export function shapeSeries(rows: readonly SeriesRow[], window: TimeWindow, stepSeconds: number, grouped: boolean): SeriesOut[] {
  const first = Math.floor(window.startMs / 1000 / stepSeconds) * stepSeconds;
  const count = Math.max(1, Math.ceil((Math.ceil(window.endMs / 1000) - first) / stepSeconds));
  const byGroup = new Map<string, SeriesOut>();
  let other: SeriesOut | undefined;
  const create = (group: string, folded: boolean): SeriesOut => ({
    group,
    folded,
    total: 0,
    points: Array.from({ length: count }, (_, i) => ({ time: first + i * stepSeconds, samples: 0 })),
  });
  const get = (row: Pick<SeriesRow, "group" | "folded">): SeriesOut => {
    if (row.folded) return (other ??= create(OTHER_GROUP, true));
    let s = byGroup.get(row.group);
    if (s === undefined) {
      s = create(row.group, false);
      byGroup.set(row.group, s);
    }
    return s;
  };
  if (!grouped) get({ group: "", folded: false });
  for (const r of rows) {
    const s = get(r);
    const p = s.points[Math.floor((r.time - first) / stepSeconds)];
    if (p === undefined) continue;
    p.samples += r.samples;
    s.total += r.samples;
  }
  const out = [...byGroup.values()].sort((a, b) => b.total - a.total || a.group.localeCompare(b.group));
  if (other !== undefined) out.push(other);
  return out;
}
