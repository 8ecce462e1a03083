/**
 * Rejecting a message: counted per reason, logged once per reason, copied to the dead-letter
 * subject and terminated. A message is let go only once its copy is published; while the
 * dead-letter subject cannot be published to, the message stays held (kept alive) and the copy
 * is retried with back-off. Once the collector stops, a failed copy is given up on: the message
 * stays unacknowledged and JetStream delivers it again.
 */
import type { JsMsg } from "@nats-io/jetstream";
import { type Clock, type Logger, type LogOnce } from "@fleetprof/common";
import type { CollectorMetrics } from "../metrics.js";
import type { HeldMessages } from "./held-messages.js";
import type { RejectReason } from "./reject-reasons.js";

/** Pause before dead-letter copy attempt `attempt + 1`: 0.5 s doubling, at most 30 s. */
export function deadLetterRetryDelay(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** Math.min(attempt, 10));
}

export interface RejecterDeps {
  /** Publishes the dead-letter copy of `m` and terminates it (`deadLetter`). */
  copy: (m: JsMsg, reason: RejectReason, detail: string) => Promise<void>;
  held: HeldMessages<JsMsg>;
  metrics: CollectorMetrics;
  log: Logger;
  once: LogOnce;
  /** Aborted when the collector stops. */
  stopping: AbortSignal;
  clock: Clock;
}

/** Returns the function that rejects a message (see the file comment). */
export function createRejecter(d: RejecterDeps): (m: JsMsg, reason: RejectReason, detail: string) => Promise<void> {
  return async (m, reason, detail) => {
    d.metrics.reject(reason);
    if (d.once.first(`reject:${reason}`)) {
      d.log.warn(
        { reason, detail, subject: m.subject, seq: m.seq },
        `rejected a message (${reason}); copied to the dead-letter subject (logged once per reason)`,
      );
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await d.copy(m, reason, detail);
        d.held.release(m);
        return;
      } catch (err) {
        d.metrics.deadLetterFailures++;
        if (d.once.first("dlq-publish")) d.log.error({ err }, "could not publish to the dead-letter subject; holding the message and retrying");
        // a stop during the back-off ends it at once (the message stays unacknowledged)
        if (!(await d.clock.sleep(deadLetterRetryDelay(attempt), d.stopping))) return;
      }
    }
  };
}
