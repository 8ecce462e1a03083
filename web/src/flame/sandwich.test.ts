import { describe, expect, it } from "vitest";
import { nodeLabel, type FlameData } from "./flame-data.js";
import { flameFrom } from "./fixtures.test-util.js";
import { layoutFlame } from "./layout.js";
import { sandwichOf } from "./sandwich.js";

/** Children of node i as "name=total" in drawing order. */
function children(d: FlameData, i: number): string[] {
  const out: string[] = [];
  for (let c = 0; c < d.name.length; c++) if (d.parent[c] === i) out.push(`${nodeLabel(d, c)}=${String(d.total[c])}`);
  return out;
}

describe("sandwich", () => {
  const d = flameFrom({
    "main;handle;parse;read": 30,
    "main;handle;parse": 10,
    "main;batch;parse;read": 20,
    "main;batch;parse;parse;read": 5, // recursion: counted once
    "main;idle": 35,
  });
  const l = layoutFlame(d);

  it("merges a function's callees from everywhere it appears, recursion counted once", () => {
    const s = sandwichOf(
      d,
      l,
      d.name.findIndex((_, i) => nodeLabel(d, i) === "parse"),
    );
    expect(s.occurrences).toBe(2);
    expect(nodeLabel(s.callees, 0)).toBe("parse");
    expect(s.callees.total[0]).toBe(65);
    expect(s.callees.self[0]).toBe(10);
    expect(children(s.callees, 0)).toEqual(["read=50", "parse=5"]);
    expect(s.callees.sum).toBe(65);
  });

  it("merges its callers upwards, each path weighted by the calls it makes", () => {
    const s = sandwichOf(
      d,
      l,
      d.name.findIndex((_, i) => nodeLabel(d, i) === "parse"),
    );
    expect(nodeLabel(s.callers, 0)).toBe("parse");
    expect(children(s.callers, 0)).toEqual(["handle=40", "batch=25"]);
    const handle = s.callers.name.findIndex((_, i) => nodeLabel(s.callers, i) === "handle");
    expect(children(s.callers, handle)).toEqual(["main=40"]);
    const main = s.callers.name.findIndex((_, i) => nodeLabel(s.callers, i) === "main");
    expect(s.callers.self[main]).toBe(40);
  });

  it("keeps both sides of a diff", () => {
    const diff = flameFrom({ "main;a;x": 10, "main;b;x": 30 }, { "main;a;x": 20 });
    const s = sandwichOf(
      diff,
      layoutFlame(diff),
      diff.name.findIndex((_, i) => nodeLabel(diff, i) === "x"),
    );
    expect([s.callees.total[0], s.callees.baseTotal[0]]).toEqual([40, 20]);
    const b = s.callers.name.findIndex((_, i) => nodeLabel(s.callers, i) === "b");
    expect(s.callers.presence[b]).toBe(2);
  });
});
