/**
 * Stack messages decoded into columns: frame indexes of every stack back to back, where each
 * stack starts, its thread and its count. Stacks decode into reused scratch columns, grown as
 * needed; each profile keeps an exact-size copy (one allocation per column per profile).
 */
import type { StacksInput } from "@fleetprof/store";
import { overLimit, type DecodeLimits, type MessageBudget } from "./limits.js";
import { WireError, type Reader } from "./reader.js";
import { STACK } from "./tags.js";

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
export interface ScratchStacks extends DecodedStacks {
  frames: Uint32Array;
}

const scratch: ScratchStacks = {
  length: 0,
  frames: new Uint32Array(1 << 16),
  start: new Uint32Array(1025),
  thread: new Uint32Array(1024),
  count: new Float64Array(1024),
  maxFrame: -1,
};

/** A profile without stacks. */
export const EMPTY_STACKS: DecodedStacks = {
  length: 0,
  frames: new Uint16Array(0),
  start: new Uint32Array(1),
  thread: new Uint32Array(0),
  count: new Float64Array(0),
  maxFrame: -1,
};

/** The scratch columns, emptied for the next profile. */
export function newStacks(): ScratchStacks {
  scratch.length = 0;
  scratch.start[0] = 0;
  scratch.maxFrame = -1;
  return scratch;
}

/** An exact-size copy of the scratch columns (16-bit frame indexes where they fit). */
export function keepStacks(st: ScratchStacks): DecodedStacks {
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

/** `a`, or a copy at least `need` long (doubling). */
export function grow<T extends Uint32Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let n = a.length * 2;
  while (n < need) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

function tooDeep(limits: DecodeLimits): Error {
  return overLimit("stack_too_deep", "max-stack-depth", limits.maxStackDepth, "frames in one stack");
}

/**
 * Appends packed frame ids (`r` at the field's length) to the stack that starts at `first` and
 * ends at `at`; returns the new end. The byte count bounds the id count: the ids are counted
 * exactly only when that bound would break a cap.
 */
function readPackedFrameIds(r: Reader, st: ScratchStacks, first: number, at: number, limits: DecodeLimits, budget: MessageBudget): number {
  const n = r.len();
  const stop = r.pos + n;
  if (at - first + n > limits.maxStackDepth || n > budget.stackFramesLeft) {
    let k = 0;
    for (let j = r.pos; j < stop; j++) if ((r.buf[j] as number) < 0x80) k++;
    if (at - first + k > limits.maxStackDepth) throw tooDeep(limits);
    if (k > budget.stackFramesLeft) throw budget.over("stackFrames");
  }
  const before = at;
  st.frames = grow(st.frames, at + n);
  const frames = st.frames;
  const buf = r.buf;
  let pos = r.pos;
  let max = st.maxFrame;
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
  st.maxFrame = max;
  budget.stackFramesLeft -= at - before;
  return at;
}

/** Appends one unpacked frame id; returns the new end of the stack. */
function readFrameId(r: Reader, st: ScratchStacks, first: number, at: number, limits: DecodeLimits, budget: MessageBudget): number {
  if (at - first + 1 > limits.maxStackDepth) throw tooDeep(limits);
  if (--budget.stackFramesLeft < 0) throw budget.over("stackFrames");
  st.frames = grow(st.frames, at + 1);
  const v = r.varint();
  if (v > st.maxFrame) st.maxFrame = v;
  st.frames[at] = v;
  return at + 1;
}

/** Appends one Stack message (`r` at its content, ending at `end`) to the columns. */
export function decodeStack(r: Reader, end: number, limits: DecodeLimits, budget: MessageBudget, st: ScratchStacks): void {
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
  while (r.pos < end) {
    const t = r.varint();
    if (t === STACK.frameIdsPacked) at = readPackedFrameIds(r, st, first, at, limits, budget);
    else if (t === STACK.frameId) at = readFrameId(r, st, first, at, limits, budget);
    else if (t === STACK.thread) thread = r.varint();
    else if (t === STACK.count) count = r.varint();
    else r.skip(t & 7);
  }
  if (r.pos !== end) throw new WireError("stack overruns its length");
  st.thread[i] = thread;
  st.count[i] = count;
  st.start[i + 1] = at;
  st.length = i + 1;
}
