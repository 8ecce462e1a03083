/**
 * Protobuf binary to a `FlameGraph` (and the response carrying it) without the reflection of
 * protobuf-es: the same message objects `fromBinary` builds (every field present, uint64 as
 * bigint), several times faster for the thousands of nodes of a graph. A field it does not
 * know, a wire type it does not expect or a graph that comes twice is left to `fromBinary`
 * (which keeps unknown fields and merges repeats). flame-graph-codec.test.ts checks the
 * objects against protobuf-es.
 */
import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { FlameGraph, FlameNode } from "@fleetprof/proto";
import { flameGraphField, GRAPH, I64, LEN, NODE, VARINT } from "./flame-graph-fields.js";

/** Thrown inside the reader when the bytes need protobuf-es; never escapes this file. */
class NeedsProtobufEs extends Error {}

const utf8 = new TextDecoder();

class Reader {
  at = 0;
  readonly view: DataView;
  /** `buf` when it is a Buffer (what grpc-js hands over). */
  readonly #latin1: Buffer | undefined;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#latin1 = Buffer.isBuffer(buf) ? buf : undefined;
  }

  /** A varint as a number; throws past 2^53 (where a number is no longer exact: see `uint64`). */
  varint(): number {
    const buf = this.buf;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = buf[this.at++];
      // the eighth byte holds bits 49 to 55: below 2^53 only when it is under 16 and the last
      if (b === undefined || (i === 7 && b >= 16)) throw new NeedsProtobufEs();
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new NeedsProtobufEs();
  }

  /** A varint as a two's complement 64-bit bigint (int64, negative int32 and enums). */
  varintBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.buf[this.at++];
      if (b === undefined) throw new NeedsProtobufEs();
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asIntN(64, result);
      shift += 7n;
    }
    throw new NeedsProtobufEs();
  }

  /** int32 (and enums): its low 32 bits, signed; negative values take ten bytes. */
  int32(): number {
    const start = this.at;
    try {
      return this.varint() | 0;
    } catch {
      this.at = start;
      return Number(BigInt.asIntN(32, this.varintBig()));
    }
  }

  /** uint64 as protobuf-es reads it: a bigint. */
  uint64(): bigint {
    const start = this.at;
    try {
      return BigInt(this.varint());
    } catch {
      this.at = start;
      return BigInt.asUintN(64, this.varintBig());
    }
  }

  double(): number {
    const v = this.view.getFloat64(this.at, true);
    this.at += 8;
    return v;
  }

  string(): string {
    const len = this.varint();
    const end = this.at + len;
    const buf = this.buf;
    if (end > buf.length) throw new NeedsProtobufEs();
    let ascii = this.#latin1 !== undefined;
    for (let i = this.at; ascii && i < end; i++) ascii = (buf[i] as number) < 0x80;
    // ASCII (most function and file names) reads the same in Latin-1, without a subarray and TextDecoder
    const s = ascii ? (this.#latin1 as Buffer).toString("latin1", this.at, end) : utf8.decode(buf.subarray(this.at, end));
    this.at = end;
    return s;
  }

  /** A field's tag; throws when its wire type is not `expected`. */
  expect(tag: number, expected: number): void {
    if ((tag & 7) !== expected) throw new NeedsProtobufEs();
  }
}

function readNode(r: Reader, end: number): FlameNode {
  const n: FlameNode = {
    $typeName: "fleetprof.v1.FlameNode",
    name: 0,
    file: 0,
    line: 0,
    parent: 0,
    self: 0n,
    total: 0n,
    baseSelf: 0n,
    baseTotal: 0n,
    share: 0,
    baseShare: 0,
    kind: 0,
    folded: 0,
    presence: 0,
  };
  while (r.at < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    r.expect(tag, field === NODE.share || field === NODE.baseShare ? I64 : VARINT);
    if (field === NODE.name) n.name = r.varint() >>> 0;
    else if (field === NODE.file) n.file = r.varint() >>> 0;
    else if (field === NODE.line) n.line = r.varint() >>> 0;
    else if (field === NODE.parent) n.parent = r.int32();
    else if (field === NODE.self) n.self = r.uint64();
    else if (field === NODE.total) n.total = r.uint64();
    else if (field === NODE.baseSelf) n.baseSelf = r.uint64();
    else if (field === NODE.baseTotal) n.baseTotal = r.uint64();
    else if (field === NODE.share) n.share = r.double();
    else if (field === NODE.baseShare) n.baseShare = r.double();
    else if (field === NODE.kind) n.kind = r.int32();
    else if (field === NODE.folded) n.folded = r.varint() >>> 0;
    else if (field === NODE.presence) n.presence = r.int32();
    else throw new NeedsProtobufEs();
  }
  if (r.at !== end) throw new NeedsProtobufEs();
  return n;
}

