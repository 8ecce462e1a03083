/**
 * Top functions: self and total samples per function (function + file). Total counts a stack
 * once even when the function recurses. (The diff of two sides, with intervals, is
 * diff-stats.ts.)
 */
import type { StackProfile } from "@fleetprof/store";

export interface FunctionTotals {
  function: string;
  file: string;
  self: number;
  total: number;
}

const SEP = "\u0000";

/** Self and total per function, in no particular order. */
export function functionTotals(profile: StackProfile): Map<string, FunctionTotals> {
  const byKey = new Map<string, FunctionTotals>();
  const frameStat = profile.frames.map((f) => {
    const key = f.function + SEP + f.file;
    let stat = byKey.get(key);
    if (stat === undefined) {
      stat = { function: f.function, file: f.file, self: 0, total: 0 };
      byKey.set(key, stat);
    }
    return stat;
  });
  // Stamp per function: the last stack that counted it, so recursion counts once.
  const stamp = new Map<FunctionTotals, number>();
  profile.stacks.forEach((stack, s) => {
    if (stack.frames.length === 0) return;
    for (const f of stack.frames) {
      const stat = frameStat[f] as FunctionTotals;
      if (stamp.get(stat) !== s) {
        stamp.set(stat, s);
        stat.total += stack.count;
      }
    }
    (frameStat[stack.frames[stack.frames.length - 1] as number] as FunctionTotals).self += stack.count;
  });
  return byKey;
}

export type SortKey = "self" | "total";

/** The top `limit` functions by self or total (ties by name). */
export function topFunctions(profile: StackProfile, sort: SortKey, limit: number): FunctionTotals[] {
  const all = [...functionTotals(profile).values()].filter((f) => f.total > 0);
  all.sort((a, b) => b[sort] - a[sort] || (sort === "self" ? b.total - a.total : b.self - a.self) || a.function.localeCompare(b.function));
  return all.slice(0, limit);
}
