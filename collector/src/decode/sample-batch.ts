/**
 * Decodes a `fleetprof.v1.SampleBatch` straight into the store's write input shape.
 *
 * The generated protobuf-es code decodes through reflection, which is several times too slow
 * for the collector's budget (millions of samples per second); this reader handles exactly the
 * fields of samples.proto (unknown fields are skipped, packed and unpacked repeated scalars are
 * both read) and is checked against protobuf-es in `sample-batch.test.ts`. Field tags come from
 * the generated descriptors (tags.ts).
 * Limits are enforced while decoding, so a hostile message is refused before it costs memory.
 */
import { modeName } from "@fleetprof/proto";
import type { FrameTable, ProfileInput } from "@fleetprof/store";
import { checkUtf8, MessageBudget, overLimit, readString, type DecodeLimits } from "./limits.js";
import { Reader, WireError } from "./reader.js";
import { decodeStack, EMPTY_STACKS, grow, keepStacks, newStacks, type DecodedStacks, type ScratchStacks } from "./stacks.js";
import { BATCH, FRAME, LABEL, PROFILE } from "./tags.js";
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

const NO_FRAMES: FrameTable = { length: 0, data: new Uint32Array(0) };
const EMPTY_STRINGS = new WireStrings(Buffer.alloc(0), new Uint32Array(0), new Uint32Array(0));
/** Frames of the profile being decoded, (function, file, line) per frame (reused, grown as needed). */
let frameScratch = new Uint32Array(3 * 1024);
let frameCount = 0;
const stringsBuilder = new WireStringsBuilder();
const budget = new MessageBudget({
  maxProfiles: 0,
  maxStacks: 0,
  maxFrames: 0,
  maxStrings: 0,
  maxStackFrames: 0,
  maxStackDepth: 0,
  maxLabels: 0,
  maxLabelValues: 0,
  maxStringLength: 0,
});

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
    if (tag === BATCH.profiles) {
      const n = r.len();
      if (--budget.profilesLeft < 0) throw budget.over("profiles");
      batch.profiles.push(decodeProfile(new Reader(r.buf, r.pos, r.pos + n), limits));
      r.pos += n;
    } else if (tag === BATCH.batchId) batch.batchId = readString(r, limits, "batch id");
    else if (tag === BATCH.host) batch.host = readString(r, limits, "host");
    else if (tag === BATCH.agentVersion) batch.agentVersion = readString(r, limits, "agent version");
    else if (tag === BATCH.formatVersion) batch.formatVersion = r.varint();
    else if (tag === BATCH.part) batch.part = r.varint();
    else if (tag === BATCH.parts) batch.parts = r.varint();
    else r.skip(tag & 7);
  }
  return batch;
}

/** A profile with every field at its proto3 default. */
function emptyProfile(): DecodedProfile {
  return {
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
}

/**
 * One ProcessProfile: its repeated fields (stacks, frames, strings, labels) in the order of how
 * often they come, then its single fields.
 */
function decodeProfile(r: Reader, limits: DecodeLimits): DecodedProfile {
  const p = emptyProfile();
  const stacks = newStacks();
  stringsBuilder.reset();
  frameCount = 0;
  let labels = 0;
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === PROFILE.stacks) decodeStackField(r, limits, stacks);
    else if (tag === PROFILE.frames) decodeFrame(r);
    else if (tag === PROFILE.strings) decodeStringEntry(r, limits);
    else if (tag === PROFILE.labels) {
      if (++labels > limits.maxLabels) throw overLimit("too_many_labels", "max-labels", limits.maxLabels, "labels on one profile");
      decodeLabel(r, limits, p.labels);
    } else if (!decodeProfileScalar(r, tag, limits, p)) r.skip(tag & 7);
  }
  return finishProfile(p, stacks, r.buf);
}

