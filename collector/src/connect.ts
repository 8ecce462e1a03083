/**
 * What a collector opens at start: the store (unless the caller shares one) and the JetStream
 * connection with its streams and the durable consumer.
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectNats, ensureStreams, type Logger } from "@fleetprof/common";
import { openStore, type Store } from "@fleetprof/store";
import { ensureConsumer } from "./consumer.js";
import type { CollectorConfig } from "./options.js";

export interface JetStreamConnection {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

/** Opens the store the collector owns (closed by its stop()). */
export function openCollectorStore(config: CollectorConfig, logger: Logger): Promise<Store> {
  return openStore(config.clickhouseUrl, {
    database: config.clickhouseDatabase,
    cluster: config.clickhouseCluster,
    rawTtlMs: config.rawTtl,
    rollup1mTtlMs: config.rollup1mTtl,
    rollup1hTtlMs: config.rollup1hTtl,
    logger,
  });
}

/** Connects to NATS, creates the streams when missing and creates (or retunes) the durable consumer. */
export async function connectJetStream(config: CollectorConfig, log: Logger): Promise<JetStreamConnection> {
  const nc = await connectNats(config.natsUrl, log, { name: "fleetprof-collector" }, config);
  try {
    await ensureStreams(nc);
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await ensureConsumer(jsm, { name: config.consumerName, ackWaitMs: config.ackWait, maxDeliver: config.maxDeliver, maxAckPending: config.maxPending });
    return { nc, js, jsm };
  } catch (err) {
    await nc.close().catch(() => undefined);
    throw err;
  }
}
