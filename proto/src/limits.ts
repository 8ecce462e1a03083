/**
 * What a collector accepts in one SampleBatch message, by default: the caps on what decoding
 * may allocate. A collector dead-letters a message that breaks one (the operator may loosen
 * them with the collector's options of the same names); an agent keeps its messages well
 * inside them, truncating (and counting) at the source, so legitimate data is never refused.
 */
import { MAX_DECODED_BYTES } from "./wire.js";

export interface BatchLimits {
  /** Decompressed payload, bytes. */
  maxDecodedBytes: number;
  /** Profiles in one message. */
  maxProfiles: number;
  /** Stacks in one message (all profiles). */
  maxStacks: number;
  /** Frames in one message (all profiles). */
  maxFrames: number;
  /** String-table entries in one message (all profiles). */
  maxStrings: number;
  /** Frame references of all stacks in one message (the sum of their depths). */
  maxStackFrames: number;
  /** Frames in one stack. */
  maxStackDepth: number;
  /** Labels of one profile. */
  maxLabels: number;
  /** Distinct label values in one message (all profiles). */
  maxLabelValues: number;
  /** A name, path, label or id; function, file and thread names in UTF-8 bytes, others in characters. */
  maxStringLength: number;
}

export const DEFAULT_BATCH_LIMITS: Readonly<BatchLimits> = {
  maxDecodedBytes: MAX_DECODED_BYTES,
  maxProfiles: 10_000,
  maxStacks: 1_000_000,
  maxFrames: 1_000_000,
  maxStrings: 1_000_000,
  maxStackFrames: 16_000_000,
  maxStackDepth: 2048,
  maxLabels: 64,
  maxLabelValues: 10_000,
  maxStringLength: 8192,
};
