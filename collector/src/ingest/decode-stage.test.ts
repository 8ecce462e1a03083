import type { JsMsg } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { FakeClock, settle } from "@fleetprof/common/clock.fake";
import { DECODE_CONCURRENCY, DecodeStage } from "./decode-stage.js";
import { fakeMsg } from "./message.fake.js";
import type { Decoded } from "./message.js";
import { PendingWrite } from "./pending-write.js";
import type { RejectReason } from "./reject-reasons.js";
import { fakeBatch, fakeWrites, type FakePrepared } from "./write.fake.js";

/** A decoder whose results the test hands out one message at a time. */
function heldDecoder(): { decode: () => Promise<Decoded>; started: number; finish: (d: Decoded) => void } {
  const waiting: ((d: Decoded) => void)[] = [];
  const dec = {
    started: 0,
    decode: () => {
      dec.started++;
      return new Promise<Decoded>((r) => waiting.push(r));
    },
    finish: (d: Decoded) => waiting.shift()?.(d),
  };
  return dec;
}

function setup(flushRows = 1000): {
  stage: DecodeStage<FakePrepared>;
  pending: PendingWrite<FakePrepared>;
  dec: ReturnType<typeof heldDecoder>;
  rejected: [number, RejectReason, string][];
  done: () => number;
} {
  const dec = heldDecoder();
  const pending = new PendingWrite(fakeWrites().begin, new FakeClock());
  const rejected: [number, RejectReason, string][] = [];
  let done = 0;
  const reject = (m: JsMsg, reason: RejectReason, detail: string): Promise<void> => {
    rejected.push([m.seq, reason, detail]);
    return Promise.resolve();
  };
  const stage = new DecodeStage({ decoder: dec, pending, flushRows, reject, done: () => void done++ });
  return { stage, pending, dec, rejected, done: () => done };
}

const ok = (id: string, rows = 10, service = "svc"): Decoded => ({ ok: true, batch: fakeBatch(id, "host", service), rows, samples: rows });

describe("decode stage", () => {
  it(`decodes at most ${String(DECODE_CONCURRENCY)} messages at once; the next starts when one ends`, async () => {
    const { stage, dec, pending, done } = setup();
    for (let i = 1; i <= 6; i++) stage.push(fakeMsg({ seq: i }).msg);
    expect([dec.started, stage.decoding, stage.waiting]).toEqual([4, 4, 2]);
    dec.finish(ok("a"));
    await settle();
    expect([dec.started, stage.decoding, stage.waiting, done()]).toEqual([5, 4, 1, 1]);
    expect(pending.messages).toBe(1);
  });

  it("pauses while the pending write holds flushRows rows, and goes on once it was taken", async () => {
    const { stage, dec, pending } = setup(100);
    for (let i = 1; i <= 3; i++) stage.push(fakeMsg({ seq: i }).msg);
    dec.finish(ok("a", 60));
    dec.finish(ok("b", 60));
    await settle();
    for (let i = 4; i <= 7; i++) stage.push(fakeMsg({ seq: i }).msg);
    expect([dec.started, stage.decoding, stage.waiting, pending.rows]).toEqual([3, 1, 4, 120]);
    pending.take();
    stage.pump();
    expect([dec.started, stage.decoding, stage.waiting]).toEqual([6, 4, 1]);
  });

  it("dead-letters what the decoder refuses and a batch on another service's subject; neither enters the write", async () => {
    const { stage, dec, pending, rejected } = setup();
    stage.push(fakeMsg({ seq: 1 }).msg);
    stage.push(fakeMsg({ seq: 2, subject: "fleetprof.samples.svc.host" }).msg);
    dec.finish({ ok: false, reason: "too_many_profiles", detail: "max-profiles exceeded" });
    dec.finish(ok("forged", 10, "other-service"));
    await settle();
    expect(rejected.map(([seq, reason]) => [seq, reason])).toEqual([
      [1, "too_many_profiles"],
      [2, "subject_mismatch"],
    ]);
    expect(rejected[1]?.[2]).toContain("other-service");
    expect([pending.messages, stage.decoding]).toEqual([0, 0]);
  });
});
