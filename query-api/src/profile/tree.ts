/**
 * The call tree: every stack of one profile (or of two, for a diff) merged root→leaf, with
 * frames identified by function and file. Side 0 is the comparison (the only side of a plain
 * flame graph), side 1 the baseline.
 */
import type { StackProfile } from "@fleetprof/store";
import { StringTable } from "./strings.js";

export interface TreeNode {
  /** Index into the string table, and file; -1/-1 for the root. */
  name: number;
  file: number;
  /** The first line seen for this node, 0 when unknown. */
  line: number;
  self: [number, number];
  total: [number, number];
  children: Map<number, TreeNode>;
}

export interface CallTree {
  strings: StringTable;
  root: TreeNode;
  /** Side totals: [comparison, baseline]. */
  totals: [number, number];
  /** Nodes below the root. */
  size: number;
}

export const UNKNOWN_FUNCTION = "<unknown>";

function newNode(name: number, file: number, line: number): TreeNode {
  return { name, file, line, self: [0, 0], total: [0, 0], children: new Map() };
}

/** Creates an empty tree; add profiles with {@link addProfile}. */
export function newTree(strings = new StringTable()): CallTree {
  return { strings, root: newNode(strings.intern("root"), strings.intern(""), 0), totals: [0, 0], size: 0 };
}

/** Merges one profile into side 0 (comparison) or 1 (baseline) of the tree. */
export function addProfile(tree: CallTree, profile: StackProfile, side: 0 | 1 = 0): void {
  const { strings } = tree;
  // Per distinct frame: its node key (function × file) and line.
  const keys = new Float64Array(profile.frames.length);
  const names = new Uint32Array(profile.frames.length);
  const files = new Uint32Array(profile.frames.length);
  profile.frames.forEach((f, i) => {
    const name = strings.intern(f.function === "" ? UNKNOWN_FUNCTION : f.function);
    const file = strings.intern(f.file);
    names[i] = name;
    files[i] = file;
    keys[i] = name * 4_294_967_296 + file;
  });
  const unknown = strings.intern(UNKNOWN_FUNCTION);
  const root = tree.root;
  for (const stack of profile.stacks) {
    const count = stack.count;
    if (count === 0) continue;
    root.total[side] += count;
    tree.totals[side] += count;
    let node = root;
    if (stack.frames.length === 0) {
      // A stack whose frames are unknown (its dictionary row is missing): keep its samples visible.
      node = child(tree, node, unknown * 4_294_967_296 + unknown, unknown, strings.intern(""), 0);
      node.total[side] += count;
    }
    for (const f of stack.frames) {
      node = child(tree, node, keys[f] as number, names[f] as number, files[f] as number, profile.frames[f]?.line ?? 0);
      node.total[side] += count;
    }
    node.self[side] += count;
  }
}

function child(tree: CallTree, parent: TreeNode, key: number, name: number, file: number, line: number): TreeNode {
  let node = parent.children.get(key);
  if (node === undefined) {
    node = newNode(name, file, line);
    parent.children.set(key, node);
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
