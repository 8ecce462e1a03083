import { describe, expect, it } from "vitest";
import { formatFor } from "./output-format.js";

describe("formatFor", () => {
  it("reads the file name", () => {
    expect(formatFor("a.html", undefined)).toBe("html");
    expect(formatFor("a.SVG", undefined)).toBe("svg");
    expect(formatFor("cpu.pb.gz", undefined)).toBe("pprof");
    expect(formatFor("stacks.txt", undefined)).toBe("collapsed");
    expect(formatFor("p.json", undefined)).toBe("speedscope");
    expect(formatFor(undefined, undefined)).toBeUndefined();
  });
  it("lets --format win and checks it", () => {
    expect(formatFor("x.out", "pprof")).toBe("pprof");
    expect(() => formatFor("x", "png")).toThrow(/--format must be one of/);
    expect(() => formatFor("x.out", undefined)).toThrow(/cannot tell the format from "x.out"/);
  });
});
