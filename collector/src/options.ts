/** Collector options: one name each for flag, environment variable and config file. */
import { defineOptions, natsAuthOptions, type ConfigOf } from "@fleetprof/common";
import { storeOptions } from "@fleetprof/store";

export const collectorOptions = defineOptions({
  "nats-url": { type: "string", doc: "NATS server(s), comma separated", default: "nats://127.0.0.1:4222" },
  "consumer-name": { type: "string", doc: "durable JetStream consumer shared by every collector instance", default: "fleetprof-collector" },
  "flush-rows": { type: "number", doc: "write to ClickHouse once this many sample rows are waiting", default: 500_000, min: 1 },
  "flush-interval": { type: "duration", doc: "write at least this often when anything is waiting", default: 1000, min: 10 },
  "max-pending": { type: "number", doc: "messages delivered but not yet acknowledged (the consumer's max_ack_pending; bounds memory)", default: 2000, min: 1 },
  "ack-wait": { type: "duration", doc: "redelivery timeout of an unacknowledged message (kept alive while a write is retried)", default: 60_000, min: 1000 },
  "max-deliver": { type: "number", doc: "deliveries of one message before JetStream gives up on it", default: 20, min: 2 },
  "retry-max": { type: "duration", doc: "longest pause between attempts while ClickHouse fails", default: 30_000, min: 10 },
  "max-stack-depth": { type: "number", doc: "deeper stacks are rejected (dead-lettered)", default: 2048, min: 1 },
  "max-labels": { type: "number", doc: "profiles with more labels are rejected", default: 64, min: 0 },
  "max-string-length": { type: "number", doc: "longer names, paths and label values are rejected", default: 8192, min: 16 },
  "max-sample-count": { type: "number", doc: "a larger count of one stack in one window is rejected", default: 10_000_000, min: 1 },
  "decode-threads": { type: "number", doc: "worker threads that decompress and decode messages (0: on the main thread; default: cores − 1, at most 4)", min: 0 },
  "metrics-listen": { type: "string", doc: "host:port for /metrics and /healthz (empty: off)", default: "127.0.0.1:9464" },
  ...natsAuthOptions,
  ...storeOptions,
});

export type CollectorConfig = ConfigOf<typeof collectorOptions>;
