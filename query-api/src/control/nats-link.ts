/**
 * The query API's NATS connection for control requests to agents (dump, capture). Optional:
 * without `nats-url` those calls are UNAVAILABLE with a message saying so. The connection is
 * made in the background at start (the query API serves flame graphs without NATS) and
 * retried for ever; a call waits for it until its own deadline.
 */
import { connectNats, ErrorCode, errorMessage, FleetprofError, type Logger, type NatsAuthConfig } from "@fleetprof/common";
import type { NatsConnection } from "@nats-io/transport-node";

const RETRY_MS = 2000;

export class NatsLink {
  readonly #url: string | undefined;
  readonly #connecting: Promise<NatsConnection> | undefined;
  #nc: NatsConnection | undefined;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;

  readonly #auth: NatsAuthConfig;

  constructor(url: string | undefined, log: Logger, auth: NatsAuthConfig = {}) {
    this.#auth = auth;
    this.#url = url === undefined || url === "" ? undefined : url;
    if (this.#url === undefined) return;
    this.#connecting = this.#connect(this.#url, log);
    this.#connecting.then(
      (nc) => {
        this.#nc = nc;
      },
      () => undefined,
    );
  }

  /** Tries until connected or closed (reconnects after that are the client's own). */
  async #connect(url: string, log: Logger): Promise<NatsConnection> {
    for (let attempt = 1; ; attempt++) {
      try {
        const nc = await connectNats(url, log, { name: "fleetprof-query-api", waitOnFirstConnect: false }, this.#auth);
        if (this.#closed) {
          await nc.close();
          throw new FleetprofError(ErrorCode.Unavailable, "the query API is shutting down");
        }
        return nc;
      } catch (err) {
        if (this.#closed) throw err;
        if (attempt === 1) log.warn({ err, url }, "cannot connect to NATS yet (dump and capture need it); retrying");
        await new Promise<void>((resolve) => {
          this.#retry = setTimeout(resolve, RETRY_MS);
        });
        if (this.#closed) throw new FleetprofError(ErrorCode.Unavailable, "the query API is shutting down");
      }
    }
  }

  /** The connection, waiting for it at most until `signal` aborts. */
  async connection(signal: AbortSignal): Promise<NatsConnection> {
    if (this.#connecting === undefined) {
      throw new FleetprofError(
        ErrorCode.Unavailable,
        "this query API has no NATS connection, which dump and capture need to reach the agents: start it with --nats-url (FLEETPROF_NATS_URL)",
      );
    }
    if (this.#nc !== undefined && !this.#nc.isClosed()) return this.#nc;
    const url = this.#url ?? "";
    return new Promise<NatsConnection>((resolve, reject) => {
      const onAbort = (): void => reject(new FleetprofError(ErrorCode.Unavailable, `not connected to NATS at ${url} yet: is nats-server running there?`));
      if (signal.aborted) onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      (this.#connecting as Promise<NatsConnection>).then(
        (nc) => {
          signal.removeEventListener("abort", onAbort);
          resolve(nc);
        },
        (err: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(new FleetprofError(ErrorCode.Unavailable, `cannot connect to NATS at ${url}: ${errorMessage(err)}`, { cause: err }));
        },
      );
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const nc = this.#nc;
    this.#nc = undefined;
    if (nc !== undefined && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }
}
