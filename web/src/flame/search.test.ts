import { describe, expect, it } from "vitest";
import { flameFrom } from "./fixtures.test-util.js";
import { framePath, nodeAtPath } from "./frame-path.js";
import { layoutFlame } from "./layout.js";
import { exactFunction, searchFrames } from "./search.js";

const d = flameFrom({ "main;handle;parse_json": 30, "main;handle;query_db": 50, "main;parse_json": 20 });
const l = layoutFlame(d);

describe("search", () => {
  it("matches function names by regex, case-insensitive, and counts nested matches once in the share", () => {
    const r = searchFrames(d, l, "PARSE|handle");
    expect(r.count).toBe(3);
    expect(r.covered).toBeCloseTo(1.0);
    expect(searchFrames(d, l, "query").covered).toBeCloseTo(0.5);
  });

  it("searches an invalid expression as text", () => {
    const r = searchFrames(d, l, "parse_(");
    expect(r).toMatchObject({ literal: true, count: 0 });
    expect(searchFrames(d, l, "(").literal).toBe(true);
  });

  it("highlights exactly one function from a table row", () => {
    expect(searchFrames(d, l, exactFunction("parse_json")).count).toBe(2);
    expect(searchFrames(d, l, exactFunction("parse")).count).toBe(0);
  });
});

describe("frame paths", () => {
  it("name a node by the functions above it, and find it again in a new graph", () => {
    const q = d.name.findIndex((_, i) => d.strings[d.name[i] ?? 0] === "query_db");
    expect(framePath(d, q)).toBe("main;handle;query_db");
    const again = flameFrom({ "main;handle;query_db": 5, "main;other": 500 });
    const i = nodeAtPath(again, layoutFlame(again), "main;handle;query_db");
    expect(again.total[i]).toBe(5);
    expect(nodeAtPath(again, layoutFlame(again), "main;gone")).toBe(0);
    expect(nodeAtPath(again, layoutFlame(again), "")).toBe(0);
  });
});
