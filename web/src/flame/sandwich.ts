/**
 * The sandwich view of one function, merged from everywhere it appears in a flame graph:
 * its callers (who calls it, drawn upwards from it) and its callees (what it calls, drawn
 * downwards). Recursive calls count once: only outermost occurrences are merged.
 */
import { KIND_FRAME, KIND_ROOT, type FlameData } from "./flame-data.js";
import type { Layout } from "./layout.js";

interface Merged {
  name: number;
  file: number;
  line: number;
  self: number;
  total: number;
  baseSelf: number;
  baseTotal: number;
  children: Map<number, Merged>;
}

export interface Sandwich {
  /** Root: the function; children: its direct callers, then theirs. Draw inverted. */
  callers: FlameData;
  /** Root: the function; children: what it calls. */
  callees: FlameData;
  /** How many places in the graph the function appears (outermost occurrences). */
  occurrences: number;
}

function merged(data: FlameData, i: number): Merged {
  return { name: data.name[i] ?? 0, file: data.file[i] ?? 0, line: data.line[i] ?? 0, self: 0, total: 0, baseSelf: 0, baseTotal: 0, children: new Map() };
}

function childOf(data: FlameData, parent: Merged, i: number, keyOf: (i: number) => number): Merged {
  const key = keyOf(i);
  let c = parent.children.get(key);
  if (c === undefined) {
    c = merged(data, i);
    parent.children.set(key, c);
  }
  return c;
}

/** Flattens a merged tree to columns, pre-order, heaviest siblings first. */
function toData(source: FlameData, root: Merged): FlameData {
  const out: FlameData = {
    ...source,
    name: [],
    file: [],
    line: [],
    parent: [],
    self: [],
    total: [],
    baseSelf: [],
    baseTotal: [],
    kind: [],
    folded: [],
    presence: [],
    sum: root.total,
    baseSum: root.baseTotal,
    foldedNodes: 0,
    foldedSamples: 0,
  };
  const weight = (m: Merged): number => m.total + m.baseTotal;
  const visit = (m: Merged, parent: number): void => {
    const me = out.name.length;
    out.name.push(m.name);
    out.file.push(m.file);
    out.line.push(m.line);
    out.parent.push(parent);
    out.self.push(m.self);
    out.total.push(m.total);
    out.kind.push(KIND_FRAME);
    out.folded.push(0);
    if (source.diff) {
      out.baseSelf.push(m.baseSelf);
      out.baseTotal.push(m.baseTotal);
      out.presence.push(m.total > 0 && m.baseTotal > 0 ? 0 : m.total > 0 ? 2 : 1);
    }
    for (const c of [...m.children.values()].sort((a, b) => weight(b) - weight(a))) visit(c, me);
  };
  visit(root, -1);
  return out;
}

/** The sandwich of the function at node `at` (its name and file). */
export function sandwichOf(data: FlameData, layout: Layout, at: number): Sandwich {
  const name = data.name[at] ?? 0;
  const file = data.file[at] ?? 0;
  const fileCount = data.strings.length;
  const keyOf = (i: number): number => (data.name[i] ?? 0) * fileCount + (data.file[i] ?? 0);
  const isIt = (i: number): boolean => data.kind[i] === KIND_FRAME && data.name[i] === name && data.file[i] === file;
  const calleeRoot = merged(data, at);
  const callerRoot = merged(data, at);
  let occurrences = 0;
  const add = (into: Merged, i: number): void => {
    into.self += data.self[i] ?? 0;
    into.total += data.total[i] ?? 0;
    if (data.diff) {
      into.baseSelf += data.baseSelf[i] ?? 0;
      into.baseTotal += data.baseTotal[i] ?? 0;
    }
  };
  /** Callees: the subtree under an occurrence, merged by function. */
  const mergeBelow = (into: Merged, i: number): void => {
    const end = layout.end[i] ?? i + 1;
    for (let c = i + 1; c < end; c = layout.end[c] ?? c + 1) {
      const child = childOf(data, into, c, keyOf);
      add(child, c);
      mergeBelow(child, c);
    }
  };
  for (let i = 0; i < data.name.length;) {
    if (!isIt(i)) {
      i++;
      continue;
    }
    occurrences++;
    add(calleeRoot, i);
    mergeBelow(calleeRoot, i);
    // Callers: the path up to the root, weighted by this occurrence.
    add(callerRoot, i);
    let into = callerRoot;
    for (let p = data.parent[i] ?? -1; p >= 0 && data.kind[p] !== KIND_ROOT; p = data.parent[p] ?? -1) {
      into = childOf(data, into, p, keyOf);
      into.total += data.total[i] ?? 0;
      if (data.diff) into.baseTotal += data.baseTotal[i] ?? 0;
    }
    // The outermost caller is where these stacks start: their weight ends there.
    if (into !== callerRoot) {
      into.self += data.total[i] ?? 0;
      if (data.diff) into.baseSelf += data.baseTotal[i] ?? 0;
    }
    i = layout.end[i] ?? i + 1;
  }
  callerRoot.self = calleeRoot.self;
  callerRoot.baseSelf = calleeRoot.baseSelf;
  return { callers: toData(data, callerRoot), callees: toData(data, calleeRoot), occurrences };
}
