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

export interface StackInput {
  /** Indexes into `frames`, root first. */
  frameIds: readonly number[];
  /** Thread name, index into `strings`. */
  thread: number;
  count: number | bigint;
}

export interface ProfileInput {
  pid: number;
  service: string;
  version: string;
  labels: Readonly<Record<string, string>>;
  /** `cpu`, `wall` or `gil`. */
  mode: string;
  windowStartUnixMs: number | bigint;
  /** Set for ad-hoc captures, empty for continuous profiling. */
  captureId: string;
  strings: readonly string[];
  frames: readonly FrameInput[];
  stacks: readonly StackInput[];
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
