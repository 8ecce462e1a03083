/**
 * Field numbers of the flame graph messages, read from the generated descriptors (so the hand
 * codec in flame-graph-encode.ts and flame-graph-decode.ts follows the .proto), and which
 * responses carry a `FlameGraph` the codec handles.
 */
import type { DescMessage } from "@bufbuild/protobuf";
import { DiffFlameGraphResponseSchema, FlameGraphResponseSchema, FlameGraphSchema, FlameNodeSchema } from "@fleetprof/proto";

const node = FlameNodeSchema.field;
const graph = FlameGraphSchema.field;

/** FlameNode field numbers. */
export const NODE = {
  name: node.name.number,
  file: node.file.number,
  line: node.line.number,
  parent: node.parent.number,
  self: node.self.number,
  total: node.total.number,
  baseSelf: node.baseSelf.number,
  baseTotal: node.baseTotal.number,
  share: node.share.number,
  baseShare: node.baseShare.number,
  kind: node.kind.number,
  folded: node.folded.number,
  presence: node.presence.number,
} as const;

/** FlameGraph field numbers. */
export const GRAPH = {
  strings: graph.strings.number,
  nodes: graph.nodes.number,
  total: graph.total.number,
  baseTotal: graph.baseTotal.number,
  diff: graph.diff.number,
  foldedNodes: graph.foldedNodes.number,
  foldedSamples: graph.foldedSamples.number,
  firstSampleUnixMs: graph.firstSampleUnixMs.number,
  lastSampleUnixMs: graph.lastSampleUnixMs.number,
  source: graph.source.number,
} as const;

/**
 * The number of a response's `flame_graph` field when it is the response's lowest-numbered
 * field (protobuf writes fields in number order, so the hand-written graph goes first and the
 * rest of the response follows as protobuf-es writes it); undefined for other messages.
 */
export function flameGraphField(schema: DescMessage): number | undefined {
  if (schema.typeName !== FlameGraphResponseSchema.typeName && schema.typeName !== DiffFlameGraphResponseSchema.typeName) return undefined;
  const field = schema.fields.find((f) => f.localName === "flameGraph");
  if (field === undefined || schema.fields.some((f) => f.number < field.number)) return undefined;
  return field.number;
}

/** protobuf wire types */
export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
