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
import { childrenIndex, subtreeSizes, type CallTree } from "./tree.js";

export interface FlameGraphOptions {
  /** Keep at most this many nodes, root and "other" nodes included (at least 2). */
  maxNodes: number;
  diff: boolean;
  firstMs: number;
  lastMs: number;
  source: Source;
}

/** A max-heap of node ids by weight. */
class NodeHeap {
  readonly #ids: number[] = [];
  readonly #w: number[] = [];
  get size(): number {
    return this.#ids.length;
  }
  push(id: number, weight: number): void {
    const ids = this.#ids;
    const w = this.#w;
    let i = ids.length;
    ids.push(id);
    w.push(weight);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((w[p] as number) >= weight) break;
      ids[i] = ids[p] as number;
      w[i] = w[p] as number;
      i = p;
    }
    ids[i] = id;
    w[i] = weight;
  }
  pop(): number {
    const ids = this.#ids;
    const w = this.#w;
    const top = ids[0] as number;
    const lastId = ids.pop() as number;
    const lastW = w.pop() as number;
    if (ids.length === 0) return top;
    let i = 0;
    while (true) {
      const l = 2 * i + 1;
      if (l >= ids.length) break;
      const r = l + 1;
      const c = r < ids.length && (w[r] as number) > (w[l] as number) ? r : l;
      if ((w[c] as number) <= lastW) break;
      ids[i] = ids[c] as number;
      w[i] = w[c] as number;
      i = c;
    }
    ids[i] = lastId;
    w[i] = lastW;
    return top;
  }
}

const ZERO = 0n;
/** Most counts of a plain flame graph's baseline side are zero: no allocation for those. */
function big(v: number): bigint {
  return v === 0 ? ZERO : BigInt(v);
}

export function toFlameGraph(tree: CallTree, options: FlameGraphOptions): FlameGraph {
  const [t0, t1] = tree.totals;
  const { total, baseTotal } = tree;
  const share = (v: number, t: number): number => (t > 0 ? v / t : 0);
  const weight = options.diff
    ? (id: number): number => Math.max(share(total[id] as number, t0), share(baseTotal[id] as number, t1))
    : (id: number): number => total[id] as number;
  const maxNodes = Math.max(2, options.maxNodes);
  const { start, list } = childrenIndex(tree);
  const childCount = (id: number): number => (start[id + 1] as number) - (start[id] as number);

  // Which nodes to keep, and how many children of each kept node are not kept.
  const kept = new Uint8Array(tree.length);
  const unkept = new Uint32Array(tree.length);
  kept[0] = 1;
  const heap = new NodeHeap();
  const expand = (id: number): void => {
    unkept[id] = childCount(id);
    for (let i = start[id] as number; i < (start[id + 1] as number); i++) heap.push(list[i] as number, weight(list[i] as number));
  };
  expand(0);
  let used = 1 + (childCount(0) > 0 ? 1 : 0);
  while (heap.size > 0) {
    const next = heap.pop();
    const parent = tree.parent[next] as number;
    const parentLeft = (unkept[parent] as number) - 1;
    const cost = 1 + (childCount(next) > 0 ? 1 : 0) - (parentLeft === 0 ? 1 : 0);
    if (used + cost > maxNodes) break;
    used += cost;
    kept[next] = 1;
    unkept[parent] = parentLeft;
    expand(next);
  }

  const strings = tree.strings;
  const otherName = strings.intern("other");
  const emptyFile = strings.intern("");
  const sizes = subtreeSizes(tree);
  const nodes: FlameNode[] = [];
  let foldedNodes = 0;
  let foldedSamples = 0;
  const presence = (c: number, b: number): Presence => {
    if (!options.diff) return Presence.UNSPECIFIED;
    if (c > 0 && b > 0) return Presence.BOTH;
    return b > 0 ? Presence.BASE_ONLY : Presence.COMPARISON_ONLY;
  };
  const emit = (parent: number, name: number, file: number, line: number, self: number, tot: number, baseSelf: number, baseTot: number, kind: NodeKind, folded: number): number => {
    // A plain object with every field set is a complete message (cheaper than create()).
    nodes.push({
      $typeName: "fleetprof.v1.FlameNode",
      name,
      file,
      line,
      parent,
      self: big(self),
      total: big(tot),
      baseSelf: big(baseSelf),
      baseTotal: big(baseTot),
      share: share(tot, t0),
      baseShare: share(baseTot, t1),
      kind,
      folded,
      presence: presence(tot, baseTot),
    });
    return nodes.length - 1;
  };

  // Pre-order walk with an explicit stack (Python recursion makes deep trees). Items are node
  // ids, or -1 for an "other" node whose values sit in `others`.
  const others: { parent: number; total: number; baseTotal: number; folded: number }[] = [];
  const work: { id: number; parent: number; other: number }[] = [{ id: 0, parent: -1, other: -1 }];
  while (work.length > 0) {
    const item = work.pop() as { id: number; parent: number; other: number };
    if (item.other !== -1) {
      const o = others[item.other] as (typeof others)[number];
      emit(item.parent, otherName, emptyFile, 0, o.total, o.total, o.baseTotal, o.baseTotal, NodeKind.OTHER, o.folded);
      continue;
    }
    const id = item.id;
    const index = emit(
      item.parent,
      tree.name[id] as number,
      tree.file[id] as number,
      tree.line[id] as number,
      tree.self[id] as number,
      total[id] as number,
      tree.baseSelf[id] as number,
      baseTotal[id] as number,
      id === 0 ? NodeKind.ROOT : NodeKind.FRAME,
      0,
    );
    if (childCount(id) === 0) continue;
    const children: { item: { id: number; parent: number; other: number }; weight: number }[] = [];
    let other: (typeof others)[number] | undefined;
    for (let i = start[id] as number; i < (start[id + 1] as number); i++) {
      const c = list[i] as number;
      if (kept[c] === 1) {
        children.push({ item: { id: c, parent: index, other: -1 }, weight: weight(c) });
      } else {
        other ??= { parent: index, total: 0, baseTotal: 0, folded: 0 };
        other.total += total[c] as number;
        other.baseTotal += baseTotal[c] as number;
        other.folded += sizes[c] as number;
      }
    }
    if (other !== undefined) {
      foldedNodes += other.folded;
      foldedSamples += other.total + other.baseTotal;
      const w = options.diff ? Math.max(share(other.total, t0), share(other.baseTotal, t1)) : other.total;
      others.push(other);
      children.push({ item: { id: -1, parent: index, other: others.length - 1 }, weight: w });
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
