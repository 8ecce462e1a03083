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
import { NodeKind, Presence, type FlameGraph } from "@fleetprof/proto";
import type { Source } from "@fleetprof/store";
import { emptyColumns, growColumns, setNodeColumns, type NodeColumns } from "./flame-columns.js";
import { childrenIndex, subtreeSizes, type CallTree } from "./tree.js";

export interface FlameGraphOptions {
  /** Keep at most this many nodes, root and "other" nodes included (at least 2). */
  maxNodes: number;
  diff: boolean;
  firstMs: number;
  lastMs: number;
  source: Source;
}

/**
 * A max-heap of node ids by weight, in typed arrays: one shape from call to call, so the
 * optimised code of the first call serves the next ones.
 */
class NodeHeap {
  #ids = new Int32Array(256);
  #w = new Float64Array(256);
  size = 0;
  push(id: number, weight: number): void {
    if (this.size === this.#ids.length) {
      const ids = new Int32Array(this.size * 2);
      ids.set(this.#ids);
      this.#ids = ids;
      const w = new Float64Array(this.size * 2);
      w.set(this.#w);
      this.#w = w;
    }
    const ids = this.#ids;
    const w = this.#w;
    let i = this.size++;
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
    const n = --this.size;
    if (n === 0) return top;
    const lastId = ids[n] as number;
    const lastW = w[n] as number;
    let i = 0;
    while (true) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (w[r] as number) > (w[l] as number) ? r : l;
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

/** A tree with its children index and the weight truncation ranks nodes by. */
interface Fold {
  tree: CallTree;
  diff: boolean;
  /** Children of node id: list[start[id]] … list[start[id + 1] - 1]. */
  start: Uint32Array;
  list: Uint32Array;
}

const share = (v: number, t: number): number => (t > 0 ? v / t : 0);

function foldOf(tree: CallTree, diff: boolean): Fold {
  return { tree, diff, ...childrenIndex(tree) };
}

/** The weight truncation ranks a node by (a plain function, not a closure per call: no deoptimisation when the next call brings another). */
function weight(f: Fold, id: number): number {
  const { total, baseTotal, totals } = f.tree;
  return f.diff ? Math.max(share(total[id] as number, totals[0]), share(baseTotal[id] as number, totals[1])) : (total[id] as number);
}

const childCount = (f: Fold, id: number): number => (f.start[id + 1] as number) - (f.start[id] as number);

/**
 * Which nodes to keep within `maxNodes`: from the root, repeatedly the heaviest child of a kept
 * node, counting the "other" node a kept node needs while some of its children are not kept.
 */
function keepHeaviest(f: Fold, maxNodes: number): Uint8Array {
  const { tree, start, list } = f;
  const kept = new Uint8Array(tree.length);
  const unkept = new Uint32Array(tree.length);
  kept[0] = 1;
  const heap = new NodeHeap();
  const expand = (id: number): void => {
    unkept[id] = childCount(f, id);
    for (let i = start[id] as number; i < (start[id + 1] as number); i++) heap.push(list[i] as number, weight(f, list[i] as number));
  };
  expand(0);
  let used = 1 + (childCount(f, 0) > 0 ? 1 : 0);
  while (heap.size > 0) {
    const next = heap.pop();
    const parent = tree.parent[next] as number;
    const parentLeft = (unkept[parent] as number) - 1;
    const cost = 1 + (childCount(f, next) > 0 ? 1 : 0) - (parentLeft === 0 ? 1 : 0);
    if (used + cost > maxNodes) break;
    used += cost;
    kept[next] = 1;
    unkept[parent] = parentLeft;
    expand(next);
  }
  return kept;
}

/** The message's nodes, written in pre-order as columns, and what truncation folded. */
class NodeWriter {
  nodes: NodeColumns;
  foldedNodes = 0;
  foldedSamples = 0;
  readonly #t0: number;
  readonly #t1: number;
  readonly #diff: boolean;

  constructor(tree: CallTree, diff: boolean, capacity: number) {
    [this.#t0, this.#t1] = tree.totals;
    this.#diff = diff;
    this.nodes = emptyColumns(capacity);
  }

  #presence(c: number, b: number): Presence {
    if (!this.#diff) return Presence.UNSPECIFIED;
    if (c > 0 && b > 0) return Presence.BOTH;
    return b > 0 ? Presence.BASE_ONLY : Presence.COMPARISON_ONLY;
  }

  /** Appends one node; returns its index. */
  emit(
    parent: number,
    name: number,
    file: number,
    line: number,
    self: number,
    tot: number,
    baseSelf: number,
    baseTot: number,
    kind: NodeKind,
    folded: number,
  ): number {
    if (this.nodes.length === this.nodes.parent.length) this.nodes = growColumns(this.nodes, this.nodes.length * 2);
    const c = this.nodes;
    const i = c.length++;
    c.parent[i] = parent;
    c.name[i] = name;
    c.file[i] = file;
    c.line[i] = line;
    c.self[i] = self;
    c.total[i] = tot;
    c.baseSelf[i] = baseSelf;
    c.baseTotal[i] = baseTot;
    c.share[i] = share(tot, this.#t0);
    c.baseShare[i] = share(baseTot, this.#t1);
    c.kind[i] = kind;
    c.folded[i] = folded;
    c.presence[i] = this.#presence(tot, baseTot);
    return i;
  }
}

/**
 * The work stack of the pre-order walk, as columns (no object per item): a tree node (`other`
 * −1), or an "other" node (`other` ≥ 0, an index into the Others columns).
 */
class Work {
  readonly id: number[] = [];
  readonly parent: number[] = [];
  readonly other: number[] = [];
  size = 0;
  push(id: number, parent: number, other: number): void {
    const at = this.size++;
    if (at === this.id.length) {
      this.id.push(id);
      this.parent.push(parent);
      this.other.push(other);
    } else {
      this.id[at] = id;
      this.parent[at] = parent;
      this.other[at] = other;
    }
  }
}

/** The values of "other" nodes: the children of one kept node that were not kept. */
class Others {
  readonly total: number[] = [];
  readonly baseTotal: number[] = [];
  readonly folded: number[] = [];
}

/** Scratch columns of one node's kept children, reused from node to node (no allocation per node). */
class Siblings {
  item = new Int32Array(64);
  weight = new Float64Array(64);
  order = new Int32Array(64);
  size = 0;
  add(item: number, weight: number): void {
    if (this.size === this.item.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.item = grow(this.item);
      this.weight = grow(this.weight);
      this.order = grow(this.order);
    }
    this.order[this.size] = this.size;
    this.item[this.size] = item;
    this.weight[this.size++] = weight;
  }
  /** `order` by ascending weight, ties in the order added (a stable sort). */
  sort(): void {
    const { order, weight } = this;
    const n = this.size;
    if (n <= 32) {
      for (let i = 1; i < n; i++) {
        const o = order[i] as number;
        const w = weight[o] as number;
        let j = i - 1;
        while (j >= 0 && (weight[order[j] as number] as number) > w) {
          order[j + 1] = order[j] as number;
          j--;
        }
        order[j + 1] = o;
      }
      return;
    }
    const sorted = Array.from(order.subarray(0, n)).sort((a, b) => (weight[a] as number) - (weight[b] as number));
    order.set(sorted);
  }
}

/**
 * Pushes the kept children of `id` onto `work` and, when some were not kept, one "other" item
 * holding them (appended to `others`), lightest first: the walk pops the heaviest first.
 */
function pushChildren(
  f: Fold,
  kept: Uint8Array,
  sizes: Uint32Array,
  id: number,
  index: number,
  others: Others,
  out: NodeWriter,
  work: Work,
  sib: Siblings,
): void {
  const { total, baseTotal } = f.tree;
  sib.size = 0;
  let hasOther = false;
  let oTotal = 0;
  let oBase = 0;
  let oFolded = 0;
  for (let i = f.start[id] as number; i < (f.start[id + 1] as number); i++) {
    const c = f.list[i] as number;
    if (kept[c] === 1) {
      sib.add(c, weight(f, c));
    } else {
      hasOther = true;
      oTotal += total[c] as number;
      oBase += baseTotal[c] as number;
      oFolded += sizes[c] as number;
    }
  }
  if (hasOther) {
    out.foldedNodes += oFolded;
    out.foldedSamples += oTotal + oBase;
    const [t0, t1] = f.tree.totals;
    const w = f.diff ? Math.max(share(oTotal, t0), share(oBase, t1)) : oTotal;
    others.total.push(oTotal);
    others.baseTotal.push(oBase);
    others.folded.push(oFolded);
    // an "other" item: −1 − its index in `others`
    sib.add(-others.total.length, w);
  }
  // Heaviest first in the output: push lightest first onto the stack.
  sib.sort();
  for (let k = 0; k < sib.size; k++) {
    const item = sib.item[sib.order[k] as number] as number;
    if (item >= 0) work.push(item, index, -1);
    else work.push(-1, index, -item - 1);
  }
}

/** The kept nodes in pre-order (an explicit stack: Python recursion makes deep trees), "other" nodes after their kept siblings' weights say. */
function writeNodes(f: Fold, kept: Uint8Array, maxNodes: number): NodeWriter {
  const tree = f.tree;
  // every node written is kept or an "other" node: at most maxNodes, and at most two per tree node
  const out = new NodeWriter(tree, f.diff, Math.min(maxNodes, 2 * tree.length));
  const otherName = tree.strings.intern("other");
  const emptyFile = tree.strings.intern("");
  const sizes = subtreeSizes(tree);
  const others = new Others();
  const sib = new Siblings();
  const work = new Work();
  work.push(0, -1, -1);
  while (work.size > 0) {
    const at = --work.size;
    const id = work.id[at] as number;
    const parent = work.parent[at] as number;
    const other = work.other[at] as number;
    if (other !== -1) {
      const total = others.total[other] as number;
      const baseTotal = others.baseTotal[other] as number;
      out.emit(parent, otherName, emptyFile, 0, total, total, baseTotal, baseTotal, NodeKind.OTHER, others.folded[other] as number);
      continue;
    }
    const index = out.emit(
      parent,
      tree.name[id] as number,
      tree.file[id] as number,
      tree.line[id] as number,
      tree.self[id] as number,
      tree.total[id] as number,
      tree.baseSelf[id] as number,
      tree.baseTotal[id] as number,
      id === 0 ? NodeKind.ROOT : NodeKind.FRAME,
      0,
    );
    if (childCount(f, id) > 0) pushChildren(f, kept, sizes, id, index, others, out, work, sib);
  }
  return out;
}

export function toFlameGraph(tree: CallTree, options: FlameGraphOptions): FlameGraph {
  const f = foldOf(tree, options.diff);
  const maxNodes = Math.max(2, options.maxNodes);
  const kept = keepHeaviest(f, maxNodes);
  const out = writeNodes(f, kept, maxNodes);
  // A plain object with every field set is a complete message (create() would check every node).
  const graph: FlameGraph = {
    $typeName: "fleetprof.v1.FlameGraph",
    strings: tree.strings.values,
    nodes: [],
    total: BigInt(tree.totals[0]),
    baseTotal: BigInt(tree.totals[1]),
    diff: options.diff,
    foldedNodes: BigInt(out.foldedNodes),
    foldedSamples: BigInt(out.foldedSamples),
    firstSampleUnixMs: BigInt(options.firstMs),
    lastSampleUnixMs: BigInt(options.lastMs),
    source: options.source,
  };
  // the nodes stay columns until read (the gRPC encoder writes them from the columns)
  setNodeColumns(graph, out.nodes);
  return graph;
}
