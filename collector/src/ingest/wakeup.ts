/** A wait that ends early when poked: the write loop sleeps until a write is due or something changed. */
import type { Clock } from "@fleetprof/common";

export class Wakeup {
  readonly #clock: Clock;
  #wake: (() => void) | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Waits `ms`, or until `poke()`. One waiter at a time. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.#clock.after(ms, () => {
        this.#wake = undefined;
        resolve();
      });
      this.#wake = () => {
        timer.cancel();
        resolve();
      };
    });
  }

  /** Ends the current wait at once; nothing when no one waits (the waiter re-checks state before waiting). */
  poke(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }
}
