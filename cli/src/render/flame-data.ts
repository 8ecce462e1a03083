/**
 * The one conversion from a `FlameGraph` message (bigint counts, enums) to plain columns of
 * numbers that every renderer reads, and that the HTML page embeds as JSON.
 */
import { NodeKind, Presence, type FlameGraph } from "@fleetprof/proto";

export interface FlameData {
  diff: boolean;
  strings: string[];
  /** Per node, pre-order; index into strings. */
  name: number[];
  file: number[];
  line: number[];
  parent: number[];
  self: number[];
  total: number[];
  /** Diff graphs only (empty otherwise). */
  baseSelf: number[];
  baseTotal: number[];
  /** 0 frame, 1 root, 2 other (folded by truncation). */
  kind: number[];
  /** OTHER nodes: how many nodes were folded into them. */
  folded: number[];
  /** Diff graphs only: 0 both, 1 baseline only, 2 comparison only. */
  presence: number[];
  /** Samples on the comparison side (the only side of a plain graph). */
  sum: number;
  baseSum: number;
  foldedNodes: number;
  foldedSamples: number;
  firstSampleMs: number;
  lastSampleMs: number;
  source: string;
}

export const KIND_FRAME = 0;
export const KIND_ROOT = 1;
export const KIND_OTHER = 2;
export const PRESENT_BOTH = 0;
export const PRESENT_BASE_ONLY = 1;
export const PRESENT_COMPARISON_ONLY = 2;

function kindOf(kind: NodeKind, index: number): number {
  if (kind === NodeKind.OTHER) return KIND_OTHER;
  if (kind === NodeKind.ROOT || index === 0) return KIND_ROOT;
  return KIND_FRAME;
}

function presenceOf(p: Presence): number {
  if (p === Presence.BASE_ONLY) return PRESENT_BASE_ONLY;
  if (p === Presence.COMPARISON_ONLY) return PRESENT_COMPARISON_ONLY;
  return PRESENT_BOTH;
}

export function flameDataFrom(graph: FlameGraph): FlameData {
  const n = graph.nodes.length;
  const data: FlameData = {
    diff: graph.diff,
    strings: graph.strings,
    name: new Array<number>(n),
    file: new Array<number>(n),
    line: new Array<number>(n),
    parent: new Array<number>(n),
    self: new Array<number>(n),
    total: new Array<number>(n),
    baseSelf: graph.diff ? new Array<number>(n) : [],
    baseTotal: graph.diff ? new Array<number>(n) : [],
    kind: new Array<number>(n),
    folded: new Array<number>(n),
    presence: graph.diff ? new Array<number>(n) : [],
    sum: Number(graph.total),
    baseSum: Number(graph.baseTotal),
    foldedNodes: Number(graph.foldedNodes),
    foldedSamples: Number(graph.foldedSamples),
    firstSampleMs: Number(graph.firstSampleUnixMs),
    lastSampleMs: Number(graph.lastSampleUnixMs),
    source: graph.source,
  };
  graph.nodes.forEach((node, i) => {
    data.name[i] = node.name;
    data.file[i] = node.file;
    data.line[i] = node.line;
    data.parent[i] = i === 0 ? -1 : node.parent;
    data.self[i] = Number(node.self);
    data.total[i] = Number(node.total);
    data.kind[i] = kindOf(node.kind, i);
    data.folded[i] = node.folded;
    if (graph.diff) {
      data.baseSelf[i] = Number(node.baseSelf);
      data.baseTotal[i] = Number(node.baseTotal);
      data.presence[i] = presenceOf(node.presence);
    }
  });
  return data;
}

/** A node's display name: the function, "all" for the root, a summary for folded nodes. */
export function nodeLabel(data: FlameData, i: number): string {
  const kind = data.kind[i];
  if (kind === KIND_ROOT) return "all";
  if (kind === KIND_OTHER) return `… ${String(data.folded[i] ?? 0)} smaller frames (folded)`;
  return data.strings[data.name[i] ?? 0] ?? "?";
}

/** `file:line`, or "" when unknown. */
export function nodeLocation(data: FlameData, i: number): string {
  if (data.kind[i] !== KIND_FRAME) return "";
  const file = data.strings[data.file[i] ?? 0] ?? "";
  const line = data.line[i] ?? 0;
  if (file === "") return "";
  return line > 0 ? `${file}:${String(line)}` : file;
}

/** Share of each side's total in [0, 1]; in a plain graph both equal the one share. */
export function shares(data: FlameData, i: number): { share: number; baseShare: number } {
  const share = data.sum > 0 ? (data.total[i] ?? 0) / data.sum : 0;
  if (!data.diff) return { share, baseShare: share };
  const baseShare = data.baseSum > 0 ? (data.baseTotal[i] ?? 0) / data.baseSum : 0;
  return { share, baseShare };
}
