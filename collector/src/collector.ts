/**
 * A running collector: JetStream → decode/validate → store, with at most one write in flight.
 *
 *   receive (ingest/receive-loop.ts) ──► held, kept alive (ingest/held-messages.ts) ──► decode on
 *   a worker thread and encode into the pending write (ingest/decode-stage.ts,
 *   ingest/pending-write.ts) ──► commit when due (ingest/write-loop.ts, ingest/flush-scheduler.ts;
 *   retried or bisected in write/commit.ts) ──► ack
 *
 * - Every delivered message is held and heart-beaten until acked or terminated, so a slow or
 *   failing ClickHouse never lets JetStream redeliver (and never burns max_deliver): while a
 *   write is retried nothing new is written, the pipeline fills, and max_ack_pending stops
 *   JetStream from delivering more.
 * - A message is acknowledged only after its write committed; a message that cannot be stored
 *   is dead-lettered and terminated (ingest/rejecter.ts). Stopping: stop.ts.
 */
import { type Clock, createLogger, type Logger, LogOnce, SAMPLES_STREAM, systemClock, type Timer } from "@fleetprof/common";
import type { JsMsg } from "@nats-io/jetstream";
import { redactUrl, type PreparedWrite, type Store } from "@fleetprof/store";
import { connectJetStream, openCollectorStore, type JetStreamConnection } from "./connect.js";
import { DecodePool, defaultDecodeThreads } from "./decode/pool.js";
import { collectorHealth } from "./health.js";
import { startHttp, type HealthReport } from "./http.js";
import { watchConsumerLag } from "./ingest/consumer-lag.js";
import { deadLetter } from "./ingest/dead-letter.js";
import { DecodeStage } from "./ingest/decode-stage.js";
import { HeldMessages } from "./ingest/held-messages.js";
import { watchMaxDeliveries } from "./ingest/max-deliver.js";
import { watchNatsStatus } from "./ingest/nats-status.js";
import { PendingWrite } from "./ingest/pending-write.js";
import { ReceiveLoop } from "./ingest/receive-loop.js";
import { createRejecter } from "./ingest/rejecter.js";
import { WriteLoop } from "./ingest/write-loop.js";
import { CollectorMetrics } from "./metrics.js";
import { ingestLimits, type CollectorConfig } from "./options.js";
import { stopInOrder, type StopSteps } from "./stop.js";
import { WriteCommitter } from "./write/commit.js";

export interface CollectorDeps {
  /** A store opened by the caller (embedded mode shares one between collector and query API); not closed by stop(). */
  store?: Store;
  logger?: Logger;
  /** Time for flush scheduling, keep-alives, retries and the stop deadline. Default: the system clock. */
  clock?: Clock;
}

export interface CollectorHandle {
  /** Stops fetching, finishes the write in flight and what is decoded, acks, then drains NATS. */
  stop(): Promise<void>;
  readonly metrics: CollectorMetrics;
  /** Prometheus text. */
  metricsText(): string;
  health(): HealthReport;
  /** host:port of /metrics and /healthz, when enabled. */
  readonly httpAddress: string | undefined;
  readonly store: Store;
}

/** Opens the store (unless given), connects to JetStream and starts consuming (see the file comment). */
export async function startCollector(config: CollectorConfig, deps: CollectorDeps = {}): Promise<CollectorHandle> {
  const root = deps.logger ?? createLogger({ name: "collector" });
  const log = root.child({ module: "collector" });
  const store = deps.store ?? (await openCollectorStore(config, root));
  let conn: JetStreamConnection;
  try {
    conn = await connectJetStream(config, log);
  } catch (err) {
    if (deps.store === undefined) await store.close();
    throw err;
  }
  const c = assemble(config, { store, log, conn, clock: deps.clock ?? systemClock });
  const closeStore = async (): Promise<void> => {
    if (deps.store === undefined) await store.close();
  };
  let http: Awaited<ReturnType<typeof startHttp>> | undefined;
  try {
    http = config.metricsListen === "" ? undefined : await startHttp(config.metricsListen, () => c.metrics.render(), c.health);
  } catch (err) {
    // (a metrics port taken): nothing may keep consuming behind a collector that failed to start
    await c.stop(closeStore);
    throw err;
  }
  log.info(
    {
      consumer: config.consumerName,
      clickhouse: redactUrl(config.clickhouseUrl),
      database: store.database,
      metrics: http?.address,
      flushRows: config.flushRows,
      flushIntervalMs: config.flushInterval,
      decodeThreads: c.decodeThreads,
    },
    "collector started",
  );
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= c.stop(async () => {
      await new Promise<void>((resolve) => (http === undefined ? resolve() : http.server.close(() => resolve())));
      await closeStore();
    });
    return stopped;
  };
  return { stop, metrics: c.metrics, metricsText: () => c.metrics.render(), health: c.health, httpAddress: http?.address, store };
}

interface Parts {
  store: Store;
  log: Logger;
  conn: JetStreamConnection;
  clock: Clock;
}

interface Assembled {
  metrics: CollectorMetrics;
  health: () => HealthReport;
  decodeThreads: number;
  /** Runs the stop sequence; `closeRest` closes what the caller opened (HTTP, store). */
  stop: (closeRest: () => Promise<void>) => Promise<void>;
}

