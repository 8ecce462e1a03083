/**
 * Self and total per function (function + file), summed over a flame graph: total counts a
 * stack once even when the function recurses. What an HTML flame graph lists under the graph.
 */
import { KIND_FRAME, nodeLocation, type FlameData } from "./flame-data.js";

export interface FunctionStat {
  /** A node of this function (its first), for names and locations. */
  node: number;
  name: string;
  location: string;
  self: number;
  total: number;
  baseSelf: number;
  baseTotal: number;
}

export function functionStats(data: FlameData, end: Int32Array): FunctionStat[] {
  const stats = new Map<number, FunctionStat>();
  const onPath = new Map<number, number>();
  const path: [number, number][] = [];
  const fileCount = data.strings.length;
  for (let i = 0; i < data.name.length; i++) {
    while (path.length > 0 && (path[path.length - 1]?.[0] ?? 0) <= i) {
      const k = path.pop()?.[1] ?? 0;
      onPath.set(k, (onPath.get(k) ?? 1) - 1);
    }
    if (data.kind[i] !== KIND_FRAME) continue;
    const key = (data.name[i] ?? 0) * fileCount + (data.file[i] ?? 0);
    let s = stats.get(key);
    if (s === undefined) {
      s = { node: i, name: data.strings[data.name[i] ?? 0] ?? "", location: nodeLocation(data, i), self: 0, total: 0, baseSelf: 0, baseTotal: 0 };
      stats.set(key, s);
    }
    s.self += data.self[i] ?? 0;
    if (data.diff) s.baseSelf += data.baseSelf[i] ?? 0;
    if ((onPath.get(key) ?? 0) === 0) {
      s.total += data.total[i] ?? 0;
      if (data.diff) s.baseTotal += data.baseTotal[i] ?? 0;
    }
    onPath.set(key, (onPath.get(key) ?? 0) + 1);
    path.push([end[i] ?? i + 1, key]);
  }
  return [...stats.values()];
}
