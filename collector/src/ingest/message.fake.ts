/** A delivered JetStream message for unit tests: records acks, terminations and keep-alives. */
import type { JsMsg } from "@nats-io/jetstream";

export interface FakeMsg {
  msg: JsMsg;
  acks: number;
  terms: number;
  keptAlive: number;
}

export function fakeMsg(o: { seq?: number; subject?: string; deliveryCount?: number } = {}): FakeMsg {
  const deliveryCount = o.deliveryCount ?? 1;
  const f: FakeMsg = { msg: undefined as unknown as JsMsg, acks: 0, terms: 0, keptAlive: 0 };
  const msg = {
    seq: o.seq ?? 1,
    subject: o.subject ?? "fleetprof.samples.svc.host",
    data: new Uint8Array([1, 2, 3]),
    headers: undefined,
    redelivered: deliveryCount > 1,
    info: { deliveryCount, stream: "FLEETPROF" },
    ack: () => void f.acks++,
    term: () => void f.terms++,
    working: () => void f.keptAlive++,
  };
  f.msg = msg as unknown as JsMsg;
  return f;
}
