/**
 * The JetStream streams every component agrees on: one definition, used by the agent (which
 * creates the stream when missing) and by the collector.
 */
import { connect, type ConnectionOptions, type NatsConnection } from "@nats-io/transport-node";
import { DiscardPolicy, jetstreamManager, RetentionPolicy, StorageType, type StreamConfig, type JetStreamManager } from "@nats-io/jetstream";
import type { Logger } from "pino";
import { natsConnectOptions, type NatsAuthConfig } from "./nats-auth.js";
import { isJetStreamError, JetStreamErrorCode } from "./nats-errors.js";

export const SAMPLES_STREAM = "FLEETPROF";
export const DLQ_STREAM = "FLEETPROF_DLQ";

export interface StreamSettings {
  /** How long sample batches stay in the stream when nobody consumes them. Default 24 h. */
  maxAgeMs?: number;
  /** Byte limit of the stream; oldest discarded beyond. Default 10 GiB. */
  maxBytes?: number;
  /** Replicas (3 in a cluster). Default 1. */
  replicas?: number;
}

const NANOS_PER_MS = 1_000_000;

/** The samples stream definition. */
export function samplesStreamConfig(settings: StreamSettings = {}): Partial<StreamConfig> & { name: string } {
  return {
    name: SAMPLES_STREAM,
    subjects: ["fleetprof.samples.>"],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: (settings.maxAgeMs ?? 24 * 3_600_000) * NANOS_PER_MS,
    max_bytes: settings.maxBytes ?? 10 * 1024 ** 3,
    // Long enough that an agent republishing its spool after an outage is still deduplicated;
    // beyond it the ClickHouse insert deduplication token catches the rest.
    duplicate_window: 3_600_000 * NANOS_PER_MS,
    num_replicas: settings.replicas ?? 1,
  };
}

/** The dead-letter stream: rejected messages with their reason, kept 7 days. */
export function dlqStreamConfig(settings: StreamSettings = {}): Partial<StreamConfig> & { name: string } {
  return {
    name: DLQ_STREAM,
    subjects: ["fleetprof.dlq.>"],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: 7 * 86_400_000 * NANOS_PER_MS,
    max_bytes: 1024 ** 3,
    num_replicas: settings.replicas ?? 1,
  };
}

/** Creates the streams when missing; leaves existing ones alone (an operator may have tuned them). */
export async function ensureStreams(nc: NatsConnection, settings: StreamSettings = {}): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  for (const config of [samplesStreamConfig(settings), dlqStreamConfig(settings)]) {
    try {
      await jsm.streams.info(config.name);
    } catch (err) {
      if (!isJetStreamError(err, JetStreamErrorCode.StreamNotFound)) throw err;
      try {
        await jsm.streams.add(config);
      } catch (addErr) {
        // Another component created it at the same moment.
        if (!isJetStreamError(addErr, JetStreamErrorCode.StreamNameInUse)) throw addErr;
      }
    }
  }
  return jsm;
}

/** Connects with reconnects forever, logging status changes. */
export async function connectNats(url: string, log: Logger, options: Partial<ConnectionOptions> = {}, auth: NatsAuthConfig = {}): Promise<NatsConnection> {
  const nc = await connect({
    ...natsConnectOptions(url, auth),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    waitOnFirstConnect: true,
    ...options,
  });
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect" || s.type === "reconnect" || s.type === "error") {
        log.info({ status: s.type, server: "server" in s ? s.server : undefined }, `nats ${s.type}`);
      }
    }
  })();
  return nc;
}
