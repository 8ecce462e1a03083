/**
 * The call tree: every stack of one profile (or of two, for a diff) merged root→leaf, with
 * frames identified by function and file. Side 0 is the comparison (the only side of a plain
 * flame graph), side 1 the baseline.
 */
import type { StackProfile } from "@fleetprof/store";
import { StringTable } from "./strings.js";

export interface TreeNode {
  /** Indexes into the string table: function and file. */
  name: number;
  file: number;
  /** The first line seen for this node, 0 when unknown. */
  line: number;
  /** Comparison side (the only side of a plain flame graph). */
  self: number;
  total: number;
  /** Baseline side (diffs). */
  baseSelf: number;
  baseTotal: number;
  /** Children by function × file key; undefined for leaves. */
  children: Map<number, TreeNode> | undefined;
}

export interface CallTree {
  strings: StringTable;
  /** Dense ids of (function, file) pairs: small integers make fast Map keys. */
  keys: Map<string, number>;
  root: TreeNode;
  /** Side totals: [comparison, baseline]. */
  totals: [number, number];
  /** Nodes below the root. */
  size: number;
}

export const UNKNOWN_FUNCTION = "<unknown>";

function newNode(name: number, file: number, line: number): TreeNode {
  return { name, file, line, self: 0, total: 0, baseSelf: 0, baseTotal: 0, children: undefined };
}

export function childCount(node: TreeNode): number {
  return node.children === undefined ? 0 : node.children.size;
}

function keyOf(tree: CallTree, name: number, file: number): number {
  const k = `${String(name)}:${String(file)}`;
  let id = tree.keys.get(k);
  if (id === undefined) {
    id = tree.keys.size;
    tree.keys.set(k, id);
  }
  return id;
}

/** Creates an empty tree; add profiles with {@link addProfile}. */
export function newTree(strings = new StringTable()): CallTree {
  return { strings, keys: new Map(), root: newNode(strings.intern("root"), strings.intern(""), 0), totals: [0, 0], size: 0 };
}

/** Merges one profile into side 0 (comparison) or 1 (baseline) of the tree. */
export function addProfile(tree: CallTree, profile: StackProfile, side: 0 | 1 = 0): void {
  const { strings } = tree;
  // Per distinct frame: its node key (function × file), names and line.
  const n = profile.frames.length;
  const keys = new Uint32Array(n);
  const names = new Uint32Array(n);
  const files = new Uint32Array(n);
  const lines = new Uint32Array(n);
  profile.frames.forEach((f, i) => {
    const name = strings.intern(f.function === "" ? UNKNOWN_FUNCTION : f.function);
    const file = strings.intern(f.file);
    names[i] = name;
    files[i] = file;
    lines[i] = f.line;
    keys[i] = keyOf(tree, name, file);
  });
  const unknown = strings.intern(UNKNOWN_FUNCTION);
  const noFile = strings.intern("");
  const unknownKey = keyOf(tree, unknown, noFile);
  const root = tree.root;
  for (const stack of profile.stacks) {
    const count = stack.count;
    if (count === 0) continue;
    tree.totals[side] += count;
    let node = root;
    add(node, side, count);
    const frames = stack.frames;
    if (frames.length === 0) {
      // A stack whose frames are unknown (its dictionary row is missing): keep its samples visible.
      node = child(tree, node, unknownKey, unknown, noFile, 0);
      add(node, side, count);
    }
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i] as number;
      node = child(tree, node, keys[f] as number, names[f] as number, files[f] as number, lines[f] as number);
      add(node, side, count);
    }
    if (side === 0) node.self += count;
    else node.baseSelf += count;
  }
}

function add(node: TreeNode, side: 0 | 1, count: number): void {
  if (side === 0) node.total += count;
  else node.baseTotal += count;
}

function child(tree: CallTree, parent: TreeNode, key: number, name: number, file: number, line: number): TreeNode {
  let children = parent.children;
  if (children === undefined) {
    children = new Map();
    parent.children = children;
  }
  let node = children.get(key);
  if (node === undefined) {
    node = newNode(name, file, line);
    children.set(key, node);
    tree.size++;
  } else if (node.line === 0 && line !== 0) {
    node.line = line;
  }
  return node;
}

/** A tree of one profile. */
export function buildTree(profile: StackProfile): CallTree {
  const tree = newTree();
  addProfile(tree, profile, 0);
  return tree;
}

/** A tree of two profiles: comparison on side 0, baseline on side 1. */
export function buildDiffTree(base: StackProfile, comparison: StackProfile): CallTree {
  const tree = newTree();
  addProfile(tree, comparison, 0);
  addProfile(tree, base, 1);
  return tree;
}
