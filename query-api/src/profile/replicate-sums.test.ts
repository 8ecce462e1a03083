import { seededRandom } from "@fleetprof/test/random";
import { describe, expect, it } from "vitest";
import { replicatesOf, type ReplicateSpec } from "./fixtures.test-util.js";
import { FunctionIndex, stackFunctions } from "./function-index.js";
import { emptyMeasure, layout, squaresByFunction, squaresByReplicate, sumReplicates } from "./replicate-sums.js";

describe("replicate sums", () => {
  // three processes, shuffled (the pass puts each process's replicates together), recursion,
  // a stack repeated within a replicate, unknown stacks
  const rnd = seededRandom(5);
  const paths = ["main;a;b", "main;a;a;c", "main;d", "main;a", "", "main;d;b;b"];
  const specs: ReplicateSpec[] = [];
  for (let i = 0; i < 30; i++) {
    const stacks: Record<string, number> = {};
    for (const p of paths) if (rnd() < 0.7) stacks[p] = 1 + Math.floor(rnd() * 50);
    specs.push({ host: `h${String(i % 3)}`, pid: 7, minute: i, stacks });
  }
  const rep = replicatesOf(specs);
  const index = new FunctionIndex();
  const fns = stackFunctions(index, rep.frames, rep.stacks);
  const weights = Float64Array.from({ length: rep.length }, (_, r) => 1 / (50 + r));

  it("gives the same squares by replicate and by function, per replicate and per process", () => {
    const lay = layout(rep, weights);
    const a = emptyMeasure(index.size);
    const b = emptyMeasure(index.size);
    squaresByReplicate(rep, fns, weights, lay, a, false);
    squaresByFunction(rep, fns, weights, lay, b);
    for (const k of ["sumSq", "cross", "processSumSq", "processCross"] as const) {
      for (let f = 0; f < index.size; f++) expect(b[k][f], `${k} ${index.names[f] ?? ""}`).toBeCloseTo(a[k][f] as number, 12);
    }
    expect(Array.from(b.present)).toEqual(Array.from(a.present));
    expect(Array.from(b.processPresent)).toEqual(Array.from(a.processPresent));
    expect(lay.ends.length).toBe(3);
  });

  it("counts a recursive function once per stack, and each process's replicates together", () => {
    const s = sumReplicates(rep, fns, new Float64Array(rep.length).fill(1), index.size, "total");
    const a = index.id("a", "a.py");
    const expected = specs.reduce((n, sp) => n + Object.entries(sp.stacks).reduce((m, [p, c]) => m + (p.split(";").includes("a") ? c : 0), 0), 0);
    expect(s.total.samples[a]).toBe(expected);
    expect(s.processes).toBe(3);
    const perProcess = [0, 1, 2].map((h) =>
      specs
        .filter((_, i) => i % 3 === h)
        .reduce((n, sp) => n + Object.entries(sp.stacks).reduce((m, [p, c]) => m + (p.split(";").includes("a") ? c : 0), 0), 0),
    );
    expect(s.total.processSumSq[a]).toBeCloseTo(
      perProcess.reduce((q, x) => q + x * x, 0),
      6,
    );
  });
});
