/**
 * A node named by its path of function names from the root (`main;handle;parse`), so a zoom
 * survives in a URL while the graph under it is fetched again (node indexes change, names
 * do not). Among siblings with one name the heaviest (first) wins.
 */
import { KIND_FRAME, type FlameData } from "./flame-data.js";
import type { Layout } from "./layout.js";

const SEPARATOR = ";";

export function framePath(data: FlameData, i: number): string {
  const names: string[] = [];
  for (let p = i; p > 0 && data.kind[p] === KIND_FRAME; p = data.parent[p] ?? 0) names.push(data.strings[data.name[p] ?? 0] ?? "");
  return names.reverse().join(SEPARATOR);
}

/** The node at `path`, or 0 (the root) when the path is empty or no longer there. */
export function nodeAtPath(data: FlameData, layout: Layout, path: string): number {
  if (path === "") return 0;
  let at = 0;
  for (const name of path.split(SEPARATOR)) {
    let found = -1;
    for (let c = at + 1; c < (layout.end[at] ?? 0); c = layout.end[c] ?? c + 1) {
      if (data.kind[c] === KIND_FRAME && data.strings[data.name[c] ?? 0] === name) {
        found = c;
        break;
      }
    }
    if (found < 0) return 0;
    at = found;
  }
  return at;
}
