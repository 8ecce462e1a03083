/** NATS subject and stream names shared by every component. */

/** Prefix of sample subjects: `fleetprof.samples.<service>.<host>`. */
export const SAMPLES_SUBJECT_PREFIX = "fleetprof.samples";
/** Prefix of rejected-message subjects: `fleetprof.dlq.<reason>`. */
export const DLQ_SUBJECT_PREFIX = "fleetprof.dlq";
/** Prefix of control subjects: `fleetprof.ctl.<host>.<verb>`. */
export const CONTROL_SUBJECT_PREFIX = "fleetprof.ctl";

const MAX_TOKEN = 64;

/**
 * Makes any string safe as one NATS subject token: no dots, wildcards, whitespace or control
 * characters, at most 64 characters, never empty.
 */
export function subjectToken(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, MAX_TOKEN);
  return cleaned === "" ? "_" : cleaned;
}

export function samplesSubject(service: string, host: string): string {
  return `${SAMPLES_SUBJECT_PREFIX}.${subjectToken(service)}.${subjectToken(host)}`;
}

export function dlqSubject(reason: string): string {
  return `${DLQ_SUBJECT_PREFIX}.${subjectToken(reason)}`;
}

export function controlSubject(host: string, verb: string): string {
  return `${CONTROL_SUBJECT_PREFIX}.${subjectToken(host)}.${subjectToken(verb)}`;
}

/**
 * The one fleet-wide control subject, `fleetprof.ctl.all.status`: every agent answers an
 * AgentStatusRequest there with its AgentStatusReply (collect the replies with a deadline).
 */
export function fleetStatusSubject(): string {
  return `${CONTROL_SUBJECT_PREFIX}.all.status`;
}
