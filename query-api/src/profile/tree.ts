/**
 * The call tree: every stack of one profile (or of two, for a diff) merged root→leaf, with
 * frames identified by function and file. Side 0 is the comparison (the only side of a plain
 * flame graph), side 1 the baseline.
 *
 * Fleet-wide trees have hundreds of thousands of nodes, so the tree is columns of typed arrays
 * (no object per node) and children are found through one open-addressing hash table keyed by
 * (parent, function × file). A node's id is always larger than its parent's.
 */
import type { StackProfile } from "@fleetprof/store";
import { StringTable } from "./strings.js";

export const UNKNOWN_FUNCTION = "<unknown>";

const ROOT = 0;

export class CallTree {
  readonly strings = new StringTable();
  /** Side totals: [comparison, baseline]. */
  readonly totals: [number, number] = [0, 0];
  /** Number of nodes, the root included. */
  length = 0;
  name = new Uint32Array(1024);
  file = new Uint32Array(1024);
  line = new Uint32Array(1024);
  parent = new Int32Array(1024);
  self = new Float64Array(1024);
  total = new Float64Array(1024);
  baseSelf = new Float64Array(1024);
  baseTotal = new Float64Array(1024);
  /** Dense ids of (function, file) pairs. */
  readonly #pairs = new Map<string, number>();
  #pairOf = new Uint32Array(1024);
  // Child lookup: open addressing over (parent, pair) → node id + 1 (0 = empty).
  #slots = new Int32Array(1 << 12);
  #slotParent = new Int32Array(1 << 12);
  #slotPair = new Uint32Array(1 << 12);

  constructor() {
    this.#newNode(-1, this.strings.intern("root"), this.strings.intern(""), 0, 0);
  }

  /** Nodes below the root. */
  get size(): number {
    return this.length - 1;
  }

  pairId(name: number, file: number): number {
    const k = `${String(name)}:${String(file)}`;
    let id = this.#pairs.get(k);
    if (id === undefined) {
      id = this.#pairs.size;
      this.#pairs.set(k, id);
    }
    return id;
  }

  /** Makes room for `extra` more nodes at once (one allocation instead of many doublings). */
  reserve(extra: number): void {
    const want = this.length + extra;
    // columns for half of `extra` (frame references share prefixes: a one-service tree has
    // ~0.6 nodes per reference) and one doubling if more come; child lookup slots for all
    let cap = this.name.length;
    while (cap < this.length + extra / 2) cap *= 2;
    if (cap !== this.name.length) this.#grow(cap);
    let slots = this.#slots.length;
    while (slots < want) slots *= 2;
    if (slots !== this.#slots.length) this.#rehash(slots);
  }

  #grow(cap = this.name.length * 2): void {
    const g = <T extends Uint32Array | Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      return b;
    };
    this.name = g(this.name);
    this.file = g(this.file);
    this.line = g(this.line);
    this.parent = g(this.parent);
    this.self = g(this.self);
    this.total = g(this.total);
    this.baseSelf = g(this.baseSelf);
    this.baseTotal = g(this.baseTotal);
    this.#pairOf = g(this.#pairOf);
  }

  #newNode(parent: number, name: number, file: number, line: number, pair: number): number {
    if (this.length === this.name.length) this.#grow();
    const id = this.length++;
    this.name[id] = name;
    this.file[id] = file;
    this.line[id] = line;
    this.parent[id] = parent;
    this.#pairOf[id] = pair;
    return id;
  }

  #rehash(size = this.#slots.length * 2): void {
    this.#slots = new Int32Array(size);
    this.#slotParent = new Int32Array(size);
    this.#slotPair = new Uint32Array(size);
    for (let id = 1; id < this.length; id++) this.#insertSlot(this.parent[id] as number, this.#pairOf[id] as number, id);
  }

  #insertSlot(parent: number, pair: number, id: number): void {
    const mask = this.#slots.length - 1;
    let i = hash(parent, pair) & mask;
    while (this.#slots[i] !== 0) i = (i + 1) & mask;
    this.#slots[i] = id + 1;
    this.#slotParent[i] = parent;
    this.#slotPair[i] = pair;
  }

  /** Adds samples passing through a node (the columns may have grown: always read them here). */
  add(side: 0 | 1, id: number, count: number): void {
    const a = side === 0 ? this.total : this.baseTotal;
    a[id] = (a[id] as number) + count;
  }

  /** Adds samples whose leaf is a node. */
  addSelf(side: 0 | 1, id: number, count: number): void {
    const a = side === 0 ? this.self : this.baseSelf;
    a[id] = (a[id] as number) + count;
  }

  /** The child of `parent` for (function, file) `pair`, created when missing. */
  child(parent: number, pair: number, name: number, file: number, line: number): number {
    const mask = this.#slots.length - 1;
    let i = hash(parent, pair) & mask;
    while (true) {
      const s = this.#slots[i] as number;
      if (s === 0) break;
      if (this.#slotParent[i] === parent && this.#slotPair[i] === pair) {
        const id = s - 1;
        if (this.line[id] === 0 && line !== 0) this.line[id] = line;
        return id;
      }
      i = (i + 1) & mask;
    }
    const id = this.#newNode(parent, name, file, line, pair);
    if (this.length * 2 > this.#slots.length) this.#rehash();
    else {
      this.#slots[i] = id + 1;
      this.#slotParent[i] = parent;
      this.#slotPair[i] = pair;
    }
    return id;
  }
}

