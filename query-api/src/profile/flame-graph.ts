/**
 * From a call tree to the FlameGraph message: `max_nodes` truncation, then a flat pre-order
 * list (parents before children, siblings in descending weight).
 *
 * Truncation keeps the heaviest nodes: starting at the root it repeatedly keeps the heaviest
 * child of a kept node, so the kept set is connected and nothing heavy hides under something
 * light. A kept node whose children were not all kept gets one "other" child holding the rest;
 * other nodes count against `max_nodes`. Weight is the total; for a diff, the larger of the two
 * sides' shares, so a node heavy on either side survives.
 */
import { create } from "@bufbuild/protobuf";
import { FlameGraphSchema, NodeKind, Presence, type FlameGraph, type FlameNode } from "@fleetprof/proto";
import type { Source } from "@fleetprof/store";
import { childCount, type CallTree, type TreeNode } from "./tree.js";

export interface FlameGraphOptions {
  /** Keep at most this many nodes, root and "other" nodes included (at least 2). */
  maxNodes: number;
  diff: boolean;
  firstMs: number;
  lastMs: number;
  source: Source;
}

/** A max-heap of tree nodes by weight. */
class NodeHeap {
  readonly #items: { node: TreeNode; parent: TreeNode; weight: number }[] = [];
  get size(): number {
    return this.#items.length;
  }
  push(item: { node: TreeNode; parent: TreeNode; weight: number }): void {
    const a = this.#items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((a[p] as typeof item).weight >= item.weight) break;
      a[i] = a[p] as typeof item;
      i = p;
    }
    a[i] = item;
  }
  pop(): { node: TreeNode; parent: TreeNode; weight: number } | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    let i = 0;
    while (true) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const c = r < a.length && (a[r] as typeof last).weight > (a[l] as typeof last).weight ? r : l;
      if ((a[c] as typeof last).weight <= last.weight) break;
      a[i] = a[c] as typeof last;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

function subtreeSize(node: TreeNode): number {
  let n = 0;
  const stack = [node];
  while (stack.length > 0) {
    const x = stack.pop() as TreeNode;
    n++;
    if (x.children !== undefined) for (const c of x.children.values()) stack.push(c);
  }
  return n;
}

export function toFlameGraph(tree: CallTree, options: FlameGraphOptions): FlameGraph {
  const [t0, t1] = tree.totals;
  const weight = options.diff
    ? (n: TreeNode): number => Math.max(t0 > 0 ? n.total / t0 : 0, t1 > 0 ? n.baseTotal / t1 : 0)
    : (n: TreeNode): number => n.total;
  const maxNodes = Math.max(2, options.maxNodes);

  // Which nodes to keep, and how many children of each kept node are not kept.
  const kept = new Set<TreeNode>([tree.root]);
  const unkept = new Map<TreeNode, number>();
  const heap = new NodeHeap();
  const expand = (node: TreeNode): void => {
    if (node.children === undefined) return;
    unkept.set(node, node.children.size);
    for (const c of node.children.values()) heap.push({ node: c, parent: node, weight: weight(c) });
  };
  expand(tree.root);
  let used = 1 + (childCount(tree.root) > 0 ? 1 : 0);
  while (heap.size > 0) {
    const next = heap.pop() as { node: TreeNode; parent: TreeNode };
    const parentLeft = (unkept.get(next.parent) ?? 0) - 1;
    const cost = 1 + (childCount(next.node) > 0 ? 1 : 0) - (parentLeft === 0 ? 1 : 0);
    if (used + cost > maxNodes) break;
    used += cost;
    kept.add(next.node);
    unkept.set(next.parent, parentLeft);
    expand(next.node);
  }

  const strings = tree.strings;
  const otherName = strings.intern("other");
  const emptyFile = strings.intern("");
  const nodes: FlameNode[] = [];
  let foldedNodes = 0;
  let foldedSamples = 0;
  const presence = (total0: number, total1: number): Presence => {
    if (!options.diff) return Presence.UNSPECIFIED;
    if (total0 > 0 && total1 > 0) return Presence.BOTH;
    return total1 > 0 ? Presence.BASE_ONLY : Presence.COMPARISON_ONLY;
  };
  const share = (v: number, t: number): number => (t > 0 ? v / t : 0);
  const emit = (parent: number, n: Pick<TreeNode, "name" | "file" | "line" | "self" | "total" | "baseSelf" | "baseTotal">, kind: NodeKind, folded: number): number => {
    // A plain object with every field set is a complete message (cheaper than create()).
    nodes.push({
      $typeName: "fleetprof.v1.FlameNode",
      name: n.name,
      file: n.file,
      line: n.line,
      parent,
      self: BigInt(n.self),
      total: BigInt(n.total),
      baseSelf: BigInt(n.baseSelf),
      baseTotal: BigInt(n.baseTotal),
      share: share(n.total, t0),
      baseShare: share(n.baseTotal, t1),
      kind,
      folded,
      presence: presence(n.total, n.baseTotal),
    });
    return nodes.length - 1;
  };

  // Pre-order walk with an explicit stack (Python recursion makes deep trees).
  interface Other {
    total: number;
    baseTotal: number;
    folded: number;
  }
  interface Item {
    node: TreeNode | undefined;
    other?: Other;
    parent: number;
  }
  const work: Item[] = [{ node: tree.root, parent: -1 }];
  while (work.length > 0) {
    const item = work.pop() as Item;
    if (item.node === undefined) {
      const o = item.other as Other;
      emit(item.parent, { name: otherName, file: emptyFile, line: 0, self: o.total, total: o.total, baseSelf: o.baseTotal, baseTotal: o.baseTotal }, NodeKind.OTHER, o.folded);
      continue;
    }
    const n = item.node;
    const index = emit(item.parent, n, item.parent === -1 ? NodeKind.ROOT : NodeKind.FRAME, 0);
    if (n.children === undefined) continue;
    const children: { item: Item; weight: number }[] = [];
    let other: Other | undefined;
    for (const c of n.children.values()) {
      if (kept.has(c)) {
        children.push({ item: { node: c, parent: index }, weight: weight(c) });
      } else {
        other ??= { total: 0, baseTotal: 0, folded: 0 };
        other.total += c.total;
        other.baseTotal += c.baseTotal;
        other.folded += subtreeSize(c);
      }
    }
    if (other !== undefined) {
      foldedNodes += other.folded;
      foldedSamples += other.total + other.baseTotal;
      const w = options.diff ? Math.max(share(other.total, t0), share(other.baseTotal, t1)) : other.total;
      children.push({ item: { node: undefined, other, parent: index }, weight: w });
    }
    // Heaviest first in the output: push lightest first onto the stack.
    children.sort((a, b) => a.weight - b.weight);
    for (const c of children) work.push(c.item);
  }

  return create(FlameGraphSchema, {
    strings: strings.values,
    nodes,
    total: BigInt(t0),
    baseTotal: BigInt(t1),
    diff: options.diff,
    foldedNodes: BigInt(foldedNodes),
    foldedSamples: BigInt(foldedSamples),
    firstSampleUnixMs: BigInt(options.firstMs),
    lastSampleUnixMs: BigInt(options.lastMs),
    source: options.source,
  });
}
