/**
 * Turns profiles into the text the inserts send (JSONCompactEachRow): one `samples_ingest`
 * row per profile (stacks as parallel arrays, expanded by a materialized view), plus rows for
 * frames and stacks the dictionaries have not seen yet.
 */
import { hashFrame, hashStack, hashString, u64String } from "./hash.js";
import type { SeenSet } from "./seen-set.js";
import type { ProfileInput, StringTable } from "./types.js";

function isStringTable(s: ProfileInput["strings"]): s is StringTable {
  return !Array.isArray(s);
}

export interface Encoded {
  ingest: string[];
  frames: string[];
  stacks: string[];
  /** New ids as (hi, lo) pairs, to mark seen once the dictionaries are written. */
  newFrames: number[];
  newStacks: number[];
  rows: number;
  samples: number;
}

export function newEncoded(): Encoded {
  return { ingest: [], frames: [], stacks: [], newFrames: [], newStacks: [], rows: 0, samples: 0 };
}

let stringHashes = new Uint32Array(2048);
let frameHashes = new Uint32Array(2048);
const stackHash = new Uint32Array(2);

export interface Dictionaries {
  frames: SeenSet;
  stacks: SeenSet;
  /** Ids emitted earlier in this flush. */
  pendingFrames: SeenSet;
  pendingStacks: SeenSet;
}

/** Seconds of the window start (the `time` column). */
export function windowSeconds(p: ProfileInput): number {
  return Math.floor(Number(p.windowStartUnixMs) / 1000);
}

export function encodeProfile(p: ProfileInput, host: string, batch: string, now: number, dict: Dictionaries, out: Encoded): void {
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
  let frameDec: (string | undefined)[] | undefined;
  const frames = p.frames;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i] as (typeof frames)[number];
    hashFrame(hashes, sh(f.function), hashes, sh(f.file), f.line, frameHashes, i * 2);
  }
  const frameId = (i: number): string => {
    frameDec ??= new Array<string | undefined>(frames.length);
    let d = frameDec[i];
    if (d === undefined) {
      const hi = frameHashes[i * 2] as number;
      const lo = frameHashes[i * 2 + 1] as number;
      d = u64String(hi, lo);
      frameDec[i] = d;
      if (!dict.frames.has(hi, lo) && dict.pendingFrames.add(hi, lo)) {
        const f = frames[i] as (typeof frames)[number];
        out.frames.push(`[${d},${JSON.stringify(str(f.function))},${JSON.stringify(str(f.file))},${f.line},${now}]`);
        out.newFrames.push(hi, lo);
      }
    }
    return d;
  };

  // string index of each distinct thread, in first-seen order (a profile has a handful)
  const threadKeys: number[] = [];
  let threadMap: Map<number, number> | undefined; // many threads: switch to a map
  const threads: string[] = [];
  const st = p.stacks;
  const n = st.length;
  const fr = st.frames;
  const start = st.start;
  const tIdx = new Array<number>(n);
  const his = new Array<number>(n);
  const los = new Array<number>(n);
  const counts = new Array<number>(n);
  let samples = 0;
  for (let s = 0; s < n; s++) {
    const th = st.thread[s] as number;
    let t = threadMap === undefined ? threadKeys.indexOf(th) + 1 : (threadMap.get(th) ?? 0);
    if (t === 0) {
      threadKeys.push(th);
      threads.push(JSON.stringify(str(th)));
      t = threads.length;
      if (threadMap !== undefined) threadMap.set(th, t);
      else if (t > 32) threadMap = new Map(threadKeys.map((k, i) => [k, i + 1]));
    }
    tIdx[s] = t;
    const from = start[s] as number;
    const to = start[s + 1] as number;
    hashStack(fr, from, to, frameHashes, stackHash, 0);
    const hi = stackHash[0] as number;
    const lo = stackHash[1] as number;
    his[s] = hi;
    los[s] = lo;
    const c = st.count[s] as number;
    counts[s] = c;
    samples += c;
    if (!dict.stacks.has(hi, lo) && dict.pendingStacks.add(hi, lo)) {
      const ids: string[] = [];
      for (let i = from; i < to; i++) ids.push(frameId(fr[i] as number));
      const depth = ids.length;
      out.stacks.push(`[${u64String(hi, lo)},[${ids.join(",")}],${depth},${depth > 0 ? (ids[depth - 1] as string) : "0"},${now}]`);
      out.newStacks.push(hi, lo);
    }
  }
  let labels = "{";
  let first = true;
  for (const k in p.labels) {
    labels += `${first ? "" : ","}${JSON.stringify(k)}:${JSON.stringify(p.labels[k])}`;
    first = false;
  }
  labels += "}";
  out.ingest.push(
    `[${windowSeconds(p)},${JSON.stringify(p.service)},${JSON.stringify(p.version)},${JSON.stringify(host)},${p.pid},${JSON.stringify(p.mode)},${labels},${JSON.stringify(p.captureId)},${batch},[${threads.join(",")}],[${tIdx.join(",")}],[${his.join(",")}],[${los.join(",")}],[${counts.join(",")}]]`,
  );
  out.rows += n;
  out.samples += samples;
}
