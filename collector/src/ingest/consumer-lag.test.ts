import { describe, expect, it } from "vitest";
import { FakeClock } from "@fleetprof/common/clock.fake";
import { CollectorMetrics } from "../metrics.js";
import { LAG_INTERVAL_MS, watchConsumerLag } from "./consumer-lag.js";

describe("consumer lag gauges", () => {
  it("refresh every 5 s from the consumer's info and the age of the oldest message waiting; a failed lookup keeps the last values", async () => {
    const clock = new FakeClock();
    const metrics = new CollectorMetrics();
    const infos: ({ num_pending: number; num_ack_pending: number } | Error)[] = [{ num_pending: 120, num_ack_pending: 40 }, new Error("timeout")];
    let oldest: number | undefined = clock.now();
    const timer = watchConsumerLag({
      consumerInfo: () => {
        const i = infos.shift() ?? new Error("no more answers");
        return i instanceof Error ? Promise.reject(i) : Promise.resolve(i);
      },
      oldestWaiting: () => oldest,
      metrics,
      clock,
    });
    await clock.advance(LAG_INTERVAL_MS);
    expect([metrics.lagMessages, metrics.ackPending, metrics.oldestWaitingSeconds]).toEqual([120, 40, 5]);
    oldest = undefined;
    await clock.advance(LAG_INTERVAL_MS);
    expect([metrics.lagMessages, metrics.ackPending, metrics.oldestWaitingSeconds]).toEqual([120, 40, 0]);
    timer.cancel();
    expect(clock.pending).toBe(0);
  });
});
