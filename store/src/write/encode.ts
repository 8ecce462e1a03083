/**
 * Turns profiles into the RowBinary the inserts send: one `samples_ingest` row per profile
 * (stacks as parallel arrays, expanded by a materialized view), the rollup sums (see
 * rollup.ts), and rows for frames and stacks the dictionaries have not seen yet.
 */
import { CoverageHours } from "./coverage.js";
import { hashFrame, hashStack, hashString } from "./hash.js";
import { KIND_RAW, RollupBuilder } from "./rollup.js";
import { RowBinaryWriter } from "./rowbinary.js";
import type { SeenSet } from "./seen-set.js";
import { isFrameTable, type FrameInput, type ProfileInput, type StringTable } from "./types.js";

function isStringTable(s: ProfileInput["strings"]): s is StringTable {
  return !Array.isArray(s);
}

export interface Encoded {
  /** `samples_ingest` raw rows (kind 0): one per profile. */
  ingest: RowBinaryWriter;
  /** `samples_ingest` rollup rows (kinds 1, 2), written by {@link finishEncoded}; a second insert. */
  rollupIngest: RowBinaryWriter;
  frames: RowBinaryWriter;
  stacks: RowBinaryWriter;
  /** `process_windows` rows (write/coverage.ts): one per profile; their hourly sums, written by {@link finishEncoded}. */
  coverage: RowBinaryWriter;
  coverageHours: CoverageHours;
  coverageRollup: RowBinaryWriter;
  rollups: RollupBuilder;
  /** Dictionary rows in `frames` and `stacks`. */
  frameRows: number;
  stackRows: number;
  /** Raw sample rows and the samples they count. */
  rows: number;
  samples: number;
  /** Rollup rows (per minute + per hour), known after {@link finishEncoded}. */
  rollupRows: number;
}

export function newEncoded(expectedRows = 0): Encoded {
  return {
    ingest: new RowBinaryWriter(Math.max(1 << 16, expectedRows * 22)),
    frames: new RowBinaryWriter(1 << 12),
    stacks: new RowBinaryWriter(1 << 12),
    coverage: new RowBinaryWriter(1 << 12),
    coverageHours: new CoverageHours(),
    coverageRollup: new RowBinaryWriter(1 << 10),
    rollups: new RollupBuilder(),
    rollupIngest: new RowBinaryWriter(1 << 16),
    frameRows: 0,
    stackRows: 0,
    rows: 0,
    samples: 0,
    rollupRows: 0,
  };
}

/** Writes the rollup rows: the write is complete. */
export function finishEncoded(out: Encoded): void {
  const r = out.rollups.write(out.rollupIngest);
  out.rollupRows = r.minuteRows + r.hourRows;
  out.coverageHours.write(out.coverageRollup);
}

let stringHashes = new Uint32Array(2048);
let frameHashes = new Uint32Array(2048);
const stackHash = new Uint32Array(2);

/**
 * Ids whose dictionary rows were written or are on their way: a row is emitted for an id the
 * set did not hold yet (`add` returns true).
 */
export interface Dictionaries {
  frames: SeenSet;
  stacks: SeenSet;
}

let tripleScratch = new Uint32Array(3 * 1024);

function framesAsTable(frames: readonly FrameInput[]): Uint32Array {
  if (tripleScratch.length < frames.length * 3) tripleScratch = new Uint32Array(frames.length * 6);
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i] as FrameInput;
    tripleScratch[i * 3] = f.function;
    tripleScratch[i * 3 + 1] = f.file;
    tripleScratch[i * 3 + 2] = f.line;
  }
  return tripleScratch;
}

/** Seconds of the window start (the `time` column). */
export function windowSeconds(p: ProfileInput): number {
  return Math.floor(Number(p.windowStartUnixMs) / 1000);
}

