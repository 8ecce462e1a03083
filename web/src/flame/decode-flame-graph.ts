/**
 * A `FlameGraphResponse` (binary) read straight into flame graph columns, without the
 * protobuf runtime's reflection or bigints: the Explore page's first flame graph is decoded by a
 * page whose JavaScript has not warmed up yet, where this is several times faster. Fields it
 * does not know are skipped. `decode-flame-graph.test.ts` checks it against protobuf-es and
 * `flameDataFrom` on the same messages.
 */
import { emptyFlameData, KIND_FRAME, KIND_OTHER, KIND_ROOT, PRESENT_BASE_ONLY, PRESENT_BOTH, PRESENT_COMPARISON_ONLY, type FlameData } from "./flame-data.js";

/** proto enum values (query.proto): NodeKind ROOT 1, OTHER 3; Presence BASE_ONLY 2, COMPARISON_ONLY 3. */
const NODE_KIND_ROOT = 1;
const NODE_KIND_OTHER = 3;
const PRESENCE_BASE_ONLY = 2;
const PRESENCE_COMPARISON_ONLY = 3;
/** FlameGraph's tags of `strings` (field 1) and `nodes` (field 2), both length-delimited. */
const STRING_TAG = 0x0a;
const NODE_TAG = 0x12;

class Reader {
  at = 0;
  constructor(readonly buf: Uint8Array) {}

  /** A varint as a number (exact below 2^53, which every count and time here is). */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.buf[this.at++];
      if (b === undefined) throw new Error("flame graph: truncated message");
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
  }

  /** A varint's low 32 bits as a signed int (int32, where -1 takes ten bytes). */
  int32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.at++];
      if (b === undefined) throw new Error("flame graph: truncated message");
      if (shift < 32) result |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) return result | 0;
    }
  }

  bytes(): Uint8Array {
    const len = this.varint();
    const out = this.buf.subarray(this.at, this.at + len);
    this.at += len;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.at += 8;
    else if (wireType === 2) {
      // the length first: `this.at += this.varint()` would add it to the position before the length's bytes
      const len = this.varint();
      this.at += len;
    } else if (wireType === 5) this.at += 4;
    else throw new Error(`flame graph: unsupported wire type ${String(wireType)}`);
  }
}

const utf8 = new TextDecoder();
/** windows-1252 (what "latin1" means to TextDecoder): one UTF-16 unit per byte, so offsets carry over. */
const singleByte = new TextDecoder("latin1");
const NON_ASCII = /[\u0080-\uffff]/g;

/**
 * The strings at these byte ranges (increasing, not overlapping) of `buf`. The span from the
 * first to the last is decoded in one native call, one byte to one character, and ASCII strings
 * (Python's names and paths, nearly always) are cut out of it; a string with any other byte is
 * decoded as UTF-8 on its own. A thousand strings decoded one call each took ~1 ms of a cold
 * page's decode.
 */
function decodeStrings(buf: Uint8Array, starts: number[], ends: number[]): string[] {
  const n = starts.length;
  const from = starts[0] ?? 0;
  const span = singleByte.decode(buf.subarray(from, ends[n - 1] ?? 0));
  const nonAscii: number[] = [];
  NON_ASCII.lastIndex = 0;
  for (let m = NON_ASCII.exec(span); m !== null; m = NON_ASCII.exec(span)) nonAscii.push(m.index);
  nonAscii.push(Infinity);
  const out: string[] = [];
  let next = 0;
  for (let k = 0; k < n; k++) {
    const a = (starts[k] ?? 0) - from;
    const b = (ends[k] ?? 0) - from;
    while ((nonAscii[next] ?? Infinity) < a) next++;
    out.push((nonAscii[next] ?? Infinity) < b ? utf8.decode(buf.subarray(a + from, b + from)) : span.slice(a, b));
  }
  return out;
}

/**
 * One FlameNode appended to the columns (diff-only columns filled later when the graph is a
 * diff). Tags and varints are read inline with the position in a local, without a call per
 * field: the first graph of a page is decoded by code the engine still interprets, where every
 * call and property access counts, and most of a node's values (names, lines, parents, totals,
 * the share's double) do not fit one byte.
 */