/** Wires the running parts together and starts the receive and write loops. */
function assemble(config: CollectorConfig, { store, log, conn, clock }: Parts): Assembled {
  const { nc, js, jsm } = conn;
  const metrics = new CollectorMetrics();
  const once = new LogOnce();
  const stopping = new AbortController();
  const hardStop = new AbortController();
  const decoder = new DecodePool({
    threads: config.decodeThreads ?? defaultDecodeThreads(),
    limits: ingestLimits(config),
    heapMb: config.decodeWorkerHeap,
    log,
  });
  const advisories = watchMaxDeliveries({
    nc,
    js,
    jsm,
    stream: SAMPLES_STREAM,
    consumer: config.consumerName,
    maxDeliver: config.maxDeliver,
    log,
    copied: () => metrics.reject("max_deliver"),
  });
  const held = new HeldMessages<JsMsg>(clock, config.ackWait);
  void watchNatsStatus(nc.status(), metrics, log);
  const reject = createRejecter({ copy: (m, reason, detail) => deadLetter(js, m, reason, detail), held, metrics, log, once, stopping: stopping.signal, clock });
  const pending = new PendingWrite(() => store.beginWrite(), clock);
  const decode: DecodeStage<PreparedWrite> = new DecodeStage({ decoder, pending, flushRows: config.flushRows, reject, done: () => writes.poke() });
  const lag = watchConsumerLag({
    consumerInfo: () => jsm.consumers.info(SAMPLES_STREAM, config.consumerName),
    oldestWaiting: () => pending.oldest ?? (decode.waiting > 0 ? clock.now() : undefined),
    metrics,
    clock,
  });
  const committer = new WriteCommitter({
    ...{ store, metrics, log, once, clock, retryMax: config.retryMax, hardStop: hardStop.signal },
    committed: (items) => {
      for (const i of items) {
        i.m.ack();
        held.release(i.m);
      }
    },
    refused: async (items, detail) => {
      for (const i of items) await reject(i.m, "clickhouse_rejected", detail);
    },
  });
  const writes = new WriteLoop({
    pending,
    committer,
    decode,
    clock,
    flushRows: config.flushRows,
    flushInterval: config.flushInterval,
    stopping: stopping.signal,
    hardStop: hardStop.signal,
  });
  const receiver = new ReceiveLoop({
    consumer: () => js.consumers.get(SAMPLES_STREAM, config.consumerName),
    maxDeliver: config.maxDeliver,
    held,
    metrics,
    log,
    once,
    clock,
    stopping: stopping.signal,
    reject,
    receive: (m) => decode.push(m),
  });
  const running: Running = {
    ...{ receiver, writes, held, decoder, nc, log, metrics, clock, stopping, hardStop },
    loops: [
      receiver.run().catch((err: unknown) => log.error({ err }, "receive loop ended")),
      writes.run().catch((err: unknown) => log.error({ err }, "write loop ended")),
    ],
    lag,
    advisories,
  };
  const health = (): HealthReport => healthNow(nc, metrics, committer, held, stopping.signal);
  return { metrics, health, decodeThreads: decoder.threads, stop: (closeRest) => stopRunning(running, closeRest) };
}

/** /healthz now: NATS, the last write and its error, messages waiting, stopping. */
function healthNow(
  nc: JetStreamConnection["nc"],
  metrics: CollectorMetrics,
  committer: Pick<WriteCommitter, "lastError" | "lastWriteAt">,
  held: Pick<HeldMessages<JsMsg>, "size">,
  stopping: AbortSignal,
): HealthReport {
  return collectorHealth({
    natsClosed: nc.isClosed(),
    natsUp: metrics.natsUp,
    writeError: committer.lastError,
    lastWriteAt: committer.lastWriteAt,
    waitingMessages: held.size,
    stopping: stopping.aborted,
  });
}

/** What the stop sequence ends. */
interface Running {
  receiver: ReceiveLoop;
  writes: WriteLoop<PreparedWrite>;
  /** The receive and write loops. */
  loops: Promise<unknown>[];
  held: HeldMessages<JsMsg>;
  decoder: DecodePool;
  lag: Timer;
  /** The max-deliver advisory subscription. */
  advisories: { unsubscribe(): void };
  nc: JetStreamConnection["nc"];
  log: Logger;
  metrics: CollectorMetrics;
  clock: Clock;
  stopping: AbortController;
  hardStop: AbortController;
}

/** Stops the collector (stop.ts): stop pulling, write what was received before the deadline, release the rest. */
async function stopRunning(r: Running, closeRest: () => Promise<void>): Promise<void> {
  r.stopping.abort();
  const steps: StopSteps = {
    stopPulling: () => r.receiver.close(),
    finishWriting: () => {
      r.writes.poke();
      return Promise.all(r.loops);
    },
    giveUp: () => {
      r.hardStop.abort();
      r.writes.poke();
    },
    release: async () => {
      r.held.stopKeepAlive();
      r.lag.cancel();
      if (r.held.size > 0) r.log.warn({ messages: r.held.size }, "stopping with unacknowledged messages; JetStream will deliver them again");
      await r.decoder.close();
      r.advisories.unsubscribe();
      await r.nc.drain().catch(() => undefined);
      await closeRest();
      const { samples, messagesIngested: messages, messagesDuplicate: duplicates, messagesRejected: rejected, redeliveries, recoveredProfiles } = r.metrics;
      r.log.info({ samples, messages, duplicates, rejected, redeliveries, recoveredProfiles }, "collector stopped");
    },
  };
  await stopInOrder(steps, r.clock);
}
