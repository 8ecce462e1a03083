/**
 * The one conversion from a `FlameGraph` message (bigint counts, enums) to the plain columns
 * every renderer reads.
 */
import type { FlameGraph, NodeKind as NodeKindEnum, Presence as PresenceEnum } from "@fleetprof/proto/query";
import { NodeKind, Presence } from "./proto-enums.js";
import { KIND_FRAME, KIND_OTHER, KIND_ROOT, PRESENT_BASE_ONLY, PRESENT_BOTH, PRESENT_COMPARISON_ONLY, type FlameData } from "./flame-data.js";

function kindOf(kind: NodeKindEnum, index: number): number {
  if (kind === NodeKind.OTHER) return KIND_OTHER;
  if (kind === NodeKind.ROOT || index === 0) return KIND_ROOT;
  return KIND_FRAME;
}

function presenceOf(p: PresenceEnum): number {
  if (p === Presence.BASE_ONLY) return PRESENT_BASE_ONLY;
  if (p === Presence.COMPARISON_ONLY) return PRESENT_COMPARISON_ONLY;
  return PRESENT_BOTH;
}

/** Columns of a flame graph message; the root's parent is -1. */
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
