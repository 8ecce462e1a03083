import { jetstream } from "@nats-io/jetstream";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { ENCODING_HEADER, encodeBatch, FORMAT_HEADER, SAMPLE_BATCH_FORMAT, samplesSubject, type SampleBatch } from "@fleetprof/proto";

/** Publishes like the agent does: gzip payload, format headers, batch id as Nats-Msg-Id (unless `msgId` says otherwise). */
export async function publishBatch(nc: NatsConnection, b: SampleBatch, msgId: string = b.batchId): Promise<void> {
  await publishRaw(nc, samplesSubject(b.profiles[0]?.service ?? "none", b.host), encodeBatch(b), msgId);
}

export async function publishRaw(
  nc: NatsConnection,
  subject: string,
  payload: Uint8Array,
  msgId: string,
  format = SAMPLE_BATCH_FORMAT,
  encoding = "gzip",
): Promise<void> {
  const h = headers();
  h.set(FORMAT_HEADER, format);
  h.set(ENCODING_HEADER, encoding);
  await jetstream(nc).publish(subject, payload, { headers: h, msgID: msgId });
}
