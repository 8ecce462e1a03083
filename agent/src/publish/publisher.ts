/**
 * Publishing batches to JetStream without losing any. A batch is split under the server's
 * max_payload, each part compressed and put in the spool, and one drain loop publishes the
 * spool oldest first with the part's batch id as `Nats-Msg-Id`, removing a message only once
 * JetStream acknowledged it (a duplicate ack counts: it was already stored). While NATS is
 * unreachable the loop waits; the client reconnects forever. The stream is created when
 * missing, with the one shared definition (`ensureStreams`).
 */
import {
  ensureStreams,
  errorMessage,
  ErrorCode,
  FleetprofError,
  isJetStreamError,
  isNoResponders,
  JetStreamErrorCode,
  LogOnce,
  natsConnectOptions,
  settlesWithin,
  sleep,
  type Logger,
  type NatsAuthConfig,
} from "@fleetprof/common";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { connect, headers, InvalidArgumentError, type NatsConnection } from "@nats-io/transport-node";
import {
  decodeBatch,
  ENCODING_HEADER,
  encodeBatch,
  FORMAT_HEADER,
  GZIP_ENCODING,
  SAMPLE_BATCH_FORMAT,
  samplesSubject,
  splitBatch,
  type SampleBatch,
} from "@fleetprof/proto";
import type { AgentMetrics } from "../metrics/agent-metrics.js";
import { fitStacks } from "./fit-stacks.js";
import type { Spool, SpoolEntry } from "./spool.js";

/** NATS's default max_payload; used until the server says otherwise. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** Room left for headers and protocol framing under max_payload (at most 1/16 of it). */
const PAYLOAD_MARGIN = 4 * 1024;
const payloadLimit = (maxPayload: number): number => maxPayload - Math.min(PAYLOAD_MARGIN, Math.floor(maxPayload / 16));
const ACK_TIMEOUT_MS = 5000;

export interface PublisherOptions {
  natsUrl: string;
  /** Login options (user, password, token, creds, TLS, inbox prefix). */
  natsAuth?: NatsAuthConfig;
  spool: Spool;
  metrics: AgentMetrics;
  log: Logger;
}

export class Publisher {
  readonly #o: PublisherOptions;
  #nc: NatsConnection | undefined;
  #js: JetStreamClient | undefined;
  #connected = false;
  #streamsReady = false;
  #stopping = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #connecting: Promise<void> | undefined;
  #maxPayload = DEFAULT_MAX_PAYLOAD;
  #outageLogged = false;
  readonly #once = new LogOnce();
  readonly #abort = new AbortController();
  /** Resolvers waiting for a spooled message to be acknowledged, by message id. */
  readonly #waiters = new Map<string, ((acked: boolean) => void)[]>();
  #connectedHooks: ((nc: NatsConnection) => void)[] = [];

