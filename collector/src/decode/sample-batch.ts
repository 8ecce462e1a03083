/**
 * Decodes a `fleetprof.v1.SampleBatch` straight into the store's write input shape.
 *
 * The generated protobuf-es code decodes through reflection, which is several times too slow
 * for the collector's budget (millions of samples per second); this reader handles exactly the
 * fields of samples.proto (unknown fields are skipped, packed and unpacked repeated scalars are
 * both read) and is checked against protobuf-es in `sample-batch.test.ts`.
 * Limits are enforced while decoding, so a hostile message is refused before it costs memory.
 */
import type { FrameTable, ProfileInput, StacksInput } from "@fleetprof/store";
import { checkUtf8, MessageBudget, overLimit, readString, type DecodeLimits } from "./limits.js";
import { Reader, WireError } from "./reader.js";
import { WireStrings, WireStringsBuilder } from "./wire-strings.js";

export interface DecodedBatch {
  batchId: string;
  host: string;
  agentVersion: string;
  formatVersion: number;
  part: number;
  parts: number;
  profiles: DecodedProfile[];
}

export interface DecodedProfile extends ProfileInput {
  /** ProfileMode enum value from the wire. */
  modeValue: number;
  sampleRateHz: number;
  windowEndUnixMs: number;
  windowStartUnixMs: number;
  samplerErrors: number;
  expectedSamples: number;
  labelsTruncated: number;
  processStartUnixMs: number;
  stacks: DecodedStacks;
  strings: WireStrings;
  frames: FrameTable;
}

/**
 * Stacks as columns (see the store's StacksInput). OS thread ids are skipped (not stored).
 * Frame indexes are 16-bit when the profile has fewer than 65 536 frames (nearly always): half
 * the bytes to copy and to hand from a decode worker to the main thread.
 */
export interface DecodedStacks extends StacksInput {
  frames: Uint16Array | Uint32Array;
  start: Uint32Array;
  thread: Uint32Array;
  count: Float64Array;
  /** Largest frame index any stack names (-1: none), checked against the frame table by validation. */
  maxFrame: number;
}

/** The columns stacks are decoded into (32-bit frame indexes until the profile is complete). */
interface ScratchStacks extends DecodedStacks {
  frames: Uint32Array;
}

// Stacks decode into these scratch columns (grown as needed, reused), and each profile keeps
// an exact-size copy: one allocation per column per profile.
const scratch: ScratchStacks = { length: 0, frames: new Uint32Array(1 << 16), start: new Uint32Array(1025), thread: new Uint32Array(1024), count: new Float64Array(1024), maxFrame: -1 };

function newStacks(): ScratchStacks {
  scratch.length = 0;
  scratch.start[0] = 0;
  scratch.maxFrame = -1;
  return scratch;
}

function keepStacks(st: ScratchStacks): DecodedStacks {
  const n = st.length;
  const used = st.frames.subarray(0, st.start[n]);
  return {
    length: n,
    frames: st.maxFrame < 0x10000 ? new Uint16Array(used) : used.slice(),
    start: st.start.slice(0, n + 1),
    thread: st.thread.slice(0, n),
    count: st.count.slice(0, n),
    maxFrame: st.maxFrame,
  };
}

function grow<T extends Uint32Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let n = a.length * 2;
  while (n < need) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

const MODES = ["", "cpu", "wall", "gil"];
const NO_FRAMES: FrameTable = { length: 0, data: new Uint32Array(0) };
const EMPTY_STACKS: DecodedStacks = { length: 0, frames: new Uint16Array(0), start: new Uint32Array(1), thread: new Uint32Array(0), count: new Float64Array(0), maxFrame: -1 };
let frameScratch = new Uint32Array(3 * 1024);
const stringsBuilder = new WireStringsBuilder();
const budget = new MessageBudget({ maxProfiles: 0, maxStacks: 0, maxFrames: 0, maxStrings: 0, maxStackFrames: 0, maxStackDepth: 0, maxLabels: 0, maxLabelValues: 0, maxStringLength: 0 });
const EMPTY_STRINGS = new WireStrings(Buffer.alloc(0), new Uint32Array(0), new Uint32Array(0));

/**
 * Decodes one message. Every cap of `limits` is checked before what it counts is stored; the
 * first one broken throws a {@link LimitError}, malformed bytes a {@link WireError}.
 */
export function decodeSampleBatch(buf: Buffer, limits: DecodeLimits): DecodedBatch {
  budget.reset(limits);
  try {
    return decodeBatchFields(new Reader(buf));
  } finally {
    budget.done();
  }
}

