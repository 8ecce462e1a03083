/**
 * Top functions: self and total samples per function (function + file). Total counts a stack
 * once even when the function recurses. The diff ranks functions by change in share of self
 * time: a share-based comparison, so a side with more samples does not look slower.
 */
import type { StackProfile } from "@fleetprof/store";

export interface FunctionTotals {
  function: string;
  file: string;
  self: number;
  total: number;
}

export interface FunctionDiffRow {
  function: string;
  file: string;
  baseSelf: number;
  self: number;
  baseSelfShare: number;
  selfShare: number;
  deltaShare: number;
  baseTotal: number;
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

/** Regressions (share of self up) and improvements (share of self down), largest change first. */
export function diffTopFunctions(base: StackProfile, comparison: StackProfile, limit: number): { regressions: FunctionDiffRow[]; improvements: FunctionDiffRow[] } {
  const b = functionTotals(base);
  const c = functionTotals(comparison);
  const rows: FunctionDiffRow[] = [];
  for (const key of new Set([...b.keys(), ...c.keys()])) {
    const bs = b.get(key);
    const cs = c.get(key);
    const any = (cs ?? bs) as FunctionTotals;
    const baseSelf = bs?.self ?? 0;
    const self = cs?.self ?? 0;
    const baseSelfShare = base.total > 0 ? baseSelf / base.total : 0;
    const selfShare = comparison.total > 0 ? self / comparison.total : 0;
    rows.push({
      function: any.function,
      file: any.file,
      baseSelf,
      self,
      baseSelfShare,
      selfShare,
      deltaShare: selfShare - baseSelfShare,
      baseTotal: bs?.total ?? 0,
      total: cs?.total ?? 0,
    });
  }
  const regressions = rows.filter((r) => r.deltaShare > 0).sort((x, y) => y.deltaShare - x.deltaShare || x.function.localeCompare(y.function));
  const improvements = rows.filter((r) => r.deltaShare < 0).sort((x, y) => x.deltaShare - y.deltaShare || x.function.localeCompare(y.function));
  return { regressions: regressions.slice(0, limit), improvements: improvements.slice(0, limit) };
}
