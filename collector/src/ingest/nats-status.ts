/** NATS connection events: disconnects and reconnects set the `nats_up` gauge; all are logged. */
import type { Logger } from "@fleetprof/common";
import type { CollectorMetrics } from "../metrics.js";

/** The events read (of `nc.status()`). */
export type NatsStatusEvent = { type: string; server?: string; error?: unknown };

/** Follows `status` until the connection closes. */
export async function watchNatsStatus(status: AsyncIterable<NatsStatusEvent>, metrics: CollectorMetrics, log: Logger): Promise<void> {
  for await (const s of status) {
    if (s.type === "disconnect") {
      metrics.natsUp = 0;
      log.warn({ server: s.server }, "disconnected from NATS; reconnecting (unacknowledged messages are delivered again)");
    } else if (s.type === "reconnect") {
      metrics.natsUp = 1;
      log.info({ server: s.server }, "reconnected to NATS");
    } else if (s.type === "error") log.warn({ err: s.error }, "NATS connection error");
  }
}
