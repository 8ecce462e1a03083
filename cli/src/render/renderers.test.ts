import { describe, expect, it } from "vitest";
import { buildFlameGraph } from "../../test/flame-fixture.js";
import { flameDataFrom, nodeLabel, layoutFlame } from "@fleetprof/web";
import { renderFlameSvg } from "./svg.js";
import { renderFlameTree } from "./tree.js";

const stacks = {
  "main@app.py:1;handle@app.py:2;query_db@db.py:7": 60,
  "main@app.py:1;handle@app.py:2;parse@json.py:3": 30,
  "main@app.py:1;tiny@app.py:9": 1,
  "main@app.py:1": 9,
};

describe("layout", () => {
  it("places children inside their parent, widest first, and knows each subtree's end", () => {
    const data = flameDataFrom(buildFlameGraph(stacks));
    const l = layoutFlame(data);
    expect(l.maxDepth).toBe(3);
    const idx = (name: string): number => data.name.findIndex((_, i) => nodeLabel(data, i) === name);
    expect(l.width[idx("main")]).toBeCloseTo(1);
    expect(l.width[idx("query_db")]).toBeCloseTo(0.6);
    expect(l.x[idx("parse")]).toBeCloseTo(0.6);
    expect(l.end[idx("handle")]).toBe(idx("parse") + 1);
    expect(l.end[0]).toBe(data.name.length);
  });

  it("in a diff, keeps frames present on one side only visible", () => {
    const data = flameDataFrom(buildFlameGraph({ "a;b": 10 }, { base: { "a;c": 10 } }));
    const l = layoutFlame(data);
    const c = data.name.findIndex((_, i) => nodeLabel(data, i) === "c");
    expect(l.width[c]).toBeCloseTo(0.5);
  });
});

describe("terminal tree", () => {
  it("shows totals and self, and says what it hid", () => {
    const out = renderFlameTree(flameDataFrom(buildFlameGraph(stacks)), { minShare: 0.05 });
    expect(out).toMatch(/100\.0%\s+0%\s+100\s+all/);
    expect(out).toMatch(/60\.0%\s+60\.0%\s+60\s+│?\s*[├└]─ query_db {2}db\.py:7/);
    expect(out).toContain("… 1 more below 5.00%");
    expect(out).toContain("1 subtrees below 5.00% hidden");
  });

  it("shows both sides of a diff and the change", () => {
    const out = renderFlameTree(flameDataFrom(buildFlameGraph({ "a;b": 80, "a;c": 20 }, { base: { "a;b": 50, "a;c": 50 } })));
    expect(out).toMatch(/BASE\s+COMP\s+CHANGE/);
    expect(out).toMatch(/50\.0%\s+80\.0%\s+\+30\.00 pp\s+.*b/);
    expect(out).toMatch(/50\.0%\s+20\.0%\s+-30\.00 pp\s+.*c/);
  });

  it("says when nothing matched", () => {
    expect(renderFlameTree(flameDataFrom(buildFlameGraph({})))).toMatch(/no samples/);
  });
});

describe("SVG", () => {
  it("draws each frame with a tooltip and escapes names", () => {
    const svg = renderFlameSvg(flameDataFrom(buildFlameGraph({ ...stacks, "main;<script>": 5 })), { title: "t & t" });
    expect(svg).toMatch(/^<svg xmlns/);
    expect(svg).toContain("<title>query_db (db.py:7)\nself 60 (57.1%), total 60 (57.1%)</title>");
    expect(svg).toContain("&#60;script&#62;");
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("t &#38; t");
  });

  it("states truncation", () => {
    const many: Record<string, number> = {};
    for (let i = 0; i < 50; i++) many[`main;f${String(i)}`] = 1;
    const svg = renderFlameSvg(flameDataFrom(buildFlameGraph(many, { maxNodes: 10 })), { title: "t" });
    expect(svg).toMatch(/Truncated: 42 smaller frames/);
  });

  it("colours a diff red and blue", () => {
    const svg = renderFlameSvg(flameDataFrom(buildFlameGraph({ "a;b": 80, "a;c": 20 }, { base: { "a;b": 50, "a;c": 50 } })), { title: "d" });
    expect(svg).toMatch(/<title>b[^<]*change: \+30\.00 pp<\/title><rect [^>]*fill="rgb\(215,38,30\)"/);
    expect(svg).toMatch(/<title>c[^<]*change: -30\.00 pp<\/title><rect [^>]*fill="rgb\(36,99,209\)"/);
  });
});