function readGraph(r: Reader, end: number): FlameGraph {
  const g: FlameGraph = {
    $typeName: "fleetprof.v1.FlameGraph",
    strings: [],
    nodes: [],
    total: 0n,
    baseTotal: 0n,
    diff: false,
    foldedNodes: 0n,
    foldedSamples: 0n,
    firstSampleUnixMs: 0n,
    lastSampleUnixMs: 0n,
    source: "",
  };
  while (r.at < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    r.expect(tag, field === GRAPH.strings || field === GRAPH.nodes || field === GRAPH.source ? LEN : VARINT);
    if (field === GRAPH.nodes) {
      const len = r.varint();
      g.nodes.push(readNode(r, r.at + len));
    } else if (field === GRAPH.strings) g.strings.push(r.string());
    else if (field === GRAPH.total) g.total = r.uint64();
    else if (field === GRAPH.baseTotal) g.baseTotal = r.uint64();
    else if (field === GRAPH.diff) g.diff = r.varint() !== 0;
    else if (field === GRAPH.foldedNodes) g.foldedNodes = r.uint64();
    else if (field === GRAPH.foldedSamples) g.foldedSamples = r.uint64();
    else if (field === GRAPH.firstSampleUnixMs) g.firstSampleUnixMs = r.varintBig();
    else if (field === GRAPH.lastSampleUnixMs) g.lastSampleUnixMs = r.varintBig();
    else if (field === GRAPH.source) g.source = r.string();
    else throw new NeedsProtobufEs();
  }
  if (r.at !== end) throw new NeedsProtobufEs();
  return g;
}

/** Skips one field of the given wire type. */
function skip(r: Reader, wireType: number): void {
  if (wireType === VARINT) r.varintBig();
  else if (wireType === I64) r.at += 8;
  else if (wireType === LEN) {
    const len = r.varint();
    r.at += len;
  } else if (wireType === 5) r.at += 4;
  else throw new NeedsProtobufEs();
}

/**
 * A response whose flame graph is its lowest-numbered field (FlameGraphResponse,
 * DiffFlameGraphResponse) as protobuf-es's `fromBinary` reads it: the graph by hand, the rest
 * of the message by `fromBinary`.
 */
export function decodeFlameGraphResponse(schema: DescMessage, bytes: Uint8Array): MessageShape<DescMessage> {
  const field = flameGraphField(schema);
  if (field === undefined) return fromBinary(schema, bytes);
  try {
    const r = new Reader(bytes);
    let graph: FlameGraph | undefined;
    const rest: Uint8Array[] = [];
    while (r.at < bytes.length) {
      const start = r.at;
      const tag = r.varint();
      if (tag >>> 3 === field) {
        if (graph !== undefined) throw new NeedsProtobufEs(); // repeats merge: protobuf-es's job
        r.expect(tag, LEN);
        const len = r.varint();
        graph = readGraph(r, r.at + len);
      } else {
        skip(r, tag & 7);
        rest.push(bytes.subarray(start, r.at));
      }
    }
    if (r.at !== bytes.length) throw new NeedsProtobufEs();
    const message = fromBinary(schema, rest.length === 1 ? (rest[0] as Uint8Array) : Buffer.concat(rest)) as MessageShape<DescMessage> & {
      flameGraph?: FlameGraph;
    };
    if (graph !== undefined) message.flameGraph = graph;
    return message;
  } catch (err) {
    if (err instanceof NeedsProtobufEs) return fromBinary(schema, bytes);
    throw err;
  }
}
