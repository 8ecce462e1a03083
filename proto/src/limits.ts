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

/**
 * What an agent sends at most: half the collector's defaults, so legitimate data is cut and
 * counted at the source (deep stacks keep their leaf end, a frame marks the cut) and never
 * refused downstream.
 */
export const AGENT_LIMITS = {
  /** Frames in one stack, counting the frame that marks a cut. */
  maxStackDepth: DEFAULT_BATCH_LIMITS.maxStackDepth / 2,
  /** UTF-8 bytes of one function, file or thread name. */
  maxStringBytes: DEFAULT_BATCH_LIMITS.maxStringLength / 2,
} as const;
