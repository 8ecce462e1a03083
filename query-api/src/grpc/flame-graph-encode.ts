/**
 * A `FlameGraph` (and the response carrying it) to protobuf binary without the reflection of
 * protobuf-es: the byte-for-byte output of protobuf-es's `toBinary` (fields in number order,
 * zero values of implicit-presence fields left out, `-0` kept, negative int32 as ten bytes),
 * several times faster for the thousands of nodes of a graph. A message it does not expect
 * (unknown fields, a value of another type) is left to `toBinary`: `encodeFlameGraph` returns
 * undefined. flame-graph-codec.test.ts checks the bytes against protobuf-es.
 */
import { toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { FlameGraph, FlameNode } from "@fleetprof/proto";
import { nodeColumns, type NodeColumns } from "../profile/flame-columns.js";
import { flameGraphField, GRAPH, I64, LEN, NODE, VARINT } from "./flame-graph-fields.js";

class Writer {
  buf: Buffer;
  #view: DataView;
  at = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
    this.#view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  ensure(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
    this.#view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** An unsigned varint below 2^53. */
  varint(v: number): void {
    const buf = this.buf;
    let at = this.at;
    if (v < 0x80) {
      buf[at] = v;
      this.at = at + 1;
      return;
    }
    if (v < 0x80000000) {
      // integer arithmetic below 2^31
      while (v >= 0x80) {
        buf[at++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[at++] = v;
      this.at = at;
      return;
    }
    while (v >= 0x80) {
      buf[at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    buf[at++] = v;
    this.at = at;
  }

  /** A 64-bit two's complement value as a varint (negative int32 and int64). */
  varintBig(v: bigint): void {
    let u = BigInt.asUintN(64, v);
    const buf = this.buf;
    while (u >= 0x80n) {
      buf[this.at++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    buf[this.at++] = Number(u);
  }

  /** Room for a length prefix of one byte, before a message of unknown length; returns where it is. */
  beginLength(): number {
    const start = this.at;
    this.at++;
    return start;
  }

  /** Writes the length of what follows `start` (from {@link beginLength}), moving it when the prefix takes more than one byte. */
  endLength(start: number): void {
    const len = this.at - start - 1;
    const extra = varintSize(len) - 1;
    if (extra > 0) {
      this.ensure(extra);
      this.buf.copy(this.buf, start + 1 + extra, start + 1, this.at);
    }
    this.at = start;
    this.varint(len);
    this.at += len;
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  /** An unsigned field (uint32, uint64 below 2^53), left out when zero. */
  unsigned(field: number, v: number): void {
    if (v === 0) return;
    this.tag(field, VARINT);
    this.varint(v);
  }

  /** An int32 or enum field, left out when zero; negative values take ten bytes. */
  signed(field: number, v: number): void {
    if (v === 0) return;
    this.tag(field, VARINT);
    if (v > 0) this.varint(v);
    else this.varintBig(BigInt(v));
  }

  /** An int64 field, left out when zero. */
  signedBig(field: number, v: bigint): void {
    if (v === 0n) return;
    this.tag(field, VARINT);
    this.varintBig(v);
  }

  /** A double field, left out when +0 (protobuf-es writes -0). */
  doubleField(field: number, v: number): void {
    if (Object.is(v, 0)) return;
    this.tag(field, I64);
    this.double(v);
  }

  double(v: number): void {
    this.#view.setFloat64(this.at, v, true);
    this.at += 8;
  }
}

/** Bytes of an unsigned varint. */
function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A uint64 field's value as a number, or undefined when it is not a bigint in [0, 2^53). */
function u64(v: unknown): number | undefined {
  return typeof v === "bigint" && v >= 0n && v <= MAX_SAFE ? Number(v) : undefined;
}

/** The largest encoding of one FlameNode's fields (13 fields, ten-byte varints, two doubles). */
const NODE_MAX = 13 + 10 * 9 + 8 * 2;

const isU32 = (v: number): boolean => v >>> 0 === v;
const isI32 = (v: number): boolean => (v | 0) === v;

/** The node's 32-bit fields are what toBinary would accept, and it has no unknown fields. */
function plainNode(n: FlameNode): boolean {
  return (
    n.$unknown === undefined &&
    isU32(n.name) &&
    isU32(n.file) &&
    isU32(n.line) &&
    isU32(n.folded) &&
    isI32(n.parent) &&
    isI32(n.kind) &&
    isI32(n.presence) &&
    typeof n.share === "number" &&
    typeof n.baseShare === "number"
  );
}

/** One node's fields; false when the node holds something toBinary must handle. */
function writeNode(w: Writer, n: FlameNode): boolean {
  const self = u64(n.self);
  const total = u64(n.total);
  const baseSelf = u64(n.baseSelf);
  const baseTotal = u64(n.baseTotal);
  if (self === undefined || total === undefined || baseSelf === undefined || baseTotal === undefined || !plainNode(n)) return false;
  const start = w.beginLength();
  w.unsigned(NODE.name, n.name);
  w.unsigned(NODE.file, n.file);
  w.unsigned(NODE.line, n.line);
  w.signed(NODE.parent, n.parent);
  w.unsigned(NODE.self, self);
  w.unsigned(NODE.total, total);
  w.unsigned(NODE.baseSelf, baseSelf);
  w.unsigned(NODE.baseTotal, baseTotal);
  w.doubleField(NODE.share, n.share);
  w.doubleField(NODE.baseShare, n.baseShare);
  w.signed(NODE.kind, n.kind);
  w.unsigned(NODE.folded, n.folded);
  w.signed(NODE.presence, n.presence);
  w.endLength(start);
  return true;
}

/** Node `i` of a graph's columns (see profile/flame-columns.ts): the same bytes as {@link writeNode} of its FlameNode. */
function writeColumnNode(w: Writer, c: NodeColumns, i: number): void {
  const start = w.beginLength();
  w.unsigned(NODE.name, c.name[i] as number);
  w.unsigned(NODE.file, c.file[i] as number);
  w.unsigned(NODE.line, c.line[i] as number);
  w.signed(NODE.parent, c.parent[i] as number);
  w.unsigned(NODE.self, c.self[i] as number);
  w.unsigned(NODE.total, c.total[i] as number);
  w.unsigned(NODE.baseSelf, c.baseSelf[i] as number);
  w.unsigned(NODE.baseTotal, c.baseTotal[i] as number);
  w.doubleField(NODE.share, c.share[i] as number);
  w.doubleField(NODE.baseShare, c.baseShare[i] as number);
  w.signed(NODE.kind, c.kind[i] as number);
  w.unsigned(NODE.folded, c.folded[i] as number);
  w.signed(NODE.presence, c.presence[i] as number);
  w.endLength(start);
}

function writeString(w: Writer, field: number, s: string): void {
  const n = s.length;
  if (n < 0x80 && field < 16) {
    // ASCII (most function and file names): the bytes are the char codes
    w.ensure(2 + n);
    const buf = w.buf;
    const start = w.at;
    let at = start + 2;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at++] = c;
    }
    if (i === n) {
      buf[start] = (field << 3) | LEN;
      buf[start + 1] = n;
      w.at = at;
      return;
    }
  }
  const len = Buffer.byteLength(s, "utf8");
  w.ensure(10 + len);
  w.tag(field, LEN);
  w.varint(len);
  w.buf.write(s, w.at, "utf8");
  w.at += len;
}

/** The fields after `nodes`; false when one holds something toBinary must handle. */
function writeGraphTail(w: Writer, g: FlameGraph): boolean {
  const total = u64(g.total);
  const baseTotal = u64(g.baseTotal);
  const foldedNodes = u64(g.foldedNodes);
  const foldedSamples = u64(g.foldedSamples);
  if (total === undefined || baseTotal === undefined || foldedNodes === undefined || foldedSamples === undefined) return false;
  if (typeof g.firstSampleUnixMs !== "bigint" || typeof g.lastSampleUnixMs !== "bigint") return false;
  w.ensure(6 * 11 + 2 * 11);
  w.unsigned(GRAPH.total, total);
  w.unsigned(GRAPH.baseTotal, baseTotal);
  w.unsigned(GRAPH.diff, g.diff ? 1 : 0);
  w.unsigned(GRAPH.foldedNodes, foldedNodes);
  w.unsigned(GRAPH.foldedSamples, foldedSamples);
  w.signedBig(GRAPH.firstSampleUnixMs, g.firstSampleUnixMs);
  w.signedBig(GRAPH.lastSampleUnixMs, g.lastSampleUnixMs);
  if (g.source !== "") writeString(w, GRAPH.source, g.source);
  return true;
}

/** A FlameGraph's fields (not wrapped in a tag), or undefined when toBinary must encode it. */
export function encodeFlameGraph(g: FlameGraph): Buffer | undefined {
  if (g.$unknown !== undefined || typeof g.source !== "string" || typeof g.diff !== "boolean") return undefined;
  // columns when the graph's nodes were never read (profile/flame-columns.ts), else the nodes
  const columns = nodeColumns(g);
  const w = new Writer(64 + (columns?.length ?? g.nodes.length) * 48 + g.strings.length * 32);
  for (const s of g.strings) {
    if (typeof s !== "string") return undefined;
    writeString(w, GRAPH.strings, s);
  }
  const nodeTag = (GRAPH.nodes << 3) | LEN;
  if (columns !== undefined) {
    for (let i = 0; i < columns.length; i++) {
      w.ensure(NODE_MAX + 4);
      w.varint(nodeTag);
      writeColumnNode(w, columns, i);
    }
  } else {
    for (const n of g.nodes) {
      w.ensure(NODE_MAX + 4);
      w.varint(nodeTag);
      if (!writeNode(w, n)) return undefined;
    }
  }
  if (!writeGraphTail(w, g)) return undefined;
  return w.buf.subarray(0, w.at);
}

/** A flame graph as the payload of a length-delimited field (its length, then its fields), or undefined when toBinary must encode it. */
export function encodeFlameGraphPayload(g: FlameGraph): Buffer | undefined {
  const body = encodeFlameGraph(g);
  if (body === undefined) return undefined;
  const head = new Writer(10);
  head.varint(body.length);
  return Buffer.concat([head.buf.subarray(0, head.at), body]);
}

/**
 * A response whose lowest-numbered field is its flame graph (FlameGraphResponse,
 * DiffFlameGraphResponse) as protobuf-es's `toBinary` writes it: the graph by hand, the rest
 * of the message by `toBinary`.
 */
export function encodeFlameGraphResponse(schema: DescMessage, message: MessageShape<DescMessage>): Buffer {
  const field = flameGraphField(schema);
  const graph = (message as { flameGraph?: FlameGraph }).flameGraph;
  const body = field === undefined || graph === undefined ? undefined : encodeFlameGraph(graph);
  if (field === undefined || body === undefined) return Buffer.from(toBinary(schema, message));
  const rest = toBinary(schema, { ...message, flameGraph: undefined } as MessageShape<DescMessage>);
  const head = new Writer(12);
  head.tag(field, LEN);
  head.varint(body.length);
  return Buffer.concat([head.buf.subarray(0, head.at), body, rest]);
}
