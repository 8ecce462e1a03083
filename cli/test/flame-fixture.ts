/**
 * Builds `FlameGraph` messages from collapsed stacks, the way the query API shapes them
 * (pre-order, siblings by descending total, OTHER nodes for truncation), for tests.
 */
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { FlameGraphSchema, type FlameNodeSchema, NodeKind, Presence, type FlameGraph } from "@fleetprof/proto";

/** `"main;handle;parse" → 42`; a frame may carry a location: `parse@app.py:12`. */
export type Stacks = Record<string, number>;

interface Tree {
  key: string;
  self: number;
  total: number;
  baseSelf: number;
  baseTotal: number;
  children: Map<string, Tree>;
}

function node(key: string): Tree {
  return { key, self: 0, total: 0, baseSelf: 0, baseTotal: 0, children: new Map() };
}

function add(root: Tree, stacks: Stacks, base: boolean): number {
  let sum = 0;
  for (const [stack, count] of Object.entries(stacks)) {
    sum += count;
    let at = root;
    if (base) at.baseTotal += count;
    else at.total += count;
    for (const frame of stack.split(";")) {
      let child = at.children.get(frame);
      if (child === undefined) {
        child = node(frame);
        at.children.set(frame, child);
      }
      if (base) child.baseTotal += count;
      else child.total += count;
      at = child;
    }
    if (base) at.baseSelf += count;
    else at.self += count;
  }
  return sum;
}

/** The graph being written: its string table, nodes, side totals and what truncation folded. */
interface Output {
  strings: string[];
  index: Map<string, number>;
  nodes: MessageInitShape<typeof FlameNodeSchema>[];
  total: number;
  baseTotal: number;
  diff: boolean;
  maxNodes: number;
  foldedNodes: number;
  foldedSamples: number;
}

function intern(out: Output, s: string): number {
  let i = out.index.get(s);
  if (i === undefined) {
    i = out.strings.length;
    out.strings.push(s);
    out.index.set(s, i);
  }
  return i;
}

const weight = (t: Tree): number => t.total + t.baseTotal;
const countAll = (t: Tree): number => 1 + [...t.children.values()].reduce((s, c) => s + countAll(c), 0);

/** A node's samples on both sides and its shares of each side's total. */
function counts(out: Output, t: Tree): MessageInitShape<typeof FlameNodeSchema> {
  return {
    self: BigInt(t.self),
    total: BigInt(t.total),
    baseSelf: BigInt(t.baseSelf),
    baseTotal: BigInt(t.baseTotal),
    share: out.total > 0 ? t.total / out.total : 0,
    baseShare: out.baseTotal > 0 ? t.baseTotal / out.baseTotal : 0,
  };
}

function frameNode(out: Output, t: Tree, parent: number, kind: NodeKind): MessageInitShape<typeof FlameNodeSchema> {
  const [fn, loc] = t.key.split("@") as [string, string | undefined];
  const [file, line] = (loc ?? "").split(":") as [string, string | undefined];
  return {
    name: intern(out, fn),
    file: intern(out, file),
    line: Number(line ?? 0),
    parent,
    ...counts(out, t),
    kind,
    presence: !out.diff ? Presence.UNSPECIFIED : t.total === 0 ? Presence.BASE_ONLY : t.baseTotal === 0 ? Presence.COMPARISON_ONLY : Presence.BOTH,
  };
}

function otherNode(out: Output, other: Tree, parent: number, folded: number): MessageInitShape<typeof FlameNodeSchema> {
  return {
    name: 0,
    file: 0,
    parent,
    ...counts(out, other),
    kind: NodeKind.OTHER,
    folded,
  };
}

/** Writes `t` and its subtree in pre-order, heaviest child first; children past `maxNodes` fold into one OTHER node. */
function visit(out: Output, t: Tree, parent: number, kind: NodeKind): void {
  const me = out.nodes.length;
  out.nodes.push(frameNode(out, t, parent, kind));
  const children = [...t.children.values()].sort((a, b) => weight(b) - weight(a));
  const other = node("");
  let otherCount = 0;
  for (const c of children) {
    if (out.nodes.length >= out.maxNodes) {
      otherCount += countAll(c);
      other.total += c.total;
      other.baseTotal += c.baseTotal;
      other.self += c.total;
      other.baseSelf += c.baseTotal;
    } else {
      visit(out, c, me, NodeKind.FRAME);
    }
  }
  if (otherCount > 0) {
    out.foldedNodes += otherCount;
    out.foldedSamples += other.total;
    out.nodes.push(otherNode(out, other, me, otherCount));
  }
}

export function buildFlameGraph(stacks: Stacks, options: { base?: Stacks; maxNodes?: number } = {}): FlameGraph {
  const root = node("");
  const total = add(root, stacks, false);
  const diff = options.base !== undefined;
  const baseTotal = diff ? add(root, options.base ?? {}, true) : 0;
  const out: Output = {
    strings: [""],
    index: new Map([["", 0]]),
    nodes: [],
    total,
    baseTotal,
    diff,
    maxNodes: options.maxNodes ?? Infinity,
    foldedNodes: 0,
    foldedSamples: 0,
  };
  visit(out, root, -1, NodeKind.ROOT);
  return create(FlameGraphSchema, {
    strings: out.strings,
    nodes: out.nodes,
    total: BigInt(total),
    baseTotal: BigInt(baseTotal),
    diff,
    foldedNodes: BigInt(out.foldedNodes),
    foldedSamples: BigInt(out.foldedSamples),
    firstSampleUnixMs: BigInt(Date.parse("2026-11-25T10:00:00Z")),
    lastSampleUnixMs: BigInt(Date.parse("2026-11-25T11:00:00Z")),
    source: "raw",
  });
}

/** A wide and deep graph with about `count` distinct nodes. */
export function bigStacks(count: number): Stacks {
  const stacks: Stacks = {};
  let made = 0;
  for (let a = 0; made < count; a++) {
    for (let b = 0; b < 40 && made < count; b++) {
      for (let c = 0; c < 25 && made < count; c++) {
        stacks[`main@app.py:1;worker_${String(a)}@w.py:${String(a)};step_${String(b)}@s.py:${String(b)};leaf_${String(c)}@l.py:${String(c)}`] =
          1 + ((a * 7 + b * 3 + c) % 50);
        made++;
      }
    }
  }
  return stacks;
}
