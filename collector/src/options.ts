/** Collector options: one name each for flag, environment variable and config file. */
import { defineOptions, natsAuthOptions, type ConfigOf } from "@fleetprof/common";
import { DEFAULT_BATCH_LIMITS as L } from "@fleetprof/proto";
import { storeOptions } from "@fleetprof/store";
import type { IngestLimits } from "./ingest/message.js";

export const collectorOptions = defineOptions({
  "nats-url": { type: "string", doc: "NATS server(s), comma separated", default: "nats://127.0.0.1:4222" },
  "consumer-name": { type: "string", doc: "durable JetStream consumer shared by every collector instance", default: "fleetprof-collector" },
  "flush-rows": { type: "number", doc: "write to ClickHouse once this many sample rows are waiting", default: 500_000, min: 1 },
  "flush-interval": { type: "duration", doc: "write at least this often when anything is waiting", default: 1000, min: 10 },
  "max-pending": { type: "number", doc: "messages delivered but not yet acknowledged (the consumer's max_ack_pending; bounds memory)", default: 2000, min: 1 },
  "ack-wait": { type: "duration", doc: "redelivery timeout of an unacknowledged message (kept alive while a write is retried)", default: 60_000, min: 1000 },
  "max-deliver": { type: "number", doc: "deliveries of one message before JetStream gives up on it", default: 20, min: 2 },
  "retry-max": { type: "duration", doc: "longest pause between attempts while ClickHouse fails", default: 30_000, min: 10 },
  // Caps on what decoding one message may allocate: a message over one is dead-lettered.
  "max-decoded-bytes": { type: "number", doc: "largest decompressed payload of one message, bytes", default: L.maxDecodedBytes, min: 1024 },
  "max-profiles": { type: "number", doc: "profiles in one message", default: L.maxProfiles, min: 1 },
  "max-stacks": { type: "number", doc: "stacks in one message (all its profiles)", default: L.maxStacks, min: 1 },
  "max-frames": { type: "number", doc: "frames in one message (all its profiles)", default: L.maxFrames, min: 1 },
  "max-strings": { type: "number", doc: "string-table entries in one message (all its profiles)", default: L.maxStrings, min: 1 },
  "max-stack-frames": { type: "number", doc: "frame references of all stacks in one message (the sum of their depths)", default: L.maxStackFrames, min: 1 },
  "max-stack-depth": { type: "number", doc: "frames in one stack", default: L.maxStackDepth, min: 1 },
  "max-labels": { type: "number", doc: "labels of one profile", default: L.maxLabels, min: 0 },
  "max-label-values": { type: "number", doc: "distinct label values in one message (all its profiles)", default: L.maxLabelValues, min: 1 },
  "max-string-length": { type: "number", doc: "longer names, paths and label values are rejected", default: L.maxStringLength, min: 16 },
  "max-sample-count": { type: "number", doc: "a larger count of one stack in one window is rejected", default: 10_000_000, min: 1 },
  "max-window-age": { type: "duration", doc: "windows that started longer ago are rejected", default: 7 * 86_400_000, min: 60_000 },
  "max-window-ahead": { type: "duration", doc: "windows that start further ahead of this collector's clock are rejected", default: 86_400_000, min: 1000 },
  "decode-worker-heap": {
    type: "number",
    doc: "JavaScript heap of each decode worker, MiB: a message that needs more ends the worker and is dead-lettered, not the process",
    default: 512,
    min: 16,
  },
  "decode-threads": {
    type: "number",
    doc: "worker threads that decompress and decode messages (0: on the main thread; default: cores − 1, at most 4)",
    min: 0,
  },
  "metrics-listen": { type: "string", doc: "host:port for /metrics and /healthz (empty: off)", default: "127.0.0.1:9464" },
  ...natsAuthOptions,
  ...storeOptions,
});

export type CollectorConfig = ConfigOf<typeof collectorOptions>;

/** The caps and checks a message must pass, from the options. */
export function ingestLimits(c: CollectorConfig): IngestLimits {
  return {
    maxDecodedBytes: c.maxDecodedBytes,
    maxProfiles: c.maxProfiles,
    maxStacks: c.maxStacks,
    maxFrames: c.maxFrames,
    maxStrings: c.maxStrings,
    maxStackFrames: c.maxStackFrames,
    maxStackDepth: c.maxStackDepth,
    maxLabels: c.maxLabels,
    maxLabelValues: c.maxLabelValues,
    maxStringLength: c.maxStringLength,
    maxSampleCount: c.maxSampleCount,
    maxWindowAge: c.maxWindowAge,
    maxWindowAhead: c.maxWindowAhead,
  };
}
