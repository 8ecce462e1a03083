/**
 * What the write API takes: one batch of per-process profiles, shaped like the wire's
 * `ProcessProfile` (string table, frames and stacks by index) so that the collector hands over
 * decoded messages without copying stacks. Values are validated by the collector.
 */
export interface FrameInput {
  /** Index into `strings`. */
  function: number;
  /** Index into `strings`. */
  file: number;
  line: number;
}

/**
 * Frames as one column of (function, file, line) triples: what a decoder hands over (no object
 * per frame, and it crosses a thread boundary without copying).
 */
export interface FrameTable {
  readonly length: number;
  /** Frame `i` at `3i` (function), `3i + 1` (file), `3i + 2` (line). */
  readonly data: Uint32Array;
}

export function isFrameTable(f: readonly FrameInput[] | FrameTable): f is FrameTable {
  return !Array.isArray(f);
}

/**
 * The stacks of one profile, column by column (no object per stack: a collector handles
 * hundreds of thousands of stacks per second). Stack `i` is `frames[start[i] .. start[i + 1])`.
 * Build one from a list with {@link stacksFromList}.
 */
export interface StacksInput {
  /** Number of stacks. */
  length: number;
  /** Frame indexes (into the profile's `frames`) of every stack, root first, one after another. */
  frames: ArrayLike<number>;
  /** `length + 1` offsets into `frames`. */
  start: ArrayLike<number>;
  /** Thread name of each stack, an index into `strings`. */
  thread: ArrayLike<number>;
  /** Samples of each stack. */
  count: ArrayLike<number>;
}

export interface StackInput {
  /** Indexes into `frames`, root first. */
  frameIds: readonly number[];
  /** Thread name, index into `strings`. */
  thread: number;
  count: number | bigint;
}

/** Columns from a list of stacks (tests, tools; the collector decodes into columns directly). */
export function stacksFromList(list: readonly StackInput[]): StacksInput {
  let total = 0;
  for (const s of list) total += s.frameIds.length;
  const frames = new Uint32Array(total);
  const start = new Uint32Array(list.length + 1);
  const thread = new Uint32Array(list.length);
  const count = new Float64Array(list.length);
  let at = 0;
  list.forEach((s, i) => {
    start[i] = at;
    frames.set(s.frameIds, at);
    at += s.frameIds.length;
    thread[i] = s.thread;
    count[i] = Number(s.count);
  });
  start[list.length] = at;
  return { length: list.length, frames, start, thread, count };
}

/**
 * A string table whose strings are created only when asked for, with every string's hash
 * precomputed (hi, lo at 2i, 2i + 1, as `hashBytes` over the UTF-8 bytes). A decoder hands this
 * over so that names are hashed from the wire bytes and only the few that are needed (thread
 * names, names of new frames) become JavaScript strings.
 */
export interface StringTable {
  readonly length: number;
  get(i: number): string;
  readonly hashes: Uint32Array;
}

export interface ProfileInput {
  pid: number;
  service: string;
  version: string;
  labels: Readonly<Record<string, string>>;
  /** `cpu`, `wall` or `gil`. */
  mode: string;
  windowStartUnixMs: number | bigint;
  /** Window end, unix ms; absent when unknown (coverage then records no window length). */
  windowEndUnixMs?: number | bigint;
  /** Sampling rate, Hz; absent or 0 when unknown. */
  sampleRateHz?: number;
  /** Samples the agent expected in the window (in the unit of the counts); absent or 0 when unknown. */
  expectedSamples?: number | bigint;
  /** Set for ad-hoc captures, empty for continuous profiling. */
  captureId: string;
  /** Function, file and thread names, referenced by index: a plain array or a {@link StringTable}. */
  strings: readonly string[] | StringTable;
  frames: readonly FrameInput[] | FrameTable;
  stacks: StacksInput;
}

export interface BatchInput {
  /** Unique per batch (per part of a split batch): what makes a redelivery recognisable. */
  batchId: string;
  host: string;
  profiles: readonly ProfileInput[];
}

export interface WriteOptions {
  /**
   * Batch ids that may have been written before (redelivered messages, or a retry after a failed
   * write): their rows are looked up first and only what is missing is written.
   */
  uncertain?: ReadonlySet<string>;
}

export interface WriteResult {
  /** Batches found in the ledger (already complete): nothing written for them. */
  duplicateBatches: number;
  /** Profiles skipped because a previous partial write had stored them. */
  recoveredProfiles: number;
  /** Sample rows and the samples they count. */
  rows: number;
  samples: number;
  frames: number;
  stacks: number;
  /** Per table insert durations (ms). */
  insertMs: number;
}
