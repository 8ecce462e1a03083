/**
 * A running collector: JetStream → decode/validate → store, with at most one write in flight.
 *
 *   receive ──► received (raw, kept alive with working()) ──► decode (gunzip + fast protobuf
 *   reader on a decode worker thread; see decode/pool.ts) ──► encode into the pending write at
 *   once (while the previous write commits) ──► commit (retried with back-off while ClickHouse
 *   fails) ──► ack
 *
 * - Every delivered message is held and heart-beaten until acked or terminated, so a slow or
 *   failing ClickHouse never lets JetStream redeliver (and never burns max_deliver): while a
 *   write is retried nothing new is written, the pipeline fills, and max_ack_pending stops
 *   JetStream from delivering more.
 * - A message is acknowledged only after its write committed; a message that cannot be stored
 *   is dead-lettered and terminated.
 */
import { jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectNats, createLogger, ensureStreams, LogOnce, SAMPLES_STREAM, type Logger } from "@fleetprof/common";
import { openStore, redactUrl, type Store, type WriteBuilder } from "@fleetprof/store";
import { ensureConsumer } from "./consumer.js";
import { startHttp, type HealthReport } from "./http.js";
import { deadLetter } from "./ingest/dead-letter.js";
import { isLastDelivery, maxDeliverDetail, watchMaxDeliveries } from "./ingest/max-deliver.js";
import type { RejectReason } from "./ingest/reject-reasons.js";
import { checkSubject } from "./ingest/subject-binding.js";
import { DecodePool, defaultDecodeThreads } from "./decode/pool.js";
import { CollectorMetrics } from "./metrics.js";
import { ingestLimits, type CollectorConfig } from "./options.js";
import { WriteCommitter, type WriteItem } from "./write/commit.js";

