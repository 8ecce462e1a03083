/**
 * Messages delivered and not yet acknowledged or terminated. Each is kept alive with
 * `working()` every third of the ack wait, so a slow or failing ClickHouse never lets JetStream
 * deliver it again (and never burns `max_deliver`) while the collector still works on it.
 */
import type { Clock, Timer } from "@fleetprof/common";

/** What keeping a message alive needs of it (a `JsMsg`). */
export interface KeepAlive {
  working(): void;
}

/** How often held messages are kept alive: a third of the ack wait, at least every 500 ms. */
export function keepAliveInterval(ackWaitMs: number): number {
  return Math.max(500, Math.floor(ackWaitMs / 3));
}

export class HeldMessages<M extends KeepAlive = KeepAlive> {
  readonly #held = new Set<M>();
  readonly #timer: Timer;

  constructor(clock: Clock, ackWaitMs: number) {
    this.#timer = clock.every(keepAliveInterval(ackWaitMs), () => {
      for (const m of this.#held) m.working();
    });
  }

  /** Holds `m` until `release(m)`. */
  hold(m: M): void {
    this.#held.add(m);
  }

  /** Lets `m` go (acknowledged or terminated). */
  release(m: M): void {
    this.#held.delete(m);
  }

  /** Messages held now. */
  get size(): number {
    return this.#held.size;
  }

  /** Stops keeping messages alive (at shutdown: what is still held is delivered again). */
  stopKeepAlive(): void {
    this.#timer.cancel();
  }
}
