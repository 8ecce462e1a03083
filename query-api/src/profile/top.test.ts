import { describe, expect, it } from "vitest";
import { profileOf } from "./fixtures.test-util.js";
import { diffTopFunctions, topFunctions } from "./top.js";

describe("top functions", () => {
  it("counts self at the leaf and total once per stack even under recursion", () => {
    const p = profileOf({ "main;f;f;g": 10, "main;f": 5, "main;h": 5 });
    const top = topFunctions(p, "self", 10);
    expect(top.map((f) => [f.function, f.self, f.total])).toEqual([
      ["g", 10, 10],
      ["f", 5, 15],
      ["h", 5, 5],
      ["main", 0, 20],
    ]);
    expect(topFunctions(p, "total", 2).map((f) => f.function)).toEqual(["main", "f"]);
  });

  it("ranks regressions and improvements by change in share of self time", () => {
    const base = profileOf({ "main;a": 20, "main;b": 40, "main;c": 40 });
    const cmp = profileOf({ "main;a": 80, "main;b": 80, "main;c": 40 });
    const d = diffTopFunctions(base, cmp, 10);
    expect(d.regressions.map((r) => r.function)).toEqual(["a"]);
    expect(d.regressions[0]?.deltaShare).toBeCloseTo(0.2);
    expect(d.improvements.map((r) => r.function)).toEqual(["c"]);
    expect(d.improvements[0]?.deltaShare).toBeCloseTo(-0.2);
  });
});