export interface CollectorDeps {
  /** A store opened by the caller (embedded mode shares one between collector and query API); not closed by stop(). */
  store?: Store;
  logger?: Logger;
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

/** The next write, filled as messages are decoded. */
interface Pending {
  builder: WriteBuilder;
  items: WriteItem[];
  rows: number;
  /** When its first message was decoded. */
  oldest: number | undefined;
}

const DECODE_CONCURRENCY = 4;
/**
 * Bytes one pull asks JetStream for. Bounded by bytes, not messages: batches are up to a
 * megabyte each, and a pull of hundreds of them overflows nats-server's per-connection
 * outbound buffer while the collector is busy, which cuts the connection as a slow consumer.
 */
const CONSUME_BYTES = 8 * 1024 * 1024;
const STOP_WRITE_DEADLINE_MS = 8000;

export async function startCollector(config: CollectorConfig, deps: CollectorDeps = {}): Promise<CollectorHandle> {
  const root = deps.logger ?? createLogger({ name: "collector" });
  const log = root.child({ module: "collector" });
  const ownsStore = deps.store === undefined;
  const store =
    deps.store ??
    (await openStore(config.clickhouseUrl, {
      database: config.clickhouseDatabase,
      cluster: config.clickhouseCluster,
      rawTtlMs: config.rawTtl,
      rollup1mTtlMs: config.rollup1mTtl,
      rollup1hTtlMs: config.rollup1hTtl,
      logger: root,
    }));
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  try {
    nc = await connectNats(config.natsUrl, log, { name: "fleetprof-collector" }, config);
    await ensureStreams(nc);
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
    await ensureConsumer(jsm, { name: config.consumerName, ackWaitMs: config.ackWait, maxDeliver: config.maxDeliver, maxAckPending: config.maxPending });
  } catch (err) {
    if (ownsStore) await store.close();
    throw err;
  }
  const metrics = new CollectorMetrics();
  const once = new LogOnce();
  const decoder = new DecodePool({ threads: config.decodeThreads ?? defaultDecodeThreads(), limits: ingestLimits(config), heapMb: config.decodeWorkerHeap, log });
  const advisories = watchMaxDeliveries({ nc, js, jsm, stream: SAMPLES_STREAM, consumer: config.consumerName, maxDeliver: config.maxDeliver, log, copied: () => metrics.reject("max_deliver") });

  // --- state
  const held = new Set<JsMsg>(); // delivered, not yet acked or terminated
  const received: JsMsg[] = [];
  const newPending = (): Pending => ({ builder: store.beginWrite(), items: [], rows: 0, oldest: undefined });
  let pending = newPending();
  let decoding = 0;
  let stopping = false;
  let hardStop = false;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  // --- keep every held message alive (no redelivery while we work on it)
  const heartbeat = setInterval(() => {
    for (const m of held) m.working();
  }, Math.max(500, Math.floor(config.ackWait / 3)));
  heartbeat.unref();

  // --- NATS status and lag
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") {
        metrics.natsUp = 0;
        log.warn({ server: s.server }, "disconnected from NATS; reconnecting (unacknowledged messages are delivered again)");
      } else if (s.type === "reconnect") {
        metrics.natsUp = 1;
        log.info({ server: s.server }, "reconnected to NATS");
      } else if (s.type === "error") log.warn({ err: s.error }, "NATS connection error");
    }
  })();
  const lagTimer = setInterval(() => {
    jsm.consumers
      .info(SAMPLES_STREAM, config.consumerName)
      .then((info) => {
        metrics.lagMessages = info.num_pending;
        metrics.ackPending = info.num_ack_pending;
      })
      .catch(() => undefined);
    const oldest = pending.oldest ?? (received.length > 0 ? Date.now() : undefined);
    metrics.oldestWaitingSeconds = oldest === undefined ? 0 : (Date.now() - oldest) / 1000;
  }, 5000);
  lagTimer.unref();

  // --- decode (and encode: the pending write holds at most about one flush while the previous commits)
  const decodeLimit = (): boolean => pending.rows < config.flushRows;
  const pump = (): void => {
    while (received.length > 0 && decoding < DECODE_CONCURRENCY && decodeLimit()) {
      const m = received.shift() as JsMsg;
      decoding++;
      void decodeOne(m).finally(() => {
        decoding--;
        pump();
        poke();
      });
    }
  };
  const decodeOne = async (m: JsMsg): Promise<void> => {
    const d = await decoder.decode(m.data, m.headers);
    const refused = d.ok ? checkSubject(d.batch, m.subject) : d;
    if (refused !== undefined) return refuse(m, refused.reason, refused.detail);
    if (!d.ok) return;
    pending.builder.add(d.batch);
    pending.items.push({ m, batch: d.batch });
    pending.rows += d.rows;
    pending.oldest ??= Date.now();
  };

  // --- dead letters: a message is let go only once its copy is published (kept alive meanwhile)
  const refuse = async (m: JsMsg, reason: RejectReason, detail: string): Promise<void> => {
    metrics.reject(reason);
    if (once.first(`reject:${reason}`)) {
      log.warn({ reason, detail, subject: m.subject, seq: m.seq }, `rejected a message (${reason}); copied to the dead-letter subject (logged once per reason)`);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await deadLetter(js, m, reason, detail);
        held.delete(m);
        return;
      } catch (err) {
        metrics.deadLetterFailures++;
        if (once.first("dlq-publish")) log.error({ err }, "could not publish to the dead-letter subject; holding the message and retrying");
        // stopping: left unacknowledged, JetStream delivers it again
        if (stopping) return;
        await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** Math.min(attempt, 10))));
      }
    }
  };

  // --- receive
  let messages: ConsumerMessages | undefined;
  const receiveLoop = async (): Promise<void> => {
    const consumer = await js.consumers.get(SAMPLES_STREAM, config.consumerName);
    while (!stopping) {
      try {
        messages = await consumer.consume({ max_bytes: CONSUME_BYTES });
        const watched = messages;
        void (async () => {
          for await (const st of watched.status()) {
            log.debug({ status: st }, "JetStream consumer status");
          }
        })().catch(() => undefined);
        for await (const m of messages) {
          if (m.redelivered) metrics.redeliveries++;
          held.add(m);
          if (isLastDelivery(m, config.maxDeliver)) {
            void refuse(m, "max_deliver", maxDeliverDetail(m.info.deliveryCount, config.maxDeliver));
            continue;
          }
          received.push(m);
          pump();
        }
      } catch (err) {
        if (stopping) break;
        if (once.first("consume")) log.error({ err }, "consuming from JetStream failed; retrying");
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };

  // --- write
  const committer = new WriteCommitter({
    store,
    metrics,
    log,
    once,
    retryMax: config.retryMax,
    hardStop: () => hardStop,
    committed: (items) => {
      for (const i of items) {
        i.m.ack();
        held.delete(i.m);
      }
    },
    refused: async (items, detail) => {
      for (const i of items) await refuse(i.m, "clickhouse_rejected", detail);
    },
  });

  let inFlight: Promise<void> = Promise.resolve();
  let committing = false;
  const flushLoop = async (): Promise<void> => {
    for (;;) {
      const oldest = pending.oldest;
      const due =
        oldest !== undefined &&
        !committing &&
        // a write in flight: keep gathering (bigger writes under load)
        (pending.rows >= config.flushRows || Date.now() - oldest >= config.flushInterval || stopping);
      if (!due) {
        if (stopping && pending.items.length === 0 && decoding === 0 && (received.length === 0 || hardStop)) break;
        await sleep(oldest !== undefined && !committing ? Math.max(1, config.flushInterval - (Date.now() - oldest)) : config.flushInterval);
        continue;
      }
      if (hardStop) break;
      const take = pending;
      pending = newPending();
      pump();
      const prepared = take.builder.finish();
      committing = true;
      inFlight = committer.commit(prepared, take.items).finally(() => {
        committing = false;
        poke();
      });
    }
    await inFlight;
  };

  const receiving = receiveLoop().catch((err: unknown) => log.error({ err }, "receive loop ended"));
  const flushing = flushLoop().catch((err: unknown) => log.error({ err }, "write loop ended"));

  // --- http
  const health = (): HealthReport => {
    const natsOk = !nc.isClosed() && metrics.natsUp === 1;
    const chOk = committer.lastError === undefined;
    return {
      ok: natsOk && chOk && !stopping,
      nats: natsOk ? "connected" : "disconnected",
      clickhouse: chOk ? "ok" : `failing: ${committer.lastError ?? ""}`,
      lastWriteAt: committer.lastWriteAt === 0 ? null : new Date(committer.lastWriteAt).toISOString(),
      waitingMessages: held.size,
      stopping,
    };
  };
  let http: Awaited<ReturnType<typeof startHttp>> | undefined;
  if (config.metricsListen !== "") {
    http = await startHttp(config.metricsListen, () => metrics.render(), health);
  }
  log.info(
    { consumer: config.consumerName, clickhouse: redactUrl(config.clickhouseUrl), database: store.database, metrics: http?.address, flushRows: config.flushRows, flushIntervalMs: config.flushInterval, decodeThreads: decoder.threads },
    "collector started",
  );

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      // stop pulling (bounded: a dead NATS connection must not hold the shutdown)
      await Promise.race([messages?.close().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
      poke();
      const deadline = setTimeout(() => {
        hardStop = true;
        poke();
      }, STOP_WRITE_DEADLINE_MS);
      await Promise.all([receiving, flushing]);
      clearTimeout(deadline);
      clearInterval(heartbeat);
      clearInterval(lagTimer);
      if (held.size > 0) log.warn({ messages: held.size }, "stopping with unacknowledged messages; JetStream will deliver them again");
      await decoder.close();
      advisories.unsubscribe();
      await nc.drain().catch(() => undefined);
      await new Promise<void>((resolve) => (http === undefined ? resolve() : http.server.close(() => resolve())));
      if (ownsStore) await store.close();
      log.info(
        {
          samples: metrics.samples,
          messages: metrics.messagesIngested,
          duplicates: metrics.messagesDuplicate,
          rejected: metrics.messagesRejected,
          redeliveries: metrics.redeliveries,
          recoveredProfiles: metrics.recoveredProfiles,
        },
        "collector stopped",
      );
    })();
    return stopped;
  };

  return {
    stop,
    metrics,
    metricsText: () => metrics.render(),
    health,
    httpAddress: http?.address,
    store,
  };
}
