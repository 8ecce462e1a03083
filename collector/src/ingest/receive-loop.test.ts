import type { JsMsg } from "@nats-io/jetstream";
import { createLogger, LogOnce } from "@fleetprof/common";
import { describe, expect, it } from "vitest";
import { FakeClock } from "@fleetprof/common/clock.fake";
import { CollectorMetrics } from "../metrics.js";
import { HeldMessages } from "./held-messages.js";
import { fakeMsg } from "./message.fake.js";
import { CONSUME_BYTES, ReceiveLoop, type MessageStream, type PullConsumer } from "./receive-loop.js";
import type { RejectReason } from "./reject-reasons.js";

/** A pull that yields `msgs` and then ends. */
function stream(msgs: JsMsg[]): MessageStream {
  return {
    async *[Symbol.asyncIterator]() {
      for (const m of msgs) yield await Promise.resolve(m);
    },
    status: async function* () {},
    close: () => Promise.resolve(),
  };
}

/** A consumer whose successive consume() calls answer `pulls` in turn (an Error is thrown); later calls wait forever. */
function consumer(pulls: (JsMsg[] | Error)[]): PullConsumer & { calls: number; options: unknown[] } {
  const c = {
    calls: 0,
    options: [] as unknown[],
    consume: (o: { max_bytes: number }): Promise<MessageStream> => {
      c.options.push(o);
      const p = pulls[c.calls++];
      if (p === undefined) return new Promise(() => undefined);
      return p instanceof Error ? Promise.reject(p) : Promise.resolve(stream(p));
    },
  };
  return c;
}

function setup(pulls: (JsMsg[] | Error)[]): {
  clock: FakeClock;
  c: ReturnType<typeof consumer>;
  held: HeldMessages<JsMsg>;
  metrics: CollectorMetrics;
  received: number[];
  rejected: [number, RejectReason][];
} {
  const clock = new FakeClock();
  const c = consumer(pulls);
  const held = new HeldMessages<JsMsg>(clock, 60_000);
  const metrics = new CollectorMetrics();
  const received: number[] = [];
  const rejected: [number, RejectReason][] = [];
  const loop = new ReceiveLoop({
    consumer: () => Promise.resolve(c),
    maxDeliver: 5,
    ...{ held, metrics, clock, log: createLogger({ level: "silent" }), once: new LogOnce(), stopping: new AbortController().signal },
    reject: (m, reason) => {
      rejected.push([m.seq, reason]);
      return Promise.resolve();
    },
    receive: (m) => void received.push(m.seq),
  });
  void loop.run();
  return { clock, c, held, metrics, received, rejected };
}

describe("receive loop", () => {
  it("holds every delivered message, counts redeliveries, and dead-letters the last allowed delivery unread", async () => {
    const msgs = [fakeMsg({ seq: 1 }), fakeMsg({ seq: 2, deliveryCount: 3 }), fakeMsg({ seq: 3, deliveryCount: 5 }), fakeMsg({ seq: 4 })].map((f) => f.msg);
    const { clock, c, held, metrics, received, rejected } = setup([msgs]);
    await clock.advance(0);
    expect(received).toEqual([1, 2, 4]);
    expect(rejected).toEqual([[3, "max_deliver"]]);
    expect([held.size, metrics.redeliveries]).toEqual([4, 2]);
    expect(c.options[0]).toEqual({ max_bytes: CONSUME_BYTES });
  });

  it("pulls again a second after consuming failed", async () => {
    const { clock, c, received } = setup([new Error("consumer deleted"), [fakeMsg({ seq: 7 }).msg]]);
    await clock.advance(999);
    expect([c.calls, received]).toEqual([1, []]);
    await clock.advance(1);
    expect([c.calls, received]).toEqual([3, [7]]);
  });
});