/** A profile's strings: read by index, with their hashes (a decoded table carries them; a plain list is hashed lazily). */
interface ProfileStrings {
  str: (i: number) => string;
  hashes: Uint32Array;
  /** Where string `i`'s hash is in `hashes` (computed first when lazy). */
  at: (i: number) => number;
}

function profileStrings(strings: ProfileInput["strings"]): ProfileStrings {
  if (isStringTable(strings)) return { str: (i) => (i < strings.length ? strings.get(i) : ""), hashes: strings.hashes, at: (i) => i * 2 };
  const list = strings;
  const str = (i: number): string => list[i] ?? "";
  const n = list.length;
  if (stringHashes.length < n * 2) stringHashes = new Uint32Array(n * 4);
  // string hashes, lazily: 0/0 = not computed yet (a real hash of 0/0 is merely recomputed)
  stringHashes.fill(0, 0, n * 2);
  const hashes = stringHashes;
  return {
    str,
    hashes,
    at: (i) => {
      if (hashes[i * 2] === 0 && hashes[i * 2 + 1] === 0) hashString(str(i), hashes, i * 2);
      return i * 2;
    },
  };
}

/** Hashes every frame into `frameHashes` (hi, lo at 2i); returns the (function, file, line) triples. */
function hashFrames(frames: ProfileInput["frames"], strings: ProfileStrings): Uint32Array {
  if (frameHashes.length < frames.length * 2) frameHashes = new Uint32Array(frames.length * 4);
  const ft = isFrameTable(frames) ? frames.data : framesAsTable(frames);
  const { hashes, at } = strings;
  for (let i = 0; i < frames.length; i++) {
    hashFrame(hashes, at(ft[i * 3] as number), hashes, at(ft[i * 3 + 1] as number), ft[i * 3 + 2] as number, frameHashes, i * 2);
  }
  return ft;
}

/** Where the three per-stack arrays of a raw row start. */
interface StackArrays {
  tAt: number;
  sAt: number;
  cAt: number;
}

/** A raw `samples_ingest` row up to its per-stack arrays (thread_idx, stack_ids, counts), whose room it reserves. */
function writeIngestHead(w: RowBinaryWriter, p: ProfileInput, host: string, batch: readonly [number, number], time: number, n: number): StackArrays {
  w.u8(KIND_RAW);
  w.u32(time);
  w.string(p.service);
  w.string(p.version);
  w.string(host);
  w.u32(p.pid);
  w.string(p.mode);
  let nl = 0;
  for (const _ in p.labels) nl++;
  w.varint(nl);
  for (const k in p.labels) {
    w.string(k);
    w.string(p.labels[k] as string);
  }
  w.string(p.captureId);
  w.u64(batch[0], batch[1]);
  // three arrays of n, filled in one pass over the stacks
  w.reserve(30 + n * 20);
  w.varint(n);
  const tAt = w.pos;
  w.pos += n * 4;
  w.varint(n);
  const sAt = w.pos;
  w.pos += n * 8;
  w.varint(n);
  const cAt = w.pos;
  w.pos += n * 8;
  return { tAt, sAt, cAt };
}

/** What dictionary rows of one profile are written from. */
interface DictionaryRows {
  out: Encoded;
  dict: Dictionaries;
  /** The frames' (function, file, line) triples. */
  ft: Uint32Array;
  str: (i: number) => string;
  now: number;
}

/** A `frames` row for frame `i`, unless the dictionary holds it already. */
function writeFrameRow(d: DictionaryRows, i: number): void {
  const hi = frameHashes[i * 2] as number;
  const lo = frameHashes[i * 2 + 1] as number;
  if (!d.dict.frames.add(hi, lo)) return;
  const fw = d.out.frames;
  fw.u64(hi, lo);
  fw.string(d.str(d.ft[i * 3] as number));
  fw.string(d.str(d.ft[i * 3 + 1] as number));
  fw.u32(d.ft[i * 3 + 2] as number);
  fw.u32(d.now);
  d.out.frameRows++;
}

