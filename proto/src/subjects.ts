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

/** The subject an agent publishes one service's sample batches on. */
export function samplesSubject(service: string, host: string): string {
  return `${SAMPLES_SUBJECT_PREFIX}.${subjectToken(service)}.${subjectToken(host)}`;
}

/** The subject a collector copies a message rejected for `reason` to. */
export function dlqSubject(reason: string): string {
  return `${DLQ_SUBJECT_PREFIX}.${subjectToken(reason)}`;
}
