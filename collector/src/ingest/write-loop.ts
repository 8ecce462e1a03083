/**
 * The write loop: takes the pending write when one is due (`flush-scheduler.ts`) and commits it,
 * one write in flight at a time, while decoding fills the next. On stop it writes what was
 * decoded and ends once nothing waits; past the stop deadline (`hardStop`) it ends without
 * starting another write, and what is not written stays unacknowledged.
 */
import type { Clock } from "@fleetprof/common";
import type { WriteItem } from "../write/commit.js";
import { flushDue, flushWait, type FlushSettings } from "./flush-scheduler.js";
import type { PendingWrite } from "./pending-write.js";
import { Wakeup } from "./wakeup.js";

export interface WriteLoopDeps<P> extends FlushSettings {
  pending: PendingWrite<P>;
  /** Commits one write (`WriteCommitter`); resolves once its messages are acked, refused, or left at stop. */
  committer: { commit(prepared: P, items: WriteItem[]): Promise<void> };
  /** The decode stage: restarted when the pending write is taken, and asked whether it is idle at stop. */
  decode: { pump(): void; readonly waiting: number; readonly decoding: number };
  clock: Clock;
  /** Aborted when the collector stops: write what waits, then end. */
  stopping: AbortSignal;
  /** Aborted at the stop deadline: end without writing more. */
  hardStop: AbortSignal;
}

export class WriteLoop<P> {
  readonly #d: WriteLoopDeps<P>;
  readonly #wakeup: Wakeup;
  #committing = false;
  #inFlight: Promise<void> = Promise.resolve();

  constructor(deps: WriteLoopDeps<P>) {
    this.#d = deps;
    this.#wakeup = new Wakeup(deps.clock);
  }

  /** Makes the loop look again now (a message was decoded, a write ended, the collector is stopping). */
  poke(): void {
    this.#wakeup.poke();
  }

  /** Writes until the collector stopped and nothing waits (or the stop deadline passed). */
  async run(): Promise<void> {
    const { pending, clock, stopping, hardStop } = this.#d;
    for (;;) {
      const now = clock.now();
      const state = { oldest: pending.oldest, rows: pending.rows, committing: this.#committing, stopping: stopping.aborted };
      if (!flushDue(state, now, this.#d)) {
        if (stopping.aborted && this.#idle()) break;
        await this.#wakeup.wait(flushWait(state, now, this.#d));
        continue;
      }
      if (hardStop.aborted) break;
      this.#startWrite();
    }
    await this.#inFlight;
  }

  /** Nothing waits to be written, decoded or (before the deadline) received. */
  #idle(): boolean {
    const { pending, decode, hardStop } = this.#d;
    return pending.messages === 0 && decode.decoding === 0 && (decode.waiting === 0 || hardStop.aborted);
  }

  #startWrite(): void {
    const taken = this.#d.pending.take();
    this.#d.decode.pump();
    const prepared = taken.builder.finish();
    this.#committing = true;
    this.#inFlight = this.#d.committer.commit(prepared, taken.items).finally(() => {
      this.#committing = false;
      this.#wakeup.poke();
    });
  }
}
