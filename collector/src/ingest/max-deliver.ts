/**
 * A message must never reach the consumer's max_deliver and vanish without a dead-letter copy.
 *
 * - The last delivery JetStream makes (`deliveryCount` = max_deliver) is dead-lettered on
 *   arrival, before decoding: a message delivered that often has failed every collector that
 *   took it (most likely by taking it down), and this is the last chance to keep it.
 * - The backstop: when nats-server gives up on a message anyway (the collector holding its last
 *   delivery died first), it announces it on `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.…`;
 *   the message is still in the stream (limits retention), so it is read back and copied. The
 *   copy's message id is the stream sequence: two collectors copying it store one copy.
 */
import type { JetStreamClient, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { Logger } from "@fleetprof/common";
import { publishDeadLetter } from "./dead-letter.js";

/** True when JetStream will not deliver `m` again: this is delivery number max_deliver. */
export function isLastDelivery(m: JsMsg, maxDeliver: number): boolean {
  return m.info.deliveryCount >= maxDeliver;
}

/** The dead-letter detail of a message JetStream gives up on. */
export function maxDeliverDetail(deliveries: number, maxDeliver: number): string {
  return `delivered ${String(deliveries)} times without being stored or refused (max-deliver ${String(maxDeliver)}): collectors failed on it every time`;
}

interface MaxDeliverAdvisory {
  stream?: string;
  consumer?: string;
  stream_seq?: number;
  deliveries?: number;
}

export interface MaxDeliverWatch {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  consumer: string;
  maxDeliver: number;
  log: Logger;
  /** Called after a copy was published. */
  copied: () => void;
}

/** Copies every message nats-server gives up on to the dead-letter subject (see the file comment). */
export function watchMaxDeliveries(w: MaxDeliverWatch): Subscription {
  const subject = `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${w.stream}.${w.consumer}`;
  const copy = async (a: MaxDeliverAdvisory): Promise<void> => {
    const seq = a.stream_seq;
    if (typeof seq !== "number") return;
    const stored = await w.jsm.streams.getMessage(w.stream, { seq });
    if (stored === null) {
      w.log.error({ seq }, "JetStream gave up on a message that is no longer in the stream: it is lost");
      return;
    }
    const detail = maxDeliverDetail(a.deliveries ?? w.maxDeliver, w.maxDeliver);
    await publishDeadLetter(w.js, { subject: stored.subject, stream: w.stream, seq, data: stored.data, headers: stored.header }, "max_deliver", detail);
    w.copied();
    w.log.warn({ seq, subject: stored.subject }, "JetStream gave up on a message (max-deliver); copied it to the dead-letter subject");
  };
  return w.nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err !== null) return;
      let a: MaxDeliverAdvisory;
      try {
        a = msg.json<MaxDeliverAdvisory>();
      } catch {
        return;
      }
      copy(a).catch((e: unknown) => w.log.error({ err: e, seq: a.stream_seq }, "could not copy a message JetStream gave up on to the dead-letter subject"));
    },
  });
}
