/**
 * A batch is bound to the subject it arrived on, `fleetprof.samples.<service>.<host>`: its host
 * and the service of every profile must give those tokens under the agent's own sanitising
 * (`subjectToken`). NATS permissions per host subject then mean data per host: an agent allowed
 * to publish only on its own host's subjects cannot write another host's or service's samples.
 *
 * The sanitising is lossy (`a.b` and `a_b`, or two names sharing their first 64 characters,
 * give one token), so hosts whose names differ only there cannot be told apart by subject.
 */
import { SAMPLES_SUBJECT_PREFIX, subjectToken } from "@fleetprof/proto";
import type { DecodedBatch } from "../decode/sample-batch.js";
import type { Rejection } from "./reject-reasons.js";

const PREFIX = `${SAMPLES_SUBJECT_PREFIX}.`;

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

/** Why `batch` does not belong on `subject`, or undefined when it does. */
export function checkSubject(batch: DecodedBatch, subject: string): Rejection | undefined {
  const tokens = subject.startsWith(PREFIX) ? subject.slice(PREFIX.length).split(".") : [];
  const [service, host] = tokens;
  if (tokens.length !== 2 || service === undefined || host === undefined) {
    return { reason: "subject_mismatch", detail: `subject ${subject} is not ${PREFIX}<service>.<host>` };
  }
  const hostToken = subjectToken(batch.host);
  if (hostToken !== host) {
    return {
      reason: "subject_mismatch",
      detail: `host "${clip(batch.host)}" in the payload does not match the subject ${subject} (host token ${hostToken}, subject's ${host})`,
    };
  }
  let accepted = "";
  for (const p of batch.profiles) {
    if (p.service === accepted) continue;
    const token = subjectToken(p.service);
    if (token !== service) {
      return {
        reason: "subject_mismatch",
        detail: `pid ${String(p.pid)} has service "${clip(p.service)}", which does not match the subject ${subject} (service token ${token}, subject's ${service})`,
      };
    }
    accepted = p.service;
  }
  return undefined;
}
