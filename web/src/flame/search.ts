/**
 * Searching a flame graph: a case-insensitive regular expression over function names and
 * `file:line` (a query that is not a valid expression is searched as plain text), and the
 * share of the graph the matches cover (nested matches counted once).
 */
import { KIND_FRAME, nodeLocation, type FlameData } from "./flame-data.js";
import type { Layout } from "./layout.js";

export interface SearchResult {
  /** 1 for each matching node. */
  matches: Uint8Array;
  count: number;
  /** Share of the graph's width under a match. */
  covered: number;
  /** The query was not a valid regular expression (searched as text). */
  literal: boolean;
}

/** The expression a table row uses to highlight exactly one function. */
export function exactFunction(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;
}

export function searchFrames(data: FlameData, layout: Layout, query: string): SearchResult {
  let re: RegExp;
  let literal = false;
  try {
    re = new RegExp(query, "i");
  } catch {
    literal = true;
    re = new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i");
  }
  const n = data.name.length;
  const matches = new Uint8Array(n);
  // Test each distinct name once: graphs repeat a function in many places.
  const byName = new Map<number, boolean>();
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (data.kind[i] !== KIND_FRAME) continue;
    const name = data.name[i] ?? 0;
    let hit = byName.get(name);
    if (hit === undefined) {
      hit = re.test(data.strings[name] ?? "");
      byName.set(name, hit);
    }
    if (hit || re.test(nodeLocation(data, i))) {
      matches[i] = 1;
      count++;
    }
  }
  let covered = 0;
  for (let i = 0; i < n;) {
    if (matches[i] === 1) {
      covered += layout.width[i] ?? 0;
      i = layout.end[i] ?? i + 1;
    } else i++;
  }
  return { matches, count, covered, literal };
}
