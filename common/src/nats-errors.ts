/**
 * Telling NATS failures apart by the client's error classes and JetStream's error codes (never
 * by message text, which the client and the server reword between versions).
 */
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { NoRespondersError, RequestError } from "@nats-io/transport-node";

/** nats-server's JetStream error identifiers (`err_code`) that fleetprof branches on. */
export const JetStreamErrorCode = {
  /** The stream does not exist (JSStreamNotFoundErr). */
  StreamNotFound: JetStreamApiCodes.StreamNotFound,
  /** The durable consumer does not exist (JSConsumerNotFoundErr). */
  ConsumerNotFound: JetStreamApiCodes.ConsumerNotFound,
  /** A stream of that name exists with another configuration (JSStreamNameExistErr). */
  StreamNameInUse: 10058,
} as const;

/** JetStream refused an API request with the error identifier `code` (see {@link JetStreamErrorCode}). */
export function isJetStreamError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

/**
 * Nobody answered a request: for a JetStream publish, no stream listens on the subject (or
 * JetStream is off). The client reports it as a NoRespondersError somewhere in the cause chain.
 */
export function isNoResponders(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof NoRespondersError || (e instanceof RequestError && e.isNoResponders())) return true;
  }
  return false;
}
