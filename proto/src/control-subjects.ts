/**
 * The control contract between the query API and the agents: NATS request/reply on
 * `fleetprof.ctl.<host>.<verb>`, one verb per request message, and the subjects capture
 * outcomes and fleet-wide status travel on.
 */
import { CONTROL_SUBJECT_PREFIX, subjectToken } from "./subjects.js";

/**
 * What an agent answers on its control subjects: `capture` (CaptureRequest → CaptureReply),
 * `dump` (DumpRequest → DumpReply) and `status` (AgentStatusRequest → AgentStatusReply).
 */
export const CONTROL_VERBS = ["capture", "dump", "status"] as const;

/** One of {@link CONTROL_VERBS}. */
export type ControlVerb = (typeof CONTROL_VERBS)[number];

/** The subject one host's agent answers `verb` on: `fleetprof.ctl.<host>.<verb>`. */
export function controlSubject(host: string, verb: ControlVerb): string {
  return `${CONTROL_SUBJECT_PREFIX}.${subjectToken(host)}.${verb}`;
}

/**
 * Where the agent on `host` publishes a capture's outcome (CaptureReply DONE or FAILED):
 * `fleetprof.ctl.<host>.capture.<captureId>.done`. Subscribe before sending the request.
 */
export function captureDoneSubject(host: string, captureId: string): string {
  return `${controlSubject(host, "capture")}.${subjectToken(captureId)}.done`;
}

/**
 * The one fleet-wide control subject, `fleetprof.ctl.all.status`: every agent answers an
 * AgentStatusRequest there with its AgentStatusReply (collect the replies with a deadline).
 */
export function fleetStatusSubject(): string {
  return `${CONTROL_SUBJECT_PREFIX}.all.status`;
}
