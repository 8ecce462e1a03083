import { createLogger } from "@fleetprof/common";
import { describe, expect, it } from "vitest";
import { CollectorMetrics } from "../metrics.js";
import { watchNatsStatus, type NatsStatusEvent } from "./nats-status.js";

/** Yields `list`, noting `nats_up` after each event was handled. */
async function* events(list: NatsStatusEvent[], seen: number[], metrics: CollectorMetrics): AsyncIterable<NatsStatusEvent> {
  for (const e of list) {
    yield await Promise.resolve(e);
    seen.push(metrics.natsUp);
  }
}

describe("NATS status", () => {
  it("turns nats_up to 0 on a disconnect and back to 1 on a reconnect; other events leave it", async () => {
    const metrics = new CollectorMetrics();
    const seen: number[] = [];
    const list: NatsStatusEvent[] = [
      { type: "disconnect", server: "n1" },
      { type: "error", error: new Error("x") },
      { type: "reconnect", server: "n2" },
      { type: "error", error: new Error("y") }, // an error while up leaves it up
      { type: "pingTimer" },
    ];
    await watchNatsStatus(events(list, seen, metrics), metrics, createLogger({ level: "silent" }));
    expect(seen).toEqual([0, 0, 1, 1, 1]);
  });
});