function hash(parent: number, pair: number): number {
  return (Math.imul(parent, 0x9e3779b1) ^ Math.imul(pair + 0x7f4a7c15, 0x85ebca77)) >>> 0;
}

/** Merges one profile into side 0 (comparison) or 1 (baseline) of the tree. */
export function addProfile(tree: CallTree, profile: StackProfile, side: 0 | 1 = 0): void {
  const { strings } = tree;
  const n = profile.frames.length;
  const pairs = new Uint32Array(n);
  const names = new Uint32Array(n);
  const files = new Uint32Array(n);
  const lines = new Uint32Array(n);
  profile.frames.forEach((f, i) => {
    const name = strings.intern(f.function === "" ? UNKNOWN_FUNCTION : f.function);
    const file = strings.intern(f.file);
    names[i] = name;
    files[i] = file;
    lines[i] = f.line;
    pairs[i] = tree.pairId(name, file);
  });
  const unknown = strings.intern(UNKNOWN_FUNCTION);
  const noFile = strings.intern("");
  const unknownPair = tree.pairId(unknown, noFile);
  // At most one new node per frame reference; usually far fewer (shared prefixes).
  let refs = 0;
  for (const stack of profile.stacks) refs += stack.frames.length + 1;
  tree.reserve(Math.min(refs, 4_000_000));
  for (const stack of profile.stacks) {
    const count = stack.count;
    if (count === 0) continue;
    tree.totals[side] += count;
    let node = ROOT;
    tree.add(side, ROOT, count);
    const frames = stack.frames;
    if (frames.length === 0) {
      // A stack whose frames are unknown (its dictionary row is missing): keep its samples visible.
      node = tree.child(node, unknownPair, unknown, noFile, 0);
      tree.add(side, node, count);
    }
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i] as number;
      node = tree.child(node, pairs[f] as number, names[f] as number, files[f] as number, lines[f] as number);
      tree.add(side, node, count);
    }
    tree.addSelf(side, node, count);
  }
}

/** A tree of one profile. */
export function buildTree(profile: StackProfile): CallTree {
  const tree = new CallTree();
  addProfile(tree, profile, 0);
  return tree;
}

/** A tree of two profiles: comparison on side 0, baseline on side 1. */
export function buildDiffTree(base: StackProfile, comparison: StackProfile): CallTree {
  const tree = new CallTree();
  addProfile(tree, comparison, 0);
  addProfile(tree, base, 1);
  return tree;
}

/** Children of every node, as offsets into one array (CSR), built in O(nodes). */
export function childrenIndex(tree: CallTree): { start: Uint32Array; list: Uint32Array } {
  const n = tree.length;
  const start = new Uint32Array(n + 1);
  for (let id = 1; id < n; id++) {
    const at = (tree.parent[id] as number) + 1;
    start[at] = (start[at] as number) + 1;
  }
  for (let i = 0; i < n; i++) start[i + 1] = (start[i + 1] as number) + (start[i] as number);
  const fill = start.slice(0, n);
  const list = new Uint32Array(Math.max(0, n - 1));
  for (let id = 1; id < n; id++) {
    const p = tree.parent[id] as number;
    list[fill[p] as number] = id;
    fill[p] = (fill[p] as number) + 1;
  }
  return { start, list };
}

/** Nodes in each node's subtree (itself included): children have larger ids, so one backward pass. */
export function subtreeSizes(tree: CallTree): Uint32Array {
  const size = new Uint32Array(tree.length).fill(1);
  for (let id = tree.length - 1; id > 0; id--) {
    const p = tree.parent[id] as number;
    size[p] = (size[p] as number) + (size[id] as number);
  }
  return size;
}
