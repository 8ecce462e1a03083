/**
 * The lag gauges, refreshed every `LAG_INTERVAL_MS`: messages in the stream not yet delivered and
 * delivered but not acknowledged (the consumer's `num_pending` / `num_ack_pending`), and the age
 * of the oldest message waiting in this collector.
 */
import type { Clock, Timer } from "@fleetprof/common";
import type { CollectorMetrics } from "../metrics.js";

export const LAG_INTERVAL_MS = 5000;

export interface LagSources {
  /** The consumer's info (`jsm.consumers.info(stream, name)`); a failure leaves the gauges as they were. */
  consumerInfo: () => Promise<{ num_pending: number; num_ack_pending: number }>;
  /** When the oldest message waiting here arrived (ms); undefined when none waits. */
  oldestWaiting: () => number | undefined;
  metrics: CollectorMetrics;
  clock: Clock;
}

/** Starts refreshing the gauges; cancel the timer to stop. */
export function watchConsumerLag(s: LagSources): Timer {
  return s.clock.every(LAG_INTERVAL_MS, () => {
    s.consumerInfo()
      .then((info) => {
        s.metrics.lagMessages = info.num_pending;
        s.metrics.ackPending = info.num_ack_pending;
      })
      .catch(() => undefined);
    const oldest = s.oldestWaiting();
    s.metrics.oldestWaitingSeconds = oldest === undefined ? 0 : (s.clock.now() - oldest) / 1000;
  });
}
