import { describe, expect, it } from "vitest";
import { NodeKind, Presence, type FlameGraph } from "@fleetprof/proto";
import { toFlameGraph } from "./flame-graph.js";
import { profileOf } from "./fixtures.test-util.js";
import { buildDiffTree, buildTree } from "./tree.js";

const opts = { maxNodes: 1000, diff: false, firstMs: 1, lastMs: 2, source: "raw" as const };

function paths(g: FlameGraph): Record<string, [number, number]> {
  const names: string[] = [];
  const out: Record<string, [number, number]> = {};
  g.nodes.forEach((n, i) => {
    const name = g.strings[n.name] ?? "?";
    names[i] = n.parent === -1 ? name : `${names[n.parent] ?? "?"};${name}`;
    out[names[i]] = [Number(n.self), Number(n.total)];
  });
  return out;
}

describe("flame graph", () => {
  const p = profileOf({ "main;a;x": 50, "main;a": 10, "main;b;x": 30, "main;c": 6, "main;d": 3, "main;e": 1 });

  it("merges stacks with self and total, pre-order, heaviest sibling first", () => {
    const g = toFlameGraph(buildTree(p), opts);
    expect(paths(g)).toEqual({
      root: [0, 100],
      "root;main": [0, 100],
      "root;main;a": [10, 60],
      "root;main;a;x": [50, 50],
      "root;main;b": [0, 30],
      "root;main;b;x": [30, 30],
      "root;main;c": [6, 6],
      "root;main;d": [3, 3],
      "root;main;e": [1, 1],
    });
    expect(g.nodes.map((n) => g.strings[n.name])).toEqual(["root", "main", "a", "x", "b", "x", "c", "d", "e"]);
    expect(g.nodes[0]?.kind).toBe(NodeKind.ROOT);
    expect(g.total).toBe(100n);
    expect(g.foldedNodes).toBe(0n);
    for (const [i, n] of g.nodes.entries()) if (i > 0) expect(n.parent).toBeLessThan(i);
  });

  it("folds the lightest children into one other node per parent within max_nodes", () => {
    const g = toFlameGraph(buildTree(p), { ...opts, maxNodes: 6 });
    expect(g.nodes.length).toBeLessThanOrEqual(6);
    const byPath = paths(g);
    expect(byPath["root;main;a"]).toEqual([10, 60]);
    const others = g.nodes.filter((n) => n.kind === NodeKind.OTHER);
    expect(others.length).toBeGreaterThan(0);
    const folded = others.reduce((s, n) => s + Number(n.total), 0);
    expect(Number(g.foldedSamples)).toBe(folded);
    expect(Number(g.foldedNodes)).toBe(others.reduce((s, n) => s + n.folded, 0));
    // Totals still add up: every parent's total is its self plus its children's totals.
    g.nodes.forEach((n, i) => {
      const kids = g.nodes.filter((c) => c.parent === i);
      if (kids.length > 0) expect(Number(n.self) + kids.reduce((s, c) => s + Number(c.total), 0)).toBe(Number(n.total));
    });
    // The whole tree is 8 nodes below the root; folded + kept frames add up.
    expect(g.nodes.filter((n) => n.kind === NodeKind.FRAME).length + Number(g.foldedNodes)).toBe(8);
  });

  it("diffs two sides with shares, presence, and both totals", () => {
    const base = profileOf({ "main;a": 50, "main;b": 50 });
    const cmp = profileOf({ "main;a": 100, "main;b": 50, "main;new": 50 });
    const g = toFlameGraph(buildDiffTree(base, cmp), { ...opts, diff: true });
    expect(g.diff).toBe(true);
    expect(g.total).toBe(200n);
    expect(g.baseTotal).toBe(100n);
    const find = (name: string) => g.nodes.find((n) => g.strings[n.name] === name);
    expect(find("a")).toMatchObject({ total: 100n, baseTotal: 50n, share: 0.5, baseShare: 0.5, presence: Presence.BOTH });
    expect(find("b")).toMatchObject({ share: 0.25, baseShare: 0.5 });
    expect(find("new")).toMatchObject({ total: 50n, baseTotal: 0n, presence: Presence.COMPARISON_ONLY });
  });

  it("keeps samples of unknown stacks visible", () => {
    const g = toFlameGraph(buildTree(profileOf({ "": 5, main: 5 })), opts);
    expect(paths(g)["root;<unknown>"]).toEqual([5, 5]);
  });
});
