/** The collector's health (`GET /healthz`): healthy while NATS is connected, the last write landed, and it is not stopping. */
import type { HealthReport } from "./http.js";

export interface HealthState {
  natsClosed: boolean;
  /** The `nats_up` gauge (0 while disconnected). */
  natsUp: number;
  /** The last write attempt's error while ClickHouse fails; undefined once a write landed. */
  writeError: string | undefined;
  /** When a write last landed (ms); 0: never. */
  lastWriteAt: number;
  /** Messages held (delivered, not yet acknowledged). */
  waitingMessages: number;
  stopping: boolean;
}

export function collectorHealth(s: HealthState): HealthReport {
  const natsOk = !s.natsClosed && s.natsUp === 1;
  const chOk = s.writeError === undefined;
  return {
    ok: natsOk && chOk && !s.stopping,
    nats: natsOk ? "connected" : "disconnected",
    clickhouse: chOk ? "ok" : `failing: ${s.writeError ?? ""}`,
    lastWriteAt: s.lastWriteAt === 0 ? null : new Date(s.lastWriteAt).toISOString(),
    waitingMessages: s.waitingMessages,
    stopping: s.stopping,
  };
}