/** Reads a single (non-repeated) field of a profile; false when `tag` is none of them. */
function decodeProfileScalar(r: Reader, tag: number, limits: DecodeLimits, p: DecodedProfile): boolean {
  switch (tag) {
    case PROFILE.pid:
      p.pid = r.varint();
      return true;
    case PROFILE.processStartUnixMs:
      p.processStartUnixMs = r.varint();
      return true;
    case PROFILE.service:
      p.service = readString(r, limits, "service");
      return true;
    case PROFILE.version:
      p.version = readString(r, limits, "version");
      return true;
    case PROFILE.mode:
      p.modeValue = r.varint();
      return true;
    case PROFILE.sampleRateHz:
      p.sampleRateHz = r.varint();
      return true;
    case PROFILE.windowStartUnixMs:
      p.windowStartUnixMs = r.varint();
      return true;
    case PROFILE.windowEndUnixMs:
      p.windowEndUnixMs = r.varint();
      return true;
    case PROFILE.samplerErrors:
      p.samplerErrors = r.varint();
      return true;
    case PROFILE.expectedSamples:
      p.expectedSamples = r.varint();
      return true;
    case PROFILE.labelsTruncated:
      p.labelsTruncated = r.varint();
      return true;
    case PROFILE.captureId:
      p.captureId = readString(r, limits, "capture id");
      return true;
    default:
      return false;
  }
}

/** One Stack message, counted against the message's cap. */
function decodeStackField(r: Reader, limits: DecodeLimits, stacks: ScratchStacks): void {
  const n = r.len();
  if (--budget.stacksLeft < 0) throw budget.over("stacks");
  decodeStack(r, r.pos + n, limits, budget, stacks);
}

/** One Frame message into the frame scratch. */
function decodeFrame(r: Reader): void {
  const n = r.len();
  const end = r.pos + n;
  let fn = 0;
  let file = 0;
  let line = 0;
  while (r.pos < end) {
    const t = r.varint();
    if (t === FRAME.function) fn = r.varint();
    else if (t === FRAME.file) file = r.varint();
    else if (t === FRAME.line) line = r.varint();
    else r.skip(t & 7);
  }
  if (r.pos !== end) throw new WireError("frame overruns its length");
  if (--budget.framesLeft < 0) throw budget.over("frames");
  const at = frameCount * 3;
  if (at + 3 > frameScratch.length) frameScratch = grow(frameScratch, at + 3);
  frameScratch[at] = fn;
  frameScratch[at + 1] = file;
  frameScratch[at + 2] = line;
  frameCount++;
}

/** One entry of the string table (function, file and thread names), kept as bytes. */
function decodeStringEntry(r: Reader, limits: DecodeLimits): void {
  const n = r.len();
  if (n > limits.maxStringLength)
    throw overLimit("oversized_string", "max-string-length", limits.maxStringLength, `bytes in a function, file or thread name (${String(n)})`);
  if (--budget.stringsLeft < 0) throw budget.over("strings");
  if (!stringsBuilder.add(r.buf, r.pos, r.pos + n)) checkUtf8(r.buf, r.pos, r.pos + n, "a function, file or thread name");
  r.pos += n;
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
    if (t === LABEL.key) k = readString(e, limits, "a label name");
    else if (t === LABEL.value) v = readString(e, limits, "a label value");
    else e.skip(t & 7);
  }
  budget.labelValue(v);
  labels[k] = v;
}

/** The profile with its mode name and exact-size copies of the stacks, frames and strings. */
function finishProfile(p: DecodedProfile, stacks: ScratchStacks, buf: Buffer): DecodedProfile {
  p.mode = modeName(p.modeValue) ?? "";
  p.stacks = keepStacks(stacks);
  p.frames = { length: frameCount, data: frameScratch.slice(0, frameCount * 3) };
  p.strings = stringsBuilder.build(buf);
  return p;
}

export { LimitError, type DecodeLimits } from "./limits.js";
export { WireError };
