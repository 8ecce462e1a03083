/**
 * Time as the agent's schedulers see it: window boundaries aligned to the wall clock, and a
 * clock (now, one-shot and repeating timers) injected so unit tests can drive time by hand.
 */

/** The first boundary strictly after `nowMs`: every window starts at a multiple of its length. */
export function nextBoundary(nowMs: number, windowMs: number): number {
  return (Math.floor(nowMs / windowMs) + 1) * windowMs;
}

/** Cancels a timer started by a {@link Clock}; calling it again does nothing. */
export type CancelTimer = () => void;

/** The wall clock and timers, as one injectable value. */
export interface Clock {
  /** Unix time in ms. */
  now: () => number;
  /** Runs `fn` once after `ms`. */
  after: (ms: number, fn: () => void) => CancelTimer;
  /** Runs `fn` every `ms`. */
  every: (ms: number, fn: () => void) => CancelTimer;
}

/** `Date.now()` and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
  every: (ms, fn) => {
    const timer = setInterval(fn, ms);
    return () => clearInterval(timer);
  },
};
