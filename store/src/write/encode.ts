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

/**
 * Encodes one profile. `withRows` false: the profile's sample rows are stored already (an
 * interrupted write), so only dictionary rows that may be missing are written again.
 */
export function encodeProfile(p: ProfileInput, host: string, batch: readonly [number, number], now: number, dict: Dictionaries, out: Encoded, withRows = true): void {
  const table = isStringTable(p.strings) ? p.strings : undefined;
  const list = table === undefined ? (p.strings as readonly string[]) : undefined;
  const str = (i: number): string => (table === undefined ? (list?.[i] ?? "") : i < table.length ? table.get(i) : "");
  if (frameHashes.length < p.frames.length * 2) frameHashes = new Uint32Array(p.frames.length * 4);
  let sh: (i: number) => number;
  let hashes: Uint32Array;
  if (table !== undefined) {
    hashes = table.hashes;
    sh = (i) => i * 2;
  } else {
    const n = list?.length ?? 0;
    if (stringHashes.length < n * 2) stringHashes = new Uint32Array(n * 4);
    // string hashes, lazily: 0/0 = not computed yet (a real hash of 0/0 is merely recomputed)
    stringHashes.fill(0, 0, n * 2);
    hashes = stringHashes;
    sh = (i) => {
      if (stringHashes[i * 2] === 0 && stringHashes[i * 2 + 1] === 0) hashString(str(i), stringHashes, i * 2);
      return i * 2;
    };
  }
  // (function, file, line) of every frame as triples
  const ft = isFrameTable(p.frames) ? p.frames.data : framesAsTable(p.frames);
  const nFrames = p.frames.length;
  for (let i = 0; i < nFrames; i++) {
    hashFrame(hashes, sh(ft[i * 3] as number), hashes, sh(ft[i * 3 + 1] as number), ft[i * 3 + 2] as number, frameHashes, i * 2);
  }
  const fw = out.frames;
  const frameRow = (i: number): void => {
    const hi = frameHashes[i * 2] as number;
    const lo = frameHashes[i * 2 + 1] as number;
    if (dict.frames.add(hi, lo)) {
      fw.u64(hi, lo);
      fw.string(str(ft[i * 3] as number));
      fw.string(str(ft[i * 3 + 1] as number));
      fw.u32(ft[i * 3 + 2] as number);
      fw.u32(now);
      out.frameRows++;
    }
  };

  const st = p.stacks;
  const n = st.length;
  const fr = st.frames;
  const start = st.start;
  const w = out.ingest;
  const rollups = out.rollups;
  const time = windowSeconds(p);
  let tAt = 0;
  let sAt = 0;
  let cAt = 0;
  if (withRows) {
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
    // thread_idx, stack_ids, counts: three arrays of n, filled in one pass below
    w.reserve(30 + n * 20);
    w.varint(n);
    tAt = w.pos;
    w.pos += n * 4;
    w.varint(n);
    sAt = w.pos;
    w.pos += n * 8;
    w.varint(n);
    cAt = w.pos;
    w.pos += n * 8;
    rollups.profile({ time, service: p.service, version: p.version, host, mode: p.mode, labels: p.labels, captureId: p.captureId });
  }

  // string index of each distinct thread, in first-seen order (a profile has a handful)
  const threadKeys: number[] = [];
  let threadMap: Map<number, number> | undefined; // many threads: switch to a map
  const threads: string[] = [];
  const rollupThreads: number[] = [];
  const sw = out.stacks;
  let samples = 0;
  for (let s = 0; s < n; s++) {
    const th = st.thread[s] as number;
    let t = threadMap === undefined ? threadKeys.indexOf(th) + 1 : (threadMap.get(th) ?? 0);
    if (t === 0) {
      threadKeys.push(th);
      const name = str(th);
      threads.push(name);
      t = threads.length;
      if (withRows) rollupThreads.push(rollups.thread(t - 1, name));
      if (threadMap !== undefined) threadMap.set(th, t);
      else if (t > 32) threadMap = new Map(threadKeys.map((k, i) => [k, i + 1]));
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
    if (dict.stacks.add(hi, lo)) {
      const depth = to - from;
      sw.u64(hi, lo);
      sw.varint(depth);
      for (let i = from; i < to; i++) {
        const f = fr[i] as number;
        frameRow(f);
        sw.u64(frameHashes[f * 2] as number, frameHashes[f * 2 + 1] as number);
      }
      sw.u16(depth);
      if (depth > 0) {
        const leaf = fr[to - 1] as number;
        sw.u64(frameHashes[leaf * 2] as number, frameHashes[leaf * 2 + 1] as number);
      } else sw.u64(0, 0);
      sw.u32(now);
      out.stackRows++;
    }
  }
  if (!withRows) return;
  w.varint(threads.length);
  for (const t of threads) w.string(t);
  out.rows += n;
  out.samples += samples;
}
