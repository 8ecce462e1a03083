import { describe, expect, it } from "vitest";
import { decodePprof, pprofTop } from "../../test/pprof-decoder.js";
import { profileOf } from "../profile/fixtures.test-util.js";
import { exportCollapsed } from "./collapsed.js";
import { exportPprof } from "./pprof.js";
import { toSpeedscope } from "./speedscope.js";

const p = profileOf({ "main;a;x": 50, "main;a": 10, "main;b;x": 30, "main;f;f": 10 });

describe("exports", () => {
  it("writes a pprof profile that reads back with the same functions and totals", () => {
    const d = decodePprof(exportPprof(p));
    expect(d.strings[0]).toBe("");
    expect(d.sampleType).toEqual([{ type: "samples", unit: "count" }]);
    const top = pprofTop(d);
    expect(top.total).toBe(100n);
    expect(Object.fromEntries(top.flat)).toEqual({ x: 80n, a: 10n, f: 10n });
    expect(Object.fromEntries(top.cum)).toEqual({ main: 100n, a: 60n, x: 80n, b: 30n, f: 10n });
    // Leaf first: the first location of "main;a;x" is x.
    const first = d.samples[0];
    const leafFn = d.functions.get(d.locations.get(first?.locationIds[0] ?? 0n)?.functionIds[0] ?? 0n);
    expect(leafFn).toEqual({ name: "x", systemName: "x", filename: "x.py" });
    expect(d.timeNanos).toBe(1_700_000_000_000_000_000n);
    expect(d.durationNanos).toBe(60_000_000_000n);
  });

  it("writes collapsed stacks", () => {
    expect(exportCollapsed(profileOf({ "main;a": 2, "ma;in": 1 }))).toBe("ma (ma.py);in (in.py) 1\nmain (main.py);a (a.py) 2\n");
    const odd = profileOf({ x: 1 });
    odd.frames[0] = { function: "a;b\nc", file: "", line: 0 };
    expect(exportCollapsed(odd)).toBe("a:b c 1\n");
  });

  it("writes speedscope JSON", () => {
    const s = toSpeedscope(p, "api");
    expect(s.shared.frames.map((f) => f.name)).toEqual(["main", "a", "x", "b", "f"]);
    expect(s.profiles[0]?.samples[0]).toEqual([0, 1, 2]);
    expect(s.profiles[0]?.weights.reduce((a, b) => a + b, 0)).toBe(100);
    expect(s.profiles[0]?.endValue).toBe(100);
  });
});
