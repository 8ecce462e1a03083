/** A clock for unit tests: time moves only when the test calls `advance`. */
import type { Clock, Timer } from "./clock.js";

interface Scheduled {
  at: number;
  fn: () => void;
  /** Interval period; undefined for a one-shot timer. */
  period: number | undefined;
  cancelled: boolean;
}

/** Lets pending promise callbacks (and the I/O callbacks they schedule) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

export class FakeClock implements Clock {
  #now: number;
  readonly #timers: Scheduled[] = [];

  constructor(start = 1_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Timers still waiting to fire. */
  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal?.aborted === true) return resolve(false);
      const t = this.after(ms, () => resolve(true));
      signal?.addEventListener("abort", () => {
        t.cancel();
        resolve(false);
      });
    });
  }

  after(ms: number, fn: () => void): Timer {
    return this.#schedule(ms, fn, undefined);
  }

  every(ms: number, fn: () => void): Timer {
    return this.#schedule(ms, fn, ms);
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order, settling promises after each. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    await settle();
    for (;;) {
      const live = this.#timers.filter((t) => !t.cancelled && t.at <= end).sort((a, b) => a.at - b.at);
      const next = live[0];
      if (next === undefined) break;
      this.#now = next.at;
      if (next.period === undefined) next.cancelled = true;
      else next.at += next.period;
      next.fn();
      await settle();
    }
    this.#now = end;
    await settle();
  }

  #schedule(ms: number, fn: () => void, period: number | undefined): Timer {
    const t: Scheduled = { at: this.#now + Math.max(0, ms), fn, period, cancelled: false };
    this.#timers.push(t);
    return {
      cancel: () => {
        t.cancelled = true;
      },
    };
  }
}
