/** The durable pull consumer every collector instance shares (JetStream spreads messages across them). */
import { AckPolicy, DeliverPolicy, type JetStreamManager } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { isJetStreamError, JetStreamErrorCode, SAMPLES_STREAM } from "@fleetprof/common";
import { SAMPLES_SUBJECT_PREFIX } from "@fleetprof/proto";

export interface ConsumerSettings {
  name: string;
  ackWaitMs: number;
  maxDeliver: number;
  maxAckPending: number;
}

/** Creates the consumer, or updates the settings an operator may change on an existing one. */
export async function ensureConsumer(jsm: JetStreamManager, s: ConsumerSettings): Promise<void> {
  const tunable = { ack_wait: nanos(s.ackWaitMs), max_deliver: s.maxDeliver, max_ack_pending: s.maxAckPending };
  try {
    const info = await jsm.consumers.info(SAMPLES_STREAM, s.name);
    const c = info.config;
    if (c.ack_wait !== tunable.ack_wait || c.max_deliver !== tunable.max_deliver || c.max_ack_pending !== tunable.max_ack_pending) {
      await jsm.consumers.update(SAMPLES_STREAM, s.name, tunable);
    }
    return;
  } catch (err) {
    if (!isJetStreamError(err, JetStreamErrorCode.ConsumerNotFound)) throw err;
  }
  await jsm.consumers.add(SAMPLES_STREAM, {
    durable_name: s.name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: `${SAMPLES_SUBJECT_PREFIX}.>`,
    ...tunable,
  });
}
