import { createLogger, LogOnce } from "@fleetprof/common";
import type { PreparedWrite, Store, WriteResult } from "@fleetprof/store";
import { describe, expect, it } from "vitest";
import { FakeClock } from "@fleetprof/common/clock.fake";
import { fakeMsg } from "../ingest/message.fake.js";
import { fakeBatch } from "../ingest/write.fake.js";
import { CollectorMetrics } from "../metrics.js";
import { WriteCommitter, type WriteItem } from "./commit.js";

const landed: WriteResult = { duplicateBatches: 0, recoveredProfiles: 0, rows: 10, samples: 100, frames: 0, stacks: 0, insertMs: 1 };

/** A store whose first `failures` commits fail with a passing error (a timeout). */
function setup(failures: number): {
  clock: FakeClock;
  committer: WriteCommitter;
  hardStop: AbortController;
  attempts: () => number;
  acked: WriteItem[];
  metrics: CollectorMetrics;
} {
  const clock = new FakeClock();
  let attempts = 0;
  const store = { commitWrite: () => (++attempts <= failures ? Promise.reject(new Error("Timeout error.")) : Promise.resolve(landed)) } as unknown as Store;
  const acked: WriteItem[] = [];
  const metrics = new CollectorMetrics();
  const hardStop = new AbortController();
  const committer = new WriteCommitter({
    ...{ store, metrics, clock, log: createLogger({ level: "silent" }), once: new LogOnce(), retryMax: 30_000, hardStop: hardStop.signal },
    committed: (items) => void acked.push(...items),
    refused: () => Promise.reject(new Error("nothing is refused here")),
  });
  return { clock, committer, hardStop, attempts: () => attempts, acked, metrics };
}

const items = (): WriteItem[] => [{ m: fakeMsg().msg, batch: fakeBatch("a") }];

describe("write committer", () => {
  it("retries a failing write with back-off (100 ms, then 200 ms, ±25 %) until it lands, then acknowledges", async () => {
    const { clock, committer, attempts, acked, metrics } = setup(2);
    const start = clock.now();
    void committer.commit({} as PreparedWrite, items());
    await clock.advance(74);
    expect(attempts()).toBe(1);
    expect(committer.lastError).toBe("Timeout error.");
    await clock.advance(125 - 74 + 250);
    expect([attempts(), acked.length, metrics.insertFailures, committer.lastError]).toEqual([3, 1, 2, undefined]);
    // landed after both pauses: at least 75 + 150 ms, at most 125 + 250 ms
    expect(committer.lastWriteAt - start).toBeGreaterThanOrEqual(225);
    expect(committer.lastWriteAt - start).toBeLessThanOrEqual(375);
  });

  it("stops retrying at the stop deadline: the messages are neither acknowledged nor refused", async () => {
    const { clock, committer, hardStop, attempts, acked } = setup(Infinity);
    let ended = false;
    void committer.commit({} as PreparedWrite, items()).then(() => (ended = true));
    await clock.advance(10_000);
    const tried = attempts();
    hardStop.abort();
    await clock.advance(0);
    expect(ended).toBe(true);
    await clock.advance(60_000);
    expect([attempts(), acked.length]).toEqual([tried, 0]);
  });
});
