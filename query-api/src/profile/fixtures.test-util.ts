import type { StackProfile } from "@fleetprof/store";

/** A profile from `"a;b;c": count` lines (frames named by function, file "<fn>.py", line 1). */
export function profileOf(stacks: Record<string, number>, source: StackProfile["source"] = "raw"): StackProfile {
  const frames: StackProfile["frames"] = [];
  const index = new Map<string, number>();
  const out: StackProfile["stacks"] = [];
  let total = 0;
  for (const [path, count] of Object.entries(stacks)) {
    const ids = path === "" ? [] : path.split(";").map((fn) => {
      let i = index.get(fn);
      if (i === undefined) {
        i = frames.length;
        frames.push({ function: fn, file: `${fn}.py`, line: 1 });
        index.set(fn, i);
      }
      return i;
    });
    out.push({ frames: ids, count });
    total += count;
  }
  return { frames, stacks: out, total, firstMs: 1_700_000_000_000, lastMs: 1_700_000_060_000, source };
}
