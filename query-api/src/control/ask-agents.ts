/**
 * One NATS request per host to its agent's control subject (`fleetprof.ctl.<host>.<verb>`),
 * all in parallel, each with its own deadline. A host that does not answer is an outcome,
 * not an error: the caller reports which hosts did not answer and why.
 */
import { errorMessage, isNoResponders } from "@fleetprof/common";
import { controlSubject, type ControlVerb } from "@fleetprof/proto";
import { errors, type NatsConnection } from "@nats-io/transport-node";

export type Unanswered = { kind: "no-agent" | "timeout" | "error"; reason: string };

export type HostAnswer<T> = { host: string; reply: T; failure?: undefined } | { host: string; reply?: undefined; failure: Unanswered };

/** Why a request to a host's agent failed, in words an on-call engineer can act on. */
export function describeRequestFailure(err: unknown, host: string, verb: ControlVerb, timeoutMs: number): Unanswered {
  const subject = controlSubject(host, verb);
  if (isNoResponders(err)) {
    return {
      kind: "no-agent",
      reason: `no agent answers on ${subject}: is fleetprof agent running on ${host} and connected to this NATS (with --host ${host})?`,
    };
  }
  if (err instanceof errors.TimeoutError || (err instanceof Error && err.cause instanceof errors.TimeoutError)) {
    return {
      kind: "timeout",
      reason: `the agent on ${host} did not answer within ${String(timeoutMs)}ms (overloaded, or the process reads are slow: try a longer timeout)`,
    };
  }
  return { kind: "error", reason: `request to ${subject} failed: ${errorMessage(err)}` };
}

export async function askAgents<T>(
  nc: NatsConnection,
  hosts: readonly string[],
  verb: ControlVerb,
  encode: (host: string) => Uint8Array,
  decode: (data: Uint8Array) => T,
  timeoutMs: number,
): Promise<HostAnswer<T>[]> {
  return Promise.all(
    hosts.map(async (host): Promise<HostAnswer<T>> => {
      try {
        const msg = await nc.request(controlSubject(host, verb), encode(host), { timeout: timeoutMs });
        try {
          return { host, reply: decode(msg.data) };
        } catch (err) {
          return {
            host,
            failure: {
              kind: "error",
              reason: `the agent on ${host} sent a reply this query API cannot read (${errorMessage(err)}): are both the same fleetprof version?`,
            },
          };
        }
      } catch (err) {
        return { host, failure: describeRequestFailure(err, host, verb, timeoutMs) };
      }
    }),
  );
}