function readNode(r: Reader, end: number, d: FlameData, nodeBase: { baseSelf: number[]; baseTotal: number[]; presence: number[] }): void {
  const i = d.name.length;
  const buf = r.buf;
  let at = r.at;
  let name = 0,
    file = 0,
    line = 0,
    parent = 0,
    self = 0,
    total = 0,
    baseSelf = 0,
    baseTotal = 0,
    kind = 0,
    folded = 0,
    presence = 0;
  while (at < end) {
    const tag = buf[at++] ?? 0;
    const wireType = tag & 7;
    // every FlameNode field's number fits a one-byte tag; a longer tag is an unknown field
    if (tag >= 0x80 || wireType !== 0) {
      // the node's shares: doubles the columns do not keep (layout.ts computes widths from counts)
      if (tag < 0x80 && wireType === 1) {
        at += 8;
        continue;
      }
      r.at = at - 1;
      r.skip(r.varint() & 7);
      at = r.at;
      continue;
    }
    const start = at;
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = buf[at++];
      if (b === undefined) throw new Error("flame graph: truncated message");
      v += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
    }
    switch (tag >>> 3) {
      case 1:
        name = v;
        break;
      case 2:
        file = v;
        break;
      case 3:
        line = v;
        break;
      case 4:
        // int32: beyond four bytes the value may be negative (ten bytes), read as such
        if (at - start > 4) {
          r.at = start;
          v = r.int32();
        }
        parent = v;
        break;
      case 5:
        self = v;
        break;
      case 6:
        total = v;
        break;
      case 7:
        baseSelf = v;
        break;
      case 8:
        baseTotal = v;
        break;
      case 11:
        kind = v;
        break;
      case 12:
        folded = v;
        break;
      case 13:
        presence = v;
        break;
    }
  }
  r.at = at;
  d.name.push(name);
  d.file.push(file);
  d.line.push(line);
  d.parent.push(i === 0 ? -1 : parent);
  d.self.push(self);
  d.total.push(total);
  d.kind.push(kind === NODE_KIND_OTHER ? KIND_OTHER : kind === NODE_KIND_ROOT || i === 0 ? KIND_ROOT : KIND_FRAME);
  d.folded.push(folded);
  nodeBase.baseSelf.push(baseSelf);
  nodeBase.baseTotal.push(baseTotal);
  nodeBase.presence.push(presence === PRESENCE_BASE_ONLY ? PRESENT_BASE_ONLY : presence === PRESENCE_COMPARISON_ONLY ? PRESENT_COMPARISON_ONLY : PRESENT_BOTH);
}

function readGraph(r: Reader, end: number): FlameData {
  const d = emptyFlameData();
  const base = { baseSelf: [] as number[], baseTotal: [] as number[], presence: [] as number[] };
  const stringStarts: number[] = [];
  const stringEnds: number[] = [];
  const buf = r.buf;
  while (r.at < end) {
    // a node or a string shorter than 128 bytes (nearly every field of a graph): tag and length
    // read in place, without a call each
    const tag0 = buf[r.at] ?? 0;
    const len0 = buf[r.at + 1] ?? 0x80;
    if (len0 < 0x80 && (tag0 === NODE_TAG || tag0 === STRING_TAG)) {
      const from = r.at + 2;
      if (tag0 === NODE_TAG) {
        r.at = from;
        readNode(r, from + len0, d, base);
      } else {
        stringStarts.push(from);
        stringEnds.push(from + len0);
        r.at = from + len0;
      }
      continue;
    }
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1) {
      const len = r.varint();
      stringStarts.push(r.at);
      r.at += len;
      stringEnds.push(r.at);
    } else if (field === 2) {
      const len = r.varint();
      readNode(r, r.at + len, d, base);
    } else if (field === 3) d.sum = r.varint();
    else if (field === 4) d.baseSum = r.varint();
    else if (field === 5) d.diff = r.varint() !== 0;
    else if (field === 6) d.foldedNodes = r.varint();
    else if (field === 7) d.foldedSamples = r.varint();
    else if (field === 8) d.firstSampleMs = r.varint();
    else if (field === 9) d.lastSampleMs = r.varint();
    else if (field === 10) d.source = utf8.decode(r.bytes());
    else r.skip(tag & 7);
  }
  if (stringStarts.length > 0) d.strings = decodeStrings(r.buf, stringStarts, stringEnds);
  if (d.diff) Object.assign(d, base);
  return d;
}

/** The flame graph of a binary `FlameGraphResponse` (or `DiffFlameGraphResponse`: same shape). */
export function decodeFlameGraphResponse(bytes: Uint8Array): FlameData {
  const r = new Reader(bytes);
  let graph = emptyFlameData();
  while (r.at < bytes.length) {
    const tag = r.varint();
    if (tag >>> 3 === 1 && (tag & 7) === 2) {
      const len = r.varint();
      graph = readGraph(r, r.at + len);
    } else r.skip(tag & 7);
  }
  return graph;
}