function decodeBatchFields(r: Reader): DecodedBatch {
  const limits = budget.limits;
  const batch: DecodedBatch = { batchId: "", host: "", agentVersion: "", formatVersion: 0, part: 0, parts: 0, profiles: [] };
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 && wt === 2) batch.batchId = readString(r, limits, "batch id");
    else if (field === 2 && wt === 2) batch.host = readString(r, limits, "host");
    else if (field === 3 && wt === 2) batch.agentVersion = readString(r, limits, "agent version");
    else if (field === 4 && wt === 0) batch.formatVersion = r.varint();
    else if (field === 5 && wt === 2) {
      const n = r.len();
      if (--budget.profilesLeft < 0) throw budget.over("profiles");
      batch.profiles.push(decodeProfile(new Reader(r.buf, r.pos, r.pos + n), limits));
      r.pos += n;
    } else if (field === 6 && wt === 0) batch.part = r.varint();
    else if (field === 7 && wt === 0) batch.parts = r.varint();
    else r.skip(wt);
  }
  return batch;
}

/** One label entry (a map entry message) into `labels`. */
function decodeLabel(r: Reader, limits: DecodeLimits, labels: Record<string, string>): void {
  const n = r.len();
  const e = new Reader(r.buf, r.pos, r.pos + n);
  r.pos += n;
  let k = "";
  let v = "";
  while (e.pos < e.end) {
    const t = e.varint();
    if (t === 10) k = readString(e, limits, "a label name");
    else if (t === 18) v = readString(e, limits, "a label value");
    else e.skip(t & 7);
  }
  budget.labelValue(v);
  labels[k] = v;
}

function decodeProfile(r: Reader, limits: DecodeLimits): DecodedProfile {
  const p: DecodedProfile = {
    pid: 0,
    processStartUnixMs: 0,
    service: "",
    version: "",
    labels: {},
    mode: "",
    modeValue: 0,
    sampleRateHz: 0,
    windowStartUnixMs: 0,
    windowEndUnixMs: 0,
    strings: EMPTY_STRINGS,
    frames: NO_FRAMES,
    stacks: EMPTY_STACKS,
    samplerErrors: 0,
    expectedSamples: 0,
    labelsTruncated: 0,
    captureId: "",
  };
  const stacks = newStacks();
  const labels: Record<string, string> = {};
  let nLabels = 0;
  stringsBuilder.reset();
  let nFrames = 0;
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wt = tag & 7;
    switch (field) {
      case 1:
        if (wt !== 0) break;
        p.pid = r.varint();
        continue;
      case 2:
        if (wt !== 0) break;
        p.processStartUnixMs = r.varint();
        continue;
      case 3:
        if (wt !== 2) break;
        p.service = readString(r, limits, "service");
        continue;
      case 4:
        if (wt !== 2) break;
        p.version = readString(r, limits, "version");
        continue;
      case 5:
        if (wt !== 2) break;
        if (++nLabels > limits.maxLabels) throw overLimit("too_many_labels", "max-labels", limits.maxLabels, "labels on one profile");
        decodeLabel(r, limits, labels);
        continue;
      case 6:
        if (wt !== 0) break;
        p.modeValue = r.varint();
        continue;
      case 7:
        if (wt !== 0) break;
        p.sampleRateHz = r.varint();
        continue;
      case 8:
        if (wt !== 0) break;
        p.windowStartUnixMs = r.varint();
        continue;
      case 9:
        if (wt !== 0) break;
        p.windowEndUnixMs = r.varint();
        continue;
      case 10:
        if (wt !== 2) break;
        {
          const n = r.len();
          if (n > limits.maxStringLength) throw overLimit("oversized_string", "max-string-length", limits.maxStringLength, `bytes in a function, file or thread name (${String(n)})`);
          if (--budget.stringsLeft < 0) throw budget.over("strings");
          if (!stringsBuilder.add(r.buf, r.pos, r.pos + n)) checkUtf8(r.buf, r.pos, r.pos + n, "a function, file or thread name");
          r.pos += n;
        }
        continue;
      case 11: {
        if (wt !== 2) break;
        const n = r.len();
        const end = r.pos + n;
        let fn = 0;
        let file = 0;
        let line = 0;
        while (r.pos < end) {
          const t = r.varint();
          if (t === 8) fn = r.varint();
          else if (t === 16) file = r.varint();
          else if (t === 24) line = r.varint();
          else r.skip(t & 7);
        }
        if (r.pos !== end) throw new WireError("frame overruns its length");
        if (--budget.framesLeft < 0) throw budget.over("frames");
        if (nFrames * 3 + 3 > frameScratch.length) frameScratch = grow(frameScratch, nFrames * 3 + 3);
        frameScratch[nFrames * 3] = fn;
        frameScratch[nFrames * 3 + 1] = file;
        frameScratch[nFrames * 3 + 2] = line;
        nFrames++;
        continue;
      }
      case 12: {
        if (wt !== 2) break;
        const n = r.len();
        if (--budget.stacksLeft < 0) throw budget.over("stacks");
        decodeStack(r, r.pos + n, limits, stacks);
        continue;
      }
      case 13:
        if (wt !== 0) break;
        p.samplerErrors = r.varint();
        continue;
      case 14:
        if (wt !== 0) break;
        p.expectedSamples = r.varint();
        continue;
      case 15:
        if (wt !== 0) break;
        p.labelsTruncated = r.varint();
        continue;
      case 16:
        if (wt !== 2) break;
        p.captureId = readString(r, limits, "capture id");
        continue;
      default:
        break;
    }
    r.skip(wt);
  }
  p.labels = labels;
  p.mode = MODES[p.modeValue] ?? "";
  p.stacks = keepStacks(stacks);
  p.frames = { length: nFrames, data: frameScratch.slice(0, nFrames * 3) };
  p.strings = stringsBuilder.build(r.buf);
  return p;
}

