import { describe, expect, it } from "vitest";
import { ratioEstimate } from "./diff-stats.js";
import { seededRandom as seeded } from "@fleetprof/test/random";
import { coverageOf, replicatesOf, type ReplicateSpec } from "./fixtures.test-util.js";
import { FunctionIndex, stackFunctions } from "./function-index.js";
import { diffReplicates } from "./replicate-diff.js";
import { sumReplicates } from "./replicate-sums.js";

/** `n` one-minute replicates of one process; `stacks(i, rnd)` gives minute i's stacks. */
function minutes(n: number, pid: number, stacks: (i: number, rnd: () => number) => Record<string, number>, seed = pid): ReplicateSpec[] {
  const rnd = seeded(seed);
  return Array.from({ length: n }, (_, i) => ({ host: `h${String(pid)}`, pid, minute: 1000 + i, stacks: stacks(i, rnd) }));
}

const side = (specs: ReplicateSpec[], rate = 100) => {
  const rep = replicatesOf(specs);
  return { rep, cov: coverageOf(rep, rate), unit: "process-minute" };
};

describe("diff statistics", () => {
  it("takes a side's share as its time over all time, not the mean of per-minute shares", () => {
    // minute 1: a is 90 of 100; minute 2: a is 1 of 10 → 91 / 110, not (0.9 + 0.1) / 2
    const base = side([
      { minute: 1, stacks: { "main;a": 90, "main;b": 10 } },
      { minute: 2, stacks: { "main;a": 1, "main;b": 9 } },
    ]);
    const d = diffReplicates(base, base, { sort: "self", limit: 10, minReplicates: 1 });
    const a = d.stats.changes.find((c) => c.function === "a");
    expect(a?.baseSelfShare).toBeCloseTo(91 / 110, 12);
    expect(a?.baseTotalShare).toBeCloseTo(91 / 110, 12);
    expect(a?.deltaShare).toBe(0);
  });

  it("gives the standard error a bootstrap over replicates gives, for common and rare functions, self and total", () => {
    const gen = (i: number, rnd: () => number): Record<string, number> => {
      const busy = 200 + Math.floor(rnd() * 400);
      const s: Record<string, number> = {
        "main;handle;a": Math.floor(busy * (0.2 + 0.2 * rnd())),
        "main;handle;b;c": Math.floor(busy * (0.1 + 0.1 * rnd())),
        "main;idle": Math.floor(busy * 0.3),
      };
      if (i % 7 === 3) s["main;handle;rare"] = 5 + Math.floor(rnd() * 20);
      return s;
    };
    const specs = [...minutes(25, 1, gen), ...minutes(25, 2, gen)];
    const rep = replicatesOf(specs);
    const index = new FunctionIndex();
    const fns = stackFunctions(index, rep.frames, rep.stacks);
    const sums = {
      self: sumReplicates(rep, fns, new Float64Array(rep.length).fill(1), index.size, "self"),
      total: sumReplicates(rep, fns, new Float64Array(rep.length).fill(1), index.size, "total"),
    };
    const rnd = seeded(99);
    const B = 3000;
    for (const [fn, measure] of [
      ["a", "self"],
      ["c", "self"],
      ["b", "total"],
      ["handle", "total"],
      ["rare", "self"],
    ] as const) {
      const f = index.id(fn, `${fn}.py`);
      const x = specs.map((s) =>
        Object.entries(s.stacks).reduce((n, [path, c]) => n + ((measure === "self" ? path.endsWith(`;${fn}`) : path.split(";").includes(fn)) ? c : 0), 0),
      );
      const n = specs.map((s) => Object.values(s.stacks).reduce((a, b) => a + b, 0));
      let s1 = 0;
      let s2 = 0;
      for (let b = 0; b < B; b++) {
        let sx = 0;
        let sn = 0;
        for (let k = 0; k < specs.length; k++) {
          const j = Math.floor(rnd() * specs.length);
          sx += x[j] as number;
          sn += n[j] as number;
        }
        s1 += sx / sn;
        s2 += (sx / sn) ** 2;
      }
      const bootSe = Math.sqrt(s2 / B - (s1 / B) ** 2);
      const est = ratioEstimate(sums[measure], sums[measure][measure], f);
      expect(est.share, fn).toBeCloseTo(x.reduce((a, b) => a + b, 0) / n.reduce((a, b) => a + b, 0), 12);
      expect(Math.sqrt(est.variance) / bootSe, `${fn} ${measure}`).toBeGreaterThan(0.92);
      expect(Math.sqrt(est.variance) / bootSe, `${fn} ${measure}`).toBeLessThan(1.1);
    }
  });

  it("finds a doubled function and nothing else, and flags functions seen on one side", () => {
    const gen = (double: boolean) => (i: number, rnd: () => number) => ({
      "main;work;hot": Math.floor((double ? 2 : 1) * (250 + 50 * rnd())),
      "main;work;cold": Math.floor(500 + 80 * rnd()),
      "main;io": Math.floor(250 + 50 * rnd()),
      ...(double ? { "main;work;added": 40 + Math.floor(10 * rnd()) } : {}),
      ...(!double && i % 20 === 0 ? { "main;blip": 3 } : {}),
    });
    const base = side([...minutes(12, 1, gen(false)), ...minutes(12, 2, gen(false))]);
    const cmp = side([...minutes(12, 3, gen(true)), ...minutes(12, 4, gen(true))]);
    const d = diffReplicates(base, cmp, { sort: "self", limit: 10 });
    expect(d.regressions[0]).toMatchObject({ function: "hot", significant: true, presence: "both" });
    expect(d.regressions.find((c) => c.function === "added")).toMatchObject({ significant: true, presence: "comparison", baseSelf: 0 });
    expect(d.stats.changes.find((c) => c.function === "blip")).toMatchObject({ tested: false, significant: false, presence: "base" });
    // the others lost share because hot grew: their self-share drops are real too
    expect(d.improvements.map((c) => c.function).sort()).toEqual(["blip", "cold", "io"]);
    expect(d.stats.significanceAvailable).toBe(true);
    expect(d.stats.minDetectableShare).toBeGreaterThan(0);
    expect(d.stats.minDetectableShare).toBeLessThan(0.05);
  });

  it("clusters by process when processes differ beyond chance, from five processes a side", () => {
    // each process has its own share of a (offset), minutes vary little around it: an A/A
    // comparison whose sides differ only by which processes they hold
    const offsets = { base: [0.04, 0.01, 0.03, 0.0, 0.02], cmp: [-0.01, 0.02, -0.02, 0.01, 0.0] };
    const procs = (list: number[], first: number) =>
      list.flatMap((o, i) =>
        minutes(20, first + i, (_, rnd) => ({ "main;a": Math.round(1000 * (0.3 + o) + 5 * rnd()), "main;b": Math.round(1000 * (0.7 - o) + 5 * rnd()) })),
      );
    const five = diffReplicates(side(procs(offsets.base, 1)), side(procs(offsets.cmp, 11)), { sort: "self", limit: 10 });
    const a = five.stats.changes.find((c) => c.function === "a");
    expect(a?.significant).toBe(false);
    expect(a?.df).toBeLessThan(10);
    // with four processes a side the minutes are all there is: a process difference looks real, and a note says what is assumed
    const four = diffReplicates(side(procs(offsets.base.slice(0, 4), 1)), side(procs(offsets.cmp.slice(0, 4), 11)), { sort: "self", limit: 10 });
    expect(four.stats.changes.find((c) => c.function === "a")?.significant).toBe(true);
    expect(four.stats.notes.join(" ")).toMatch(/fewer than 5 processes on a side \(4 and 4\): .*assume the processes differ from each other only by chance/);
    expect(five.stats.notes.join(" ")).not.toMatch(/fewer than 5 processes/);
  });

  it("withholds significance with too few replicates, and says so", () => {
    const base = side(minutes(4, 1, () => ({ "main;a": 100, "main;b": 100 })));
    const cmp = side(minutes(4, 2, () => ({ "main;a": 300, "main;b": 100 })));
    const d = diffReplicates(base, cmp, { sort: "self", limit: 10 });
    expect(d.regressions[0]?.function).toBe("a");
    expect(d.regressions[0]?.significant).toBe(false);
    expect(d.stats.significanceAvailable).toBe(false);
    expect(d.stats.notes.join(" ")).toMatch(/too few replicates.*4.*4.*at least 10/);
  });

  it("ranks by total time when asked: a caller whose time went into a shared callee comes first", () => {
    const gen = (slow: boolean) => (_: number, rnd: () => number) => ({
      "main;alpha;crunch": 400 + Math.floor(40 * rnd()),
      "main;beta;crunch": (slow ? 250 : 100) + Math.floor(20 * rnd()),
      "main;beta": 20,
      "main;gamma": 480 + Math.floor(40 * rnd()),
    });
    const base = side(minutes(15, 1, gen(false)));
    const cmp = side(minutes(15, 2, gen(true)));
    const bySelf = diffReplicates(base, cmp, { sort: "self", limit: 10 });
    const byTotal = diffReplicates(base, cmp, { sort: "total", limit: 10 });
    expect(bySelf.regressions.map((c) => c.function)).toEqual(["crunch"]);
    expect(byTotal.regressions[0]?.function).toBe("beta");
    const beta = byTotal.regressions[0];
    expect(beta?.deltaShare).toBeCloseTo((beta?.totalShare ?? 0) - (beta?.baseTotalShare ?? 0), 12);
    expect(beta?.deltaShare).toBeGreaterThan((bySelf.regressions[0]?.deltaShare ?? 0) * 1.5);
  });

  it("converts samples to seconds when rates differ, and compares cost per process", () => {
    // the same work sampled at 100 Hz and at 50 Hz: half the samples, the same seconds
    const base = side(
      minutes(12, 1, () => ({ "main;a": 600, "main;b": 600 })),
      100,
    );
    const slow = side(
      minutes(12, 2, () => ({ "main;a": 300, "main;b": 300 })),
      50,
    );
    const d = diffReplicates(base, slow, { sort: "self", limit: 10 });
    expect(d.basis).toMatchObject({ baseRates: [100], rates: [50], ratesNormalised: true });
    expect(d.regressions).toEqual([]);
    expect(d.cost.base.cores).toBeCloseTo(1200 / 100 / 60, 12);
    expect(d.cost.comparison.cores).toBeCloseTo(600 / 50 / 60, 12);
    expect(d.cost.significant).toBe(false);
    expect(d.stats.changes.find((c) => c.function === "a")?.seconds).toBeCloseTo(12 * 6, 9);
  });
});
