/**
 * What a decoded batch must satisfy to be stored. Anything else is dead-lettered with one of
 * {@link REJECT_REASONS}, whole: a batch is one agent's one message, and half of it would make
 * its totals wrong without anyone noticing.
 */
import { FORMAT_VERSION } from "@fleetprof/proto";
import type { DecodedBatch } from "../decode/sample-batch.js";

/** Every dead-letter reason, also the `reason` label of the rejected-messages metric. */
export const REJECT_REASONS = [
  "undecodable",
  "unknown_version",
  "invalid_batch",
  "invalid_profile",
  "invalid_time",
  "invalid_reference",
  "invalid_count",
  "stack_too_deep",
  "too_many_labels",
  "oversized_string",
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

export interface Rejection {
  reason: RejectReason;
  detail: string;
}

export interface ValidationLimits {
  /** Largest count of one stack in one window. */
  maxSampleCount: number;
  /** How far in the future a window may start (clock skew). */
  maxFutureMs: number;
}

const EARLIEST = Date.UTC(2000, 0, 1);

export function validateBatch(b: DecodedBatch, limits: ValidationLimits, now = Date.now()): Rejection | undefined {
  if (b.formatVersion !== FORMAT_VERSION) {
    return { reason: "unknown_version", detail: `format version ${String(b.formatVersion)} (this collector reads ${String(FORMAT_VERSION)})` };
  }
  if (b.batchId === "") return { reason: "invalid_batch", detail: "batch id is empty" };
  for (const p of b.profiles) {
    const who = `pid ${String(p.pid)} of ${p.service}`;
    if (p.service === "") return { reason: "invalid_profile", detail: `pid ${String(p.pid)} has no service` };
    if (p.pid > 0xffffffff) return { reason: "invalid_profile", detail: `pid ${String(p.pid)} out of range` };
    if (p.modeValue > 3) return { reason: "invalid_profile", detail: `${who}: unknown profile mode ${String(p.modeValue)}` };
    if (p.modeValue === 0) p.mode = "unspecified";
    const t = p.windowStartUnixMs;
    if (!(t >= EARLIEST && t <= now + limits.maxFutureMs)) return { reason: "invalid_time", detail: `${who}: window start ${String(t)} is not a plausible unix time in ms` };
    if (p.windowEndUnixMs !== 0 && p.windowEndUnixMs < t) return { reason: "invalid_time", detail: `${who}: window ends before it starts` };
    const nStrings = p.strings.length;
    const nFrames = p.frames.length;
    const fd = p.frames.data;
    for (let i = 0; i < nFrames; i++) {
      const fn = fd[i * 3] as number;
      const file = fd[i * 3 + 1] as number;
      if (fn >= nStrings || file >= nStrings) return { reason: "invalid_reference", detail: `${who}: a frame names string ${String(Math.max(fn, file))} of ${String(nStrings)}` };
    }
    const st = p.stacks;
    for (let s = 0; s < st.length; s++) {
      const thread = st.thread[s] as number;
      if (thread >= nStrings && !(thread === 0 && nStrings === 0)) return { reason: "invalid_reference", detail: `${who}: a stack names thread string ${String(thread)} of ${String(nStrings)}` };
      const count = st.count[s] as number;
      if (!(count <= limits.maxSampleCount)) return { reason: "invalid_count", detail: `${who}: a stack counts ${String(count)} samples (limit ${String(limits.maxSampleCount)}; negative counts arrive as huge unsigned numbers)` };
    }
    if (st.maxFrame >= nFrames) return { reason: "invalid_reference", detail: `${who}: a stack names frame ${String(st.maxFrame)} of ${String(nFrames)}` };
  }
  return undefined;
}