/** Appends one Stack message to the columns. */
function decodeStack(r: Reader, end: number, limits: DecodeLimits, st: ScratchStacks): void {
  const i = st.length;
  if (i + 2 > st.start.length) st.start = grow(st.start, i + 2);
  if (i + 1 > st.thread.length) {
    st.thread = grow(st.thread, i + 1);
    st.count = grow(st.count, i + 1);
  }
  const first = st.start[i] as number;
  let at = first;
  let thread = 0;
  let count = 0;
  let max = st.maxFrame;
  while (r.pos < end) {
    const t = r.varint();
    if (t === 10) {
      // packed frame ids; the byte count bounds the id count
      const n = r.len();
      const stop = r.pos + n;
      // n bytes hold at most n ids: count them exactly only when that bound breaks a cap
      if (at - first + n > limits.maxStackDepth || n > budget.stackFramesLeft) {
        let k = 0;
        for (let j = r.pos; j < stop; j++) if ((r.buf[j] as number) < 0x80) k++;
        if (at - first + k > limits.maxStackDepth) throw overLimit("stack_too_deep", "max-stack-depth", limits.maxStackDepth, "frames in one stack");
        if (k > budget.stackFramesLeft) throw budget.over("stackFrames");
      }
      const before = at;
      st.frames = grow(st.frames, at + n);
      const frames = st.frames;
      const buf = r.buf;
      let pos = r.pos;
      // the common one- and two-byte ids inline; longer ones through the checked reader
      while (pos < stop) {
        const b0 = buf[pos] as number;
        let v: number;
        if (b0 < 0x80) {
          v = b0;
          pos += 1;
        } else if (pos + 1 < stop && (buf[pos + 1] as number) < 0x80) {
          v = (b0 & 0x7f) | ((buf[pos + 1] as number) << 7);
          pos += 2;
        } else {
          r.pos = pos;
          v = r.varint();
          pos = r.pos;
        }
        if (v > max) max = v;
        frames[at++] = v;
      }
      r.pos = pos;
      if (pos !== stop) throw new WireError("packed field overruns its length");
      budget.stackFramesLeft -= at - before;
    } else if (t === 8) {
      if (at - first + 1 > limits.maxStackDepth) throw overLimit("stack_too_deep", "max-stack-depth", limits.maxStackDepth, "frames in one stack");
      if (--budget.stackFramesLeft < 0) throw budget.over("stackFrames");
      st.frames = grow(st.frames, at + 1);
      const v = r.varint();
      if (v > max) max = v;
      st.frames[at++] = v;
    } else if (t === 16) thread = r.varint();
    else if (t === 32) count = r.varint();
    else r.skip(t & 7);
  }
  if (r.pos !== end) throw new WireError("stack overruns its length");
  st.thread[i] = thread;
  st.count[i] = count;
  st.start[i + 1] = at;
  st.length = i + 1;
  st.maxFrame = max;
}

export { LimitError, type DecodeLimits } from "./limits.js";
export { WireError };
