/**
 * A flame graph as plain columns of numbers: what every renderer reads (canvas, SVG, terminal)
 * and what an HTML flame graph embeds as JSON. Made from a `FlameGraph` message by
 * `flameDataFrom` (flame-data-from.ts).
 */
import { formatCount } from "./format.js";

/** One flame graph, node columns in pre-order (parents first, siblings heaviest first). */
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

/** A graph with no nodes (plain, no strings); builders spread it and fill what they have. */
export function emptyFlameData(): FlameData {
  return {
    diff: false,
    strings: [],
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
    sum: 0,
    baseSum: 0,
    foldedNodes: 0,
    foldedSamples: 0,
    firstSampleMs: 0,
    lastSampleMs: 0,
    source: "",
  };
}

export const KIND_FRAME = 0;
export const KIND_ROOT = 1;
export const KIND_OTHER = 2;
export const PRESENT_BOTH = 0;
export const PRESENT_BASE_ONLY = 1;
export const PRESENT_COMPARISON_ONLY = 2;

/** A node's display name: the function, "all" for the root, a summary for folded nodes. */
export function nodeLabel(data: FlameData, i: number): string {
  const kind = data.kind[i];
  if (kind === KIND_ROOT) return "all";
  if (kind === KIND_OTHER) return `… ${formatCount(data.folded[i] ?? 0)} smaller frames (folded)`;
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
