/**
 * The most samples one thread can have in a window. py-spy records each thread at most once
 * per tick, and its ticks are a Poisson process at the sampling rate (exponential gaps, against
 * aliasing; a late sampler catches up on the ticks it owes, never more), so a thread's count in
 * a window of length T is at most a Poisson(rate × T) draw. The cap allows a second more than
 * the window (the stop signal takes a moment to land) and six standard deviations: no honest
 * window reaches it, and a count beyond it is not a sample py-spy took.
 */
import type { OutputThread } from "../pyspy/output.js";

const SLACK_MS = 1000;

/** Samples one thread may have in a window of `windowMs` at `rateHz`. */
export function maxThreadSamples(rateHz: number, windowMs: number): number {
  const lambda = (rateHz * (Math.max(0, windowMs) + SLACK_MS)) / 1000;
  return Math.ceil(lambda + 6 * Math.sqrt(lambda) + 10);
}

/**
 * Scales down every thread whose samples exceed `cap` (so no stack, and no thread, counts more
 * than the cap, and the window no more than cap × threads). Returns the samples removed.
 */
export function capThreadSamples(threads: OutputThread[], cap: number): number {
  let removed = 0;
  for (const t of threads) {
    const total = t.stacks.reduce((n, s) => n + s.count, 0);
    if (total <= cap) continue;
    let kept = 0;
    for (const s of t.stacks) {
      s.count = Math.floor((s.count * cap) / total);
      kept += s.count;
    }
    t.stacks = t.stacks.filter((s) => s.count > 0);
    removed += total - kept;
  }
  return removed;
}
