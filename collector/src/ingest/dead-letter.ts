/**
 * Rejected messages are copied to `fleetprof.dlq.<reason>` (stream FLEETPROF_DLQ) with the
 * reason in headers, then terminated so JetStream never delivers them again.
 */
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { headers, type MsgHdrs } from "@nats-io/transport-node";
import { ENCODING_HEADER, FORMAT_HEADER, dlqSubject } from "@fleetprof/proto";

export const DLQ_REASON_HEADER = "Fleetprof-Dlq-Reason";
export const DLQ_DETAIL_HEADER = "Fleetprof-Dlq-Detail";
export const DLQ_SUBJECT_HEADER = "Fleetprof-Dlq-Subject";
export const DLQ_SEQ_HEADER = "Fleetprof-Dlq-Stream-Seq";

function headerValue(s: string): string {
  return s.replace(/[\r\n]+/g, " ").slice(0, 1024);
}

/** A message of the samples stream, delivered or read back from the stream. */
export interface StreamedMessage {
  subject: string;
  stream: string;
  /** Stream sequence. */
  seq: number;
  data: Uint8Array;
  headers?: MsgHdrs | undefined;
}

/**
 * Publishes the copy of `m` to the dead-letter subject of `reason`. The stream sequence is its
 * message id, so copies of one message (a redelivery, two collectors) are stored once.
 */
export async function publishDeadLetter(js: JetStreamClient, m: StreamedMessage, reason: string, detail: string): Promise<void> {
  const h = headers();
  for (const k of [FORMAT_HEADER, ENCODING_HEADER]) {
    const v = m.headers?.get(k);
    if (v !== undefined && v !== "") h.set(k, headerValue(v));
  }
  h.set(DLQ_REASON_HEADER, reason);
  h.set(DLQ_DETAIL_HEADER, headerValue(detail));
  h.set(DLQ_SUBJECT_HEADER, m.subject);
  h.set(DLQ_SEQ_HEADER, String(m.seq));
  await js.publish(dlqSubject(reason), m.data, { headers: h, msgID: `dlq-${m.stream}-${String(m.seq)}` });
}

/** Copies a delivered message to the dead-letter subject of `reason`, then terminates it. */
export async function deadLetter(js: JetStreamClient, m: JsMsg, reason: string, detail: string): Promise<void> {
  await publishDeadLetter(js, { subject: m.subject, stream: m.info.stream, seq: m.seq, data: m.data, headers: m.headers }, reason, detail);
  // No reason argument: nats-server 2.9 does not parse "+TERM <reason>" and would ignore the
  // termination (the reason travels in the copy's headers instead).
  m.term();
}
