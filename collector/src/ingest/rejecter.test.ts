import type { JsMsg } from "@nats-io/jetstream";
import { createLogger, LogOnce } from "@fleetprof/common";
import { describe, expect, it } from "vitest";
import { FakeClock } from "@fleetprof/common/clock.fake";
import { CollectorMetrics } from "../metrics.js";
import { HeldMessages } from "./held-messages.js";
import { fakeMsg } from "./message.fake.js";
import { createRejecter, deadLetterRetryDelay } from "./rejecter.js";

/** A dead-letter subject that refuses the first `failures` copies. */
function setup(failures: number): {
  clock: FakeClock;
  held: HeldMessages<JsMsg>;
  metrics: CollectorMetrics;
  stopping: AbortController;
  copies: () => number;
  reject: ReturnType<typeof createRejecter>;
} {
  const clock = new FakeClock();
  const held = new HeldMessages<JsMsg>(clock, 60_000);
  const metrics = new CollectorMetrics();
  const stopping = new AbortController();
  let copies = 0;
  const copy = (): Promise<void> => (++copies <= failures ? Promise.reject(new Error("no responders")) : Promise.resolve());
  const reject = createRejecter({ copy, held, metrics, log: createLogger({ level: "silent" }), once: new LogOnce(), stopping: stopping.signal, clock });
  return { clock, held, metrics, stopping, copies: () => copies, reject };
}

describe("rejecter", () => {
  it("holds a message until its dead-letter copy is published, retrying after 0.5 s, then 1 s", async () => {
    const { clock, held, metrics, copies, reject } = setup(2);
    const m = fakeMsg();
    held.hold(m.msg);
    let done = false;
    void reject(m.msg, "invalid_batch", "empty batch id").then(() => (done = true));
    await clock.advance(499);
    expect([copies(), held.size, done]).toEqual([1, 1, false]);
    await clock.advance(1);
    expect(copies()).toBe(2);
    await clock.advance(1000);
    expect([copies(), held.size, done]).toEqual([3, 0, true]);
    expect(metrics.deadLetterFailures).toBe(2);
    expect(metrics.messagesRejected).toBe(1);
  });

  it("once stopping, gives up after a failed copy and leaves the message held (JetStream delivers it again)", async () => {
    const { clock, held, stopping, copies, reject } = setup(Infinity);
    const m = fakeMsg();
    held.hold(m.msg);
    stopping.abort();
    let done = false;
    void reject(m.msg, "undecodable", "not gzip").then(() => (done = true));
    await clock.advance(0);
    expect([copies(), held.size, done]).toEqual([1, 1, true]);
  });

  it("a stop during the back-off ends it at once, without another copy and with no timer left", async () => {
    const { clock, held, stopping, copies, reject } = setup(Infinity);
    const m = fakeMsg();
    held.hold(m.msg);
    let done = false;
    void reject(m.msg, "undecodable", "not gzip").then(() => (done = true));
    await clock.advance(6_000); // copies at 0, 0.5, 1.5 and 3.5 s; the next is due at 7.5 s
    expect([copies(), done]).toEqual([4, false]);
    const timers = clock.pending; // the back-off's, and the held message's keep-alive
    stopping.abort();
    await clock.advance(0);
    expect([copies(), held.size, done, clock.pending]).toEqual([4, 1, true, timers - 1]);
  });

  it("backs off up to 30 s between copies", () => {
    expect([0, 1, 5, 6, 20].map(deadLetterRetryDelay)).toEqual([500, 1000, 16_000, 30_000, 30_000]);
  });
});
