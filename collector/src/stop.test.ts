import { describe, expect, it } from "vitest";
import { FakeClock } from "@fleetprof/common/clock.fake";
import { STOP_PULL_TIMEOUT_MS, STOP_WRITE_DEADLINE_MS, stopInOrder, type StopSteps } from "./stop.js";

/** Steps that record their order; pulling and writing end when the test says so. */
function steps(): StopSteps & { log: string[]; pulled: () => void; written: () => void } {
  const log: string[] = [];
  let pulled = (): void => undefined;
  let written = (): void => undefined;
  return {
    log,
    pulled: () => pulled(),
    written: () => written(),
    stopPulling: () => {
      log.push("stop pulling");
      return new Promise<void>((r) => (pulled = r));
    },
    finishWriting: () => {
      log.push("finish writing");
      return new Promise<void>((r) => (written = r));
    },
    giveUp: () => void log.push("give up"),
    release: () => {
      log.push("release");
      return Promise.resolve();
    },
  };
}

describe("stop sequence", () => {
  it("stops pulling, writes what was received, then releases, leaving no timer behind", async () => {
    const clock = new FakeClock();
    const s = steps();
    let done = false;
    void stopInOrder(s, clock).then(() => (done = true));
    await clock.advance(0);
    s.pulled();
    await clock.advance(0);
    s.written();
    await clock.advance(0);
    expect(s.log).toEqual(["stop pulling", "finish writing", "release"]);
    expect([done, clock.pending]).toEqual([true, 0]);
  });

  it("goes on without the pull after 2 s (a dead NATS connection does not hold the shutdown)", async () => {
    const clock = new FakeClock();
    const s = steps();
    void stopInOrder(s, clock);
    await clock.advance(STOP_PULL_TIMEOUT_MS - 1);
    expect(s.log).toEqual(["stop pulling"]);
    await clock.advance(1);
    expect(s.log).toEqual(["stop pulling", "finish writing"]);
  });

  it("gives up on writing 8 s after it began, then releases once the writes returned", async () => {
    const clock = new FakeClock();
    const s = steps();
    void stopInOrder(s, clock);
    await clock.advance(0);
    s.pulled();
    await clock.advance(STOP_WRITE_DEADLINE_MS - 1);
    expect(s.log).toEqual(["stop pulling", "finish writing"]);
    await clock.advance(1);
    expect(s.log).toEqual(["stop pulling", "finish writing", "give up"]);
    s.written();
    await clock.advance(0);
    expect(s.log).toEqual(["stop pulling", "finish writing", "give up", "release"]);
  });
});
