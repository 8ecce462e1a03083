import { describe, expect, it } from "vitest";
import { FakeClock } from "@fleetprof/common/clock.fake";
import { Wakeup } from "./wakeup.js";

describe("wakeup", () => {
  it("ends a wait when its time passed", async () => {
    const clock = new FakeClock();
    const w = new Wakeup(clock);
    let ended = false;
    void w.wait(1000).then(() => (ended = true));
    await clock.advance(999);
    expect(ended).toBe(false);
    await clock.advance(1);
    expect(ended).toBe(true);
  });

  it("ends a wait at once when poked, and cancels its timer", async () => {
    const clock = new FakeClock();
    const w = new Wakeup(clock);
    let ended = false;
    void w.wait(60_000).then(() => (ended = true));
    w.poke();
    await clock.advance(0);
    expect(ended).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it("does not keep a poke made while no one waits (the waiter looks at the state first)", async () => {
    const clock = new FakeClock();
    const w = new Wakeup(clock);
    w.poke();
    let ended = false;
    void w.wait(1000).then(() => (ended = true));
    await clock.advance(500);
    expect(ended).toBe(false);
  });
});
