/**
 * What every hostile case needs: publishing raw payloads as an agent would (getting the stream
 * sequence back), finding a message's dead-letter copy, and reading samples back.
 */
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { DLQ_STREAM } from "@fleetprof/common";
import { ENCODING_HEADER, FORMAT_HEADER, SAMPLE_BATCH_FORMAT } from "@fleetprof/proto";
import type { Store } from "@fleetprof/store";
import { rows, waitUntil } from "@fleetprof/test";

/** Publishes a payload with the agent's headers; returns its sequence in the samples stream. */
export async function publishPayload(nc: NatsConnection, subject: string, payload: Uint8Array, msgId: string, encoding = "gzip"): Promise<number> {
  const h = headers();
  h.set(FORMAT_HEADER, SAMPLE_BATCH_FORMAT);
  h.set(ENCODING_HEADER, encoding);
  const ack = await jetstream(nc).publish(subject, payload, { headers: h, msgID: msgId });
  return ack.seq;
}

export interface DeadLetter {
  subject: string;
  reason: string;
  detail: string;
  /** Subject the message came on. */
  from: string;
  bytes: number;
}

/** The dead-letter copy of the message at `seq` of the samples stream, once it is there. */
export async function deadLetterOf(nc: NatsConnection, seq: number, timeoutMs = 15_000): Promise<DeadLetter> {
  const jsm = await jetstreamManager(nc);
  return waitUntil(`the dead-letter copy of stream message ${String(seq)}`, () => findDeadLetter(jsm, seq), timeoutMs);
}

async function findDeadLetter(jsm: JetStreamManager, seq: number): Promise<DeadLetter | undefined> {
  let state;
  try {
    state = (await jsm.streams.info(DLQ_STREAM)).state;
  } catch {
    return undefined;
  }
  for (let s = state.last_seq; s >= state.first_seq && state.messages > 0; s--) {
    const m = await jsm.streams.getMessage(DLQ_STREAM, { seq: s });
    if (m === null || m.header.get("Fleetprof-Dlq-Stream-Seq") !== String(seq)) continue;
    return {
      subject: m.subject,
      reason: m.header.get("Fleetprof-Dlq-Reason"),
      detail: m.header.get("Fleetprof-Dlq-Detail"),
      from: m.header.get("Fleetprof-Dlq-Subject"),
      bytes: m.data.length,
    };
  }
  return undefined;
}

/** Samples stored for `host` (sum of counts). */
export async function samplesOfHost(store: Store, host: string): Promise<number> {
  const [r] = await rows<{ n: string }>(store.client, `SELECT sum(count) AS n FROM ${store.db}.samples WHERE host = {h:String}`, { h: host });
  return Number(r?.n ?? 0);
}

/** HTTP status of a collector's /healthz. */
export async function healthStatus(address: string): Promise<number> {
  const res = await fetch(`http://${address}/healthz`, { signal: AbortSignal.timeout(5000) });
  return res.status;
}
