/**
 * Rejected messages are copied to `fleetprof.dlq.<reason>` (stream FLEETPROF_DLQ) with the
 * reason in headers, then terminated so JetStream never delivers them again.
 */
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { ENCODING_HEADER, FORMAT_HEADER, dlqSubject } from "@fleetprof/proto";

export const DLQ_REASON_HEADER = "Fleetprof-Dlq-Reason";
export const DLQ_DETAIL_HEADER = "Fleetprof-Dlq-Detail";
export const DLQ_SUBJECT_HEADER = "Fleetprof-Dlq-Subject";
export const DLQ_SEQ_HEADER = "Fleetprof-Dlq-Stream-Seq";

function headerValue(s: string): string {
  return s.replace(/[\r\n]+/g, " ").slice(0, 1024);
}

/** Copies `m` to the dead-letter subject of `reason`, then terminates it. */
export async function deadLetter(js: JetStreamClient, m: JsMsg, reason: string, detail: string): Promise<void> {
  const h = headers();
  for (const k of [FORMAT_HEADER, ENCODING_HEADER]) {
    const v = m.headers?.get(k);
    if (v !== undefined && v !== "") h.set(k, headerValue(v));
  }
  h.set(DLQ_REASON_HEADER, reason);
  h.set(DLQ_DETAIL_HEADER, headerValue(detail));
  h.set(DLQ_SUBJECT_HEADER, m.subject);
  h.set(DLQ_SEQ_HEADER, String(m.seq));
  // The stream sequence as message id: a redelivered reject is copied once.
  await js.publish(dlqSubject(reason), m.data, { headers: h, msgID: `dlq-${m.info.stream}-${String(m.seq)}` });
  // No reason argument: nats-server 2.9 does not parse "+TERM <reason>" and would ignore the
  // termination (the reason travels in the copy's headers instead).
  m.term();
}