  constructor(options: PublisherOptions) {
    this.#o = options;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Connects in the background (forever) and starts draining the spool. Never blocks on NATS. */
  start(): void {
    const crashed =
      (what: string) =>
      (err: unknown): void =>
        this.#o.log.error({ err }, `${what} stopped unexpectedly: ${errorMessage(err)}`);
    this.#connecting = this.connectLoop().catch(crashed("the NATS connection loop"));
    this.#loop = this.drainLoop().catch(crashed("the publish loop"));
    this.updateSpoolMetrics();
  }

  /** The NATS connection once made (it reconnects by itself); undefined before the first connect. */
  get connection(): NatsConnection | undefined {
    return this.#nc;
  }

  /** Calls `hook` with the connection once it is first made (now, if it already is). */
  onFirstConnect(hook: (nc: NatsConnection) => void): void {
    if (this.#nc !== undefined) hook(this.#nc);
    else this.#connectedHooks.push(hook);
  }

  /**
   * Resolves once every message id in `ids` has left the spool: true when JetStream
   * acknowledged them all, false when one was dropped from a full spool.
   */
  whenPublished(ids: readonly string[]): Promise<boolean> {
    return Promise.all(
      ids.map(
        (id) =>
          new Promise<boolean>((resolve) => {
            // Call it right after enqueue: a message already gone then was published.
            if (!this.#o.spool.has(id)) return resolve(true);
            const list = this.#waiters.get(id);
            if (list === undefined) this.#waiters.set(id, [resolve]);
            else list.push(resolve);
          }),
      ),
    ).then((acked) => acked.every(Boolean));
  }

  /**
   * Splits, compresses and spools a batch; the drain loop publishes it. Returns the message ids
   * of its parts. Stacks too large for one message are cut first (counted); throws a
   * FleetprofError only if the batch still cannot be split (nothing is spooled then).
   */
  enqueue(batch: SampleBatch): string[] {
    const service = batch.profiles[0]?.service ?? "unknown";
    const subject = samplesSubject(service, batch.host);
    const ids: string[] = [];
    for (const part of this.split(batch)) {
      ids.push(part.batchId);
      const dropped = this.#o.spool.put(part.batchId, subject, encodeBatch(part));
      if (dropped > 0) {
        for (const id of [...this.#waiters.keys()]) if (!this.#o.spool.has(id)) this.settled(id, false);
        this.#o.metrics.spoolDropped.inc({}, dropped);
        this.#o.log.warn(
          { dropped, spoolMaxBytes: this.#o.spool.maxBytes },
          `spool full: dropped the ${String(dropped)} oldest batch message(s); raise --spool-max-bytes or restore NATS`,
        );
      }
    }
    this.updateSpoolMetrics();
    this.#wake?.();
    return ids;
  }

  /** The batch's parts under the current max_payload, after cutting stacks that alone are larger. */
  private split(batch: SampleBatch): SampleBatch[] {
    const limit = payloadLimit(this.#maxPayload);
    const fit = fitStacks(batch, limit);
    if (fit.stacks > 0 || fit.droppedSamples > 0) {
      const { metrics, log } = this.#o;
      metrics.stacksTruncated.inc({ reason: "payload" }, fit.stacks);
      metrics.framesCut.inc({}, fit.frames);
      metrics.samplesDropped.inc({}, fit.droppedSamples);
      if (this.#once.first("stack-too-large")) {
        log.warn(
          { stacks: fit.stacks, frames: fit.frames, droppedSamples: fit.droppedSamples, maxPayload: this.#maxPayload },
          `${String(fit.stacks + (fit.droppedSamples > 0 ? 1 : 0))} stack(s) alone were larger than the NATS server's max_payload (${String(this.#maxPayload)} bytes): cut at the root end (fleetprof_agent_stacks_truncated_total{reason="payload"})`,
        );
      }
    }
    try {
      return splitBatch(batch, limit);
    } catch (err) {
      throw new FleetprofError(ErrorCode.Internal, `cannot split batch ${batch.batchId} under ${String(limit)} bytes: ${errorMessage(err)}`, { cause: err });
    }
  }

  private settled(id: string, acked = true): void {
    const list = this.#waiters.get(id);
    if (list === undefined) return;
    this.#waiters.delete(id);
    for (const resolve of list) resolve(acked);
  }

  /** Publishes what it can within `deadlineMs`, then closes the connection. What is left stays in the spool. */
  async stop(deadlineMs: number): Promise<void> {
    const until = Date.now() + deadlineMs;
    while (this.#connected && this.#streamsReady && this.#o.spool.peek() !== undefined && Date.now() < until) {
      this.#wake?.();
      await sleep(20);
    }
    this.#stopping = true;
    this.#abort.abort();
    this.#wake?.();
    const nc = this.#nc;
    if (nc !== undefined) {
      await settlesWithin(
        nc.drain().catch(() => nc.close()),
        Math.max(100, until - Date.now()),
      );
      if (!nc.isClosed()) await nc.close();
    }
    await settlesWithin(this.#loop ?? Promise.resolve(), 1000);
    await settlesWithin(this.#connecting ?? Promise.resolve(), 100);
    const left = this.#o.spool.stats();
    if (left.messages > 0) {
      this.#o.log.info({ messages: left.messages, bytes: left.bytes, spool: this.#o.spool.dir }, "unpublished batches stay in the spool for the next start");
    }
  }

  private async connectLoop(): Promise<void> {
    const { log } = this.#o;
    let delay = 1000;
    while (!this.#stopping) {
      try {
        // Once connected the client reconnects by itself, forever; until then this loop retries
        // (and can be stopped, which a client waiting on its first connect cannot).
        const nc = await connect({
          ...natsConnectOptions(this.#o.natsUrl, this.#o.natsAuth),
          name: "fleetprof-agent",
          maxReconnectAttempts: -1,
          reconnectTimeWait: 1000,
          timeout: 5000,
        });
        if (this.#stopping) {
          await nc.close();
          return;
        }
        this.#nc = nc;
        this.#js = jetstream(nc, { timeout: ACK_TIMEOUT_MS });
        this.onConnected(nc);
        const hooks = this.#connectedHooks;
        this.#connectedHooks = [];
        for (const hook of hooks) {
          try {
            hook(nc);
          } catch (err) {
            log.error({ err }, `a connection hook failed: ${errorMessage(err)}`);
          }
        }
        void this.watchStatus(nc);
        return;
      } catch (err) {
        const fields = { err, retryInMs: delay };
        const message = `cannot connect to NATS at ${this.#o.natsUrl}: ${errorMessage(err)}; retrying (batches are spooled meanwhile)`;
        if (!this.#outageLogged) log.warn(fields, message);
        else log.debug(fields, message);
        this.#outageLogged = true;
        await sleep(delay, this.#abort.signal);
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  private onConnected(nc: NatsConnection): void {
    this.#connected = true;
    this.#o.metrics.natsConnected.set(1);
    const max = nc.info?.max_payload;
    if (typeof max === "number" && max >= 1024) this.#maxPayload = max;
    if (this.#outageLogged) this.#o.log.info({ spooled: this.#o.spool.stats().messages }, "NATS is back: republishing the spool");
    this.#outageLogged = false;
    this.#wake?.();
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") {
        this.#connected = false;
        this.#o.metrics.natsConnected.set(0);
        if (!this.#outageLogged && !this.#stopping) {
          this.#outageLogged = true;
          this.#o.log.warn("lost the NATS connection: spooling batches until it is back (reconnecting forever)");
        }
      } else if (s.type === "reconnect") {
        this.onConnected(nc);
      }
    }
  }

  private async ensureStreamsOnce(): Promise<boolean> {
    if (this.#streamsReady) return true;
    const nc = this.#nc;
    if (nc === undefined) return false;
    try {
      await ensureStreams(nc);
      this.#streamsReady = true;
      return true;
    } catch (err) {
      this.#o.log.warn({ err }, "cannot create or check the JetStream streams yet; retrying");
      return false;
    }
  }

  private async drainLoop(): Promise<void> {
    let backoff = 250;
    while (!this.#stopping) {
      const entry = this.#o.spool.peek();
      if (entry === undefined || !this.#connected || this.#js === undefined) {
        // Until woken (new message, reconnect, stop), re-checking each second: status events can race with the wait.
        await new Promise<void>((resolve) => {
          const finish = (): void => {
            clearTimeout(timer);
            this.#wake = undefined;
            resolve();
          };
          const timer = setTimeout(finish, 1000);
          this.#wake = finish;
        });
        continue;
      }
      if (!(await this.ensureStreamsOnce())) {
        await sleep(backoff, this.#abort.signal);
        backoff = Math.min(backoff * 2, 10_000);
        continue;
      }
      const data = this.#o.spool.read(entry);
      if (data === undefined) {
        this.#o.spool.remove(entry);
        this.settled(entry.id, false);
        continue;
      }
      try {
        const h = headers();
        h.set(FORMAT_HEADER, SAMPLE_BATCH_FORMAT);
        h.set(ENCODING_HEADER, GZIP_ENCODING);
        await this.#js.publish(entry.subject, data, { msgID: entry.id, headers: h, timeout: ACK_TIMEOUT_MS });
        this.#o.spool.remove(entry);
        this.settled(entry.id);
        this.#o.metrics.batches.inc();
        this.#o.metrics.batchBytes.inc({}, data.byteLength);
        this.updateSpoolMetrics();
        backoff = 250;
      } catch (err) {
        this.#o.metrics.publishErrors.inc();
        // No stream took the message (deleted, or never created): create the streams again.
        if (isNoResponders(err) || isJetStreamError(err, JetStreamErrorCode.StreamNotFound)) this.#streamsReady = false;
        // The client refuses a payload over the server's max_payload (lowered since it was spooled).
        if (err instanceof InvalidArgumentError && this.resplit(entry, data)) continue;
        if (this.#connected) this.#o.log.debug({ err, batchId: entry.id }, "publish failed; will retry");
        await sleep(backoff, this.#abort.signal);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  /**
   * A message spooled before the server lowered its max_payload is split again to the size the
   * server takes now (the parts go to the back of the spool, with ids `<id>.<n>`).
   */
  private resplit(entry: SpoolEntry, data: Uint8Array): boolean {
    try {
      const batch = decodeBatch(data);
      const parts = this.split(batch).map((part) => ({ part, data: encodeBatch(part) }));
      // One part is progress only when cutting a stack made it smaller.
      if (parts.length === 1 && (parts[0]?.data.byteLength ?? Infinity) >= data.byteLength) return false;
      for (const { part, data: bytes } of parts) this.#o.spool.put(part.batchId, entry.subject, bytes);
      this.#o.spool.remove(entry);
      // Whoever waits for the message now waits for all of its parts.
      const waiting = this.#waiters.get(entry.id);
      if (waiting !== undefined) {
        this.#waiters.delete(entry.id);
        void this.whenPublished(parts.map((p) => p.part.batchId)).then((acked) => {
          for (const resolve of waiting) resolve(acked);
        });
      }
      this.#o.log.info({ batchId: entry.id, parts: parts.length, maxPayload: this.#maxPayload }, "split a spooled batch again to fit the server's max_payload");
      return true;
    } catch {
      return false;
    }
  }

  private updateSpoolMetrics(): void {
    const s = this.#o.spool.stats();
    this.#o.metrics.spoolBytes.set(s.bytes);
    this.#o.metrics.spoolMessages.set(s.messages);
  }
}
