/**
 * What a decoded batch must satisfy to be stored. Anything else is dead-lettered whole, with a
 * reason of reject-reasons.ts: a batch is one agent's one message, and half of it would make
 * its totals wrong without anyone noticing.
 */
import { FORMAT_VERSION } from "@fleetprof/proto";
import type { DecodedBatch } from "../decode/sample-batch.js";
import type { Rejection } from "./reject-reasons.js";

export interface ValidationLimits {
  /** Largest count of one stack in one window. */
  maxSampleCount: number;
  /** How long ago a window may have started, ms (older data would land in expired partitions). */
  maxWindowAge: number;
  /** How far ahead of this collector's clock a window may start, ms (clock skew). */
  maxWindowAhead: number;
}

const EARLIEST = Date.UTC(2000, 0, 1);

/** What is wrong with a window start (unix ms), if anything. */
function checkWindow(t: number, limits: ValidationLimits, now: number): string | undefined {
  if (!(t >= EARLIEST && t <= 8_640_000_000_000_000)) return `window start ${String(t)} is not a plausible unix time in ms`;
  const at = new Date(t).toISOString();
  if (t < now - limits.maxWindowAge) return `max-window-age exceeded: window start ${at} is ${hours(now - t)} old (more than ${hours(limits.maxWindowAge)})`;
  if (t > now + limits.maxWindowAhead)
    return `max-window-ahead exceeded: window start ${at} is ${hours(t - now)} ahead of this collector's clock (more than ${hours(limits.maxWindowAhead)})`;
  return undefined;
}

function hours(ms: number): string {
  return ms >= 2 * 86_400_000 ? `${(ms / 86_400_000).toFixed(2)} days` : `${(ms / 3_600_000).toFixed(2)} h`;
}

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
    const bad = checkWindow(p.windowStartUnixMs, limits, now);
    if (bad !== undefined) return { reason: "invalid_time", detail: `${who}: ${bad}` };
    if (p.windowEndUnixMs !== 0 && p.windowEndUnixMs < p.windowStartUnixMs) return { reason: "invalid_time", detail: `${who}: window ends before it starts` };
    const nStrings = p.strings.length;
    const nFrames = p.frames.length;
    const fd = p.frames.data;
    for (let i = 0; i < nFrames; i++) {
      const fn = fd[i * 3] as number;
      const file = fd[i * 3 + 1] as number;
      if (fn >= nStrings || file >= nStrings)
        return { reason: "invalid_reference", detail: `${who}: a frame names string ${String(Math.max(fn, file))} of ${String(nStrings)}` };
    }
    const st = p.stacks;
    for (let s = 0; s < st.length; s++) {
      const thread = st.thread[s] as number;
      if (thread >= nStrings && !(thread === 0 && nStrings === 0))
        return { reason: "invalid_reference", detail: `${who}: a stack names thread string ${String(thread)} of ${String(nStrings)}` };
      const count = st.count[s] as number;
      if (!(count <= limits.maxSampleCount))
        return {
          reason: "invalid_count",
          detail: `${who}: a stack counts ${String(count)} samples (limit ${String(limits.maxSampleCount)}; negative counts arrive as huge unsigned numbers)`,
        };
    }
    if (st.maxFrame >= nFrames) return { reason: "invalid_reference", detail: `${who}: a stack names frame ${String(st.maxFrame)} of ${String(nFrames)}` };
  }
  return undefined;
}