/** The `stacks` row of a stack the dictionary did not hold (frames `fr[from..to)`), and rows for its new frames. */
function writeStackRow(d: DictionaryRows, fr: ArrayLike<number>, from: number, to: number, hi: number, lo: number): void {
  const sw = d.out.stacks;
  const depth = to - from;
  sw.u64(hi, lo);
  sw.varint(depth);
  for (let i = from; i < to; i++) {
    const f = fr[i] as number;
    writeFrameRow(d, f);
    sw.u64(frameHashes[f * 2] as number, frameHashes[f * 2 + 1] as number);
  }
  sw.u16(depth);
  if (depth > 0) {
    const leaf = fr[to - 1] as number;
    sw.u64(frameHashes[leaf * 2] as number, frameHashes[leaf * 2 + 1] as number);
  } else sw.u64(0, 0);
  sw.u32(d.now);
  d.out.stackRows++;
}

/** Profile-local thread numbers (from 1) of thread-name string indexes, in first-seen order (a profile has a handful). */
class ThreadNumbers {
  readonly #keys: number[] = [];
  #map: Map<number, number> | undefined; // many threads: switch to a map

  /** The thread's number, 0 when not seen yet. */
  of(th: number): number {
    return this.#map === undefined ? this.#keys.indexOf(th) + 1 : (this.#map.get(th) ?? 0);
  }

  add(th: number): number {
    this.#keys.push(th);
    const t = this.#keys.length;
    if (this.#map !== undefined) this.#map.set(th, t);
    else if (t > 32) this.#map = new Map(this.#keys.map((k, i) => [k, i + 1]));
    return t;
  }
}

const NO_ARRAYS: StackArrays = { tAt: 0, sAt: 0, cAt: 0 };

/**
 * Encodes one profile. `withRows` false: the profile's sample rows are stored already (an
 * interrupted write), so only dictionary rows that may be missing are written again.
 */
export function encodeProfile(
  p: ProfileInput,
  host: string,
  batch: readonly [number, number],
  now: number,
  dict: Dictionaries,
  out: Encoded,
  withRows = true,
): void {
  const strings = profileStrings(p.strings);
  const rows: DictionaryRows = { out, dict, ft: hashFrames(p.frames, strings), str: strings.str, now };
  const st = p.stacks;
  const n = st.length;
  const fr = st.frames;
  const start = st.start;
  const w = out.ingest;
  const rollups = out.rollups;
  const time = windowSeconds(p);
  const { tAt, sAt, cAt } = withRows ? writeIngestHead(w, p, host, batch, time, n) : NO_ARRAYS;
  if (withRows) rollups.profile({ time, service: p.service, version: p.version, host, mode: p.mode, labels: p.labels, captureId: p.captureId });

  const threads = new ThreadNumbers();
  const names: string[] = [];
  const rollupThreads: number[] = [];
  let samples = 0;
  for (let s = 0; s < n; s++) {
    const th = st.thread[s] as number;
    let t = threads.of(th);
    if (t === 0) {
      t = threads.add(th);
      const name = strings.str(th);
      names.push(name);
      if (withRows) rollupThreads.push(rollups.thread(t - 1, name));
    }
    const from = start[s] as number;
    const to = start[s + 1] as number;
    hashStack(fr, from, to, frameHashes, stackHash, 0);
    const hi = stackHash[0] as number;
    const lo = stackHash[1] as number;
    const c = st.count[s] as number;
    samples += c;
    if (withRows) {
      w.setU32(tAt + s * 4, t);
      w.setU64(sAt + s * 8, hi, lo);
      w.setU64(cAt + s * 8, Math.floor(c / 4294967296), c >>> 0);
      rollups.add(rollupThreads[t - 1] as number, hi, lo, c);
    }
    if (dict.stacks.add(hi, lo)) writeStackRow(rows, fr, from, to, hi, lo);
  }
  if (!withRows) return;
  w.varint(names.length);
  for (const name of names) w.string(name);
  out.rows += n;
  out.samples += samples;
}
