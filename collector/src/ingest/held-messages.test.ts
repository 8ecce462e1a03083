import { describe, expect, it } from "vitest";
import { FakeClock } from "@fleetprof/common/clock.fake";
import { HeldMessages, keepAliveInterval } from "./held-messages.js";
import { fakeMsg } from "./message.fake.js";

describe("held messages", () => {
  it("keeps every held message alive each third of the ack wait, and a released one no longer", async () => {
    const clock = new FakeClock();
    const held = new HeldMessages(clock, 60_000);
    const a = fakeMsg({ seq: 1 });
    const b = fakeMsg({ seq: 2 });
    held.hold(a.msg);
    held.hold(b.msg);
    await clock.advance(19_999);
    expect([a.keptAlive, b.keptAlive]).toEqual([0, 0]);
    await clock.advance(1);
    expect([a.keptAlive, b.keptAlive]).toEqual([1, 1]);
    held.release(a.msg);
    expect(held.size).toBe(1);
    await clock.advance(20_000);
    expect([a.keptAlive, b.keptAlive]).toEqual([1, 2]);
  });

  it("keeps alive at least every 500 ms however short the ack wait", () => {
    expect(keepAliveInterval(900)).toBe(500);
    expect(keepAliveInterval(30_000)).toBe(10_000);
  });

  it("keeps nothing alive once stopped (what is still held is delivered again)", async () => {
    const clock = new FakeClock();
    const held = new HeldMessages(clock, 3000);
    const a = fakeMsg();
    held.hold(a.msg);
    held.stopKeepAlive();
    await clock.advance(10_000);
    expect(a.keptAlive).toBe(0);
    expect(held.size).toBe(1);
  });
});
