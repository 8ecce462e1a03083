import { describe, expect, it } from "vitest";
import { collectorHealth, type HealthState } from "./health.js";

const healthy: HealthState = { natsClosed: false, natsUp: 1, writeError: undefined, lastWriteAt: Date.now(), waitingMessages: 3, stopping: false };

describe("collector health", () => {
  it("is ok while NATS is connected, the last write landed and the collector runs", () => {
    const h = collectorHealth(healthy);
    expect(h).toMatchObject({ ok: true, nats: "connected", clickhouse: "ok", waitingMessages: 3, stopping: false });
    expect(h["lastWriteAt"]).toBe(new Date(healthy.lastWriteAt).toISOString());
  });

  it("says which part fails: NATS down or closed, ClickHouse failing (with its error), or stopping", () => {
    expect(collectorHealth({ ...healthy, natsUp: 0 })).toMatchObject({ ok: false, nats: "disconnected", clickhouse: "ok" });
    expect(collectorHealth({ ...healthy, natsClosed: true })).toMatchObject({ ok: false, nats: "disconnected" });
    expect(collectorHealth({ ...healthy, writeError: "Timeout error." })).toMatchObject({
      ok: false,
      nats: "connected",
      clickhouse: "failing: Timeout error.",
    });
    expect(collectorHealth({ ...healthy, stopping: true })).toMatchObject({ ok: false, stopping: true });
    expect(collectorHealth({ ...healthy, lastWriteAt: 0 })["lastWriteAt"]).toBeNull();
  });
});
