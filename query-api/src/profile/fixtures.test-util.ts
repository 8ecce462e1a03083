import type { CoverageRows, ReplicateProfile, StackProfile } from "@fleetprof/store";

/** A profile from `"a;b;c": count` lines (frames named by function, file "<fn>.py", line 1). */
export function profileOf(stacks: Record<string, number>, source: StackProfile["source"] = "raw"): StackProfile {
  const frames: StackProfile["frames"] = [];
  const index = new Map<string, number>();
  const out: StackProfile["stacks"] = [];
  let total = 0;
  for (const [path, count] of Object.entries(stacks)) {
    const ids =
      path === ""
        ? []
        : path.split(";").map((fn) => {
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

/** One replicate: a (host, pid, minute) and its "a;b;c" stacks. */
export interface ReplicateSpec {
  host?: string;
  pid?: number;
  minute: number;
  mode?: string;
  stacks: Record<string, number>;
}

/** Replicates in the store's read shape (frames named by function, file "<fn>.py"). */
export function replicatesOf(list: readonly ReplicateSpec[]): ReplicateProfile {
  const frames: ReplicateProfile["frames"] = [];
  const frameAt = new Map<string, number>();
  const stacks: number[][] = [];
  const stackAt = new Map<string, number>();
  const start = [0];
  const stack: number[] = [];
  const count: number[] = [];
  const samples: number[] = [];
  for (const r of list) {
    let n = 0;
    for (const [path, c] of Object.entries(r.stacks)) {
      let s = stackAt.get(path);
      if (s === undefined) {
        s = stacks.length;
        stackAt.set(path, s);
        stacks.push(
          path === ""
            ? []
            : path.split(";").map((fn) => {
                let f = frameAt.get(fn);
                if (f === undefined) {
                  f = frames.length;
                  frames.push({ function: fn, file: `${fn}.py`, line: 1 });
                  frameAt.set(fn, f);
                }
                return f;
              }),
        );
      }
      stack.push(s);
      count.push(c);
      n += c;
    }
    start.push(stack.length);
    samples.push(n);
  }
  return {
    frames,
    stacks,
    length: list.length,
    host: list.map((r) => r.host ?? "h1"),
    pid: Uint32Array.from(list.map((r) => r.pid ?? 1)),
    bucket: Uint32Array.from(list.map((r) => r.minute * 60)),
    mode: list.map((r) => r.mode ?? "cpu"),
    start: Uint32Array.from(start),
    stack: Uint32Array.from(stack),
    count: Float64Array.from(count),
    samples: Float64Array.from(samples),
    total: samples.reduce((a, b) => a + b, 0),
  };
}

/** Window coverage for replicates: `observed` seconds each, at `rate` Hz. */
export function coverageOf(rep: ReplicateProfile, rate: number, observed = 60): CoverageRows {
  return {
    length: rep.length,
    host: [...rep.host],
    pid: rep.pid.slice(),
    bucket: rep.bucket.slice(),
    observedSeconds: new Float64Array(rep.length).fill(observed),
    samples: rep.samples.slice(),
    sampleSeconds: rep.samples.map((n) => n / rate),
    rates: Array.from({ length: rep.length }, () => [rate]),
  };
}
