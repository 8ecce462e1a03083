/**
 * Time as the agent's and the collector's timing parts see it: the current time, waits and
 * timers. Running processes use `systemClock`; unit tests drive a fake one
 * (`@fleetprof/common/clock.fake`) instead of waiting for real time to pass.
 */
import { sleep } from "./async.js";

/** A pending timer. */
export interface Timer {
  /** Cancels it; a no-op once it fired (or for an interval, stops further calls). */
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Waits `ms`; resolves true when the time passed, false when `signal` aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<boolean>;
  /** Calls `fn` once after `ms`. */
  after(ms: number, fn: () => void): Timer;
  /** Calls `fn` every `ms` in the background (the timer alone does not keep the process alive). */
  every(ms: number, fn: () => void): Timer;
}

/** Real time: `Date.now()` and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep,
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return { cancel: () => clearInterval(t) };
  },
};
