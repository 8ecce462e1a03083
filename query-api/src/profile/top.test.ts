import { describe, expect, it } from "vitest";
import { profileOf } from "./fixtures.test-util.js";
import { topFunctions } from "./top.js";

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
});
