import { describe, expect, it } from "vitest";
import { FakeClock } from "@fleetprof/common/clock.fake";
import { fakeMsg } from "./message.fake.js";
import { PendingWrite } from "./pending-write.js";
import { fakeBatch, fakeWrites } from "./write.fake.js";

describe("pending write", () => {
  it("gathers decoded messages into one write, aged from the first, and hands it over whole", async () => {
    const clock = new FakeClock();
    const w = fakeWrites();
    const pending = new PendingWrite(w.begin, clock);
    expect(pending.oldest).toBeUndefined();
    const first = clock.now();
    pending.add({ m: fakeMsg({ seq: 1 }).msg, batch: fakeBatch("a") }, 300);
    await clock.advance(700);
    pending.add({ m: fakeMsg({ seq: 2 }).msg, batch: fakeBatch("b") }, 200);
    expect([pending.rows, pending.messages, pending.oldest]).toEqual([500, 2, first]);

    const taken = pending.take();
    expect(taken.builder.finish()).toEqual(["a", "b"]);
    expect(taken.items.map((i) => i.batch.batchId)).toEqual(["a", "b"]);
    expect([pending.rows, pending.messages, pending.oldest]).toEqual([0, 0, undefined]);
    pending.add({ m: fakeMsg({ seq: 3 }).msg, batch: fakeBatch("c") }, 1);
    expect(w.opened).toEqual([["a", "b"], ["c"]]);
  });
});
