/**
 * Stable 64-bit ids for frames and stacks, computed in JavaScript with 32-bit integer
 * arithmetic (no BigInt on the hot path). An id is two 32-bit halves `hi`, `lo` from two
 * differently seeded murmur3-style lanes that are cross-mixed at the end.
 *
 * These functions define ids persisted in ClickHouse: never change them (a change would split
 * every stack in two). `hash.test.ts` pins known values. Strings are hashed as UTF-8 bytes.
 *
 * - frame id = H(hash(function), hash(file), line)
 * - stack id = H(frame ids root→leaf)
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const D1 = 0x85ebca77;
const D2 = 0xc2b2ae3d;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Lane A step (murmur3 body). */
function stepA(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Lane B step (different constants and rotations). */
function stepB(h: number, k: number): number {
  k = Math.imul(k, D1);
  k = (k << 17) | (k >>> 15);
  k = Math.imul(k, D2);
  h ^= k;
  h = (h << 11) | (h >>> 21);
  return (Math.imul(h, 9) + 0x27d4eb2f) | 0;
}

/** Writes the final (hi, lo) of the two lanes into `out[at]`, `out[at + 1]`. */
function finish(a: number, b: number, n: number, out: Uint32Array, at: number): void {
  a ^= n;
  b ^= Math.imul(n, 0x9e3779b1);
  a = fmix(a);
  b = fmix((b ^ a) >>> 0);
  out[at] = fmix((a ^ Math.imul(b, 0x27d4eb2d)) >>> 0);
  out[at + 1] = b;
}

const SEED_A = 0x2f7b1a43;
const SEED_B = 0x6c8e9cf5;

/**
 * Hash of bytes `buf[start .. end)`, four per step (little-endian words). Strings are hashed as
 * their UTF-8 bytes, so a collector can hash names straight from the wire. Returns true when
 * every byte is below 0x80 (ASCII, hence valid UTF-8), so a caller validates only the rest.
 */
export function hashBytes(buf: Uint8Array, start: number, end: number, out: Uint32Array, at: number): boolean {
  let a = SEED_A;
  let b = SEED_B;
  let high = 0;
  let i = start;
  for (; i + 3 < end; i += 4) {
    const k = (buf[i] as number) | ((buf[i + 1] as number) << 8) | ((buf[i + 2] as number) << 16) | ((buf[i + 3] as number) << 24);
    high |= k;
    a = stepA(a, k);
    b = stepB(b, k);
  }
  if (i < end) {
    let k = 0;
    for (let s = 0; i < end; i++, s += 8) k |= (buf[i] as number) << s;
    high |= k;
    a = stepA(a, k);
    b = stepB(b, k);
  }
  finish(a, b, end - start, out, at);
  return (high & 0x80808080) === 0;
}

let utf8 = new Uint8Array(1024);
const encoder = new TextEncoder();

/** Hash of a string's UTF-8 bytes (equal to {@link hashBytes} over them). */
export function hashString(s: string, out: Uint32Array, at: number): void {
  if (utf8.length < s.length * 3) utf8 = new Uint8Array(s.length * 3);
  const { written } = encoder.encodeInto(s, utf8);
  hashBytes(utf8, 0, written, out, at);
}

/** Frame id from the hashes of its function and file names (each a hi, lo pair) and its line. */
export function hashFrame(fn: Uint32Array, fnAt: number, file: Uint32Array, fileAt: number, line: number, out: Uint32Array, at: number): void {
  let a = SEED_A ^ 0x46524d;
  let b = SEED_B ^ 0x46524d;
  const w0 = fn[fnAt] ?? 0;
  const w1 = fn[fnAt + 1] ?? 0;
  const w2 = file[fileAt] ?? 0;
  const w3 = file[fileAt + 1] ?? 0;
  a = stepA(stepA(stepA(stepA(stepA(a, w0), w1), w2), w3), line);
  b = stepB(stepB(stepB(stepB(stepB(b, w0), w1), w2), w3), line);
  finish(a, b, 5, out, at);
}

/**
 * Stack id from frame ids root→leaf: `frameIds[from .. to)`, indexes into the frame hash table
 * `frameHashes` (pairs: frame i at 2i, 2i + 1).
 */
export function hashStack(frameIds: ArrayLike<number>, from: number, to: number, frameHashes: Uint32Array, out: Uint32Array, at: number): void {
  let a = SEED_A ^ 0x535443;
  let b = SEED_B ^ 0x535443;
  const n = to - from;
  for (let i = from; i < to; i++) {
    const f = (frameIds[i] ?? 0) * 2;
    const hi = frameHashes[f] ?? 0;
    const lo = frameHashes[f + 1] ?? 0;
    a = stepA(stepA(a, hi), lo);
    b = stepB(stepB(b, hi), lo);
  }
  finish(a, b, n * 2, out, at);
}

const out2 = new Uint32Array(2);

/** A 64-bit id as the decimal string ClickHouse reads for UInt64. */
export function u64String(hi: number, lo: number): string {
  if (hi === 0) return String(lo >>> 0);
  return ((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString();
}

/** Convenience: the 64-bit hash of one string as a bigint (batch ids). */
export function hashStringToBigInt(s: string): bigint {
  hashString(s, out2, 0);
  return (BigInt(out2[0] ?? 0) << 32n) | BigInt(out2[1] ?? 0);
}
