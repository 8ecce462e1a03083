/**
 * The query API's options: where the store is (no TTLs: the collector owns the schema), plus
 * listening, TLS, auth and limits.
 */
import { defineOptions, natsAuthOptions, type ConfigOf } from "@fleetprof/common";
import { storeConnectionOptions } from "@fleetprof/store";

export const DEFAULT_PORT = 4319;

export const queryApiOptions = defineOptions({
  ...storeConnectionOptions,
  ...natsAuthOptions,
  "schema-wait": {
    type: "duration",
    doc: "how long to wait at start for a collector to create the schema in a ClickHouse server (embedded chDB never waits)",
    default: 60_000,
    min: 0,
  },
  host: { type: "string", doc: "address to listen on (0.0.0.0 for every interface)", default: "127.0.0.1" },
  port: { type: "number", doc: "gRPC port (0 picks a free one)", default: DEFAULT_PORT, min: 0 },
  "tls-cert": { type: "string", doc: "PEM certificate chain file: serve TLS (with --tls-key)" },
  "tls-key": { type: "string", doc: "PEM private key file for --tls-cert" },
  token: { type: "string", doc: "require `authorization: Bearer <token>` on every query call (UNAUTHENTICATED otherwise)" },
  "max-range": { type: "duration", doc: "longest time range one query may cover (RESOURCE_EXHAUSTED beyond)", default: 31 * 86_400_000, min: 60_000 },
  "max-nodes": { type: "number", doc: "largest max_nodes a flame graph request may ask for (RESOURCE_EXHAUSTED beyond)", default: 200_000, min: 2 },
  "default-nodes": { type: "number", doc: "max_nodes of a flame graph request that sets none", default: 4096, min: 2 },
  "max-stacks": { type: "number", doc: "most distinct stacks one query may merge (RESOURCE_EXHAUSTED beyond)", default: 2_000_000, min: 1 },
  "max-concurrent-calls": { type: "number", doc: "query calls running at once (health and reflection not counted); more wait in a queue", default: 2, min: 1 },
  "max-queued-calls": { type: "number", doc: "query calls waiting for a running one to finish (RESOURCE_EXHAUSTED beyond)", default: 16, min: 0 },
  "max-queue-wait": { type: "duration", doc: "longest a query call waits in the queue (RESOURCE_EXHAUSTED beyond)", default: 10_000, min: 0 },
  "max-control-calls": {
    type: "number",
    doc: "Dump and Capture calls running at once; they wait on agents, not on ClickHouse (RESOURCE_EXHAUSTED beyond)",
    default: 4,
    min: 1,
  },
  "max-query-memory-mib": { type: "number", doc: "memory one ClickHouse query of a call may use, MiB (RESOURCE_EXHAUSTED beyond)", default: 1024, min: 1 },
  deadline: {
    type: "duration",
    doc: "longest a call may run, whatever deadline the client set (DEADLINE_EXCEEDED beyond); its ClickHouse query stops too",
    default: 60_000,
    min: 1000,
  },
  "nats-url": {
    type: "string",
    doc: "NATS server(s), comma separated, where agents answer control requests (dump, capture); without it those calls are UNAVAILABLE",
  },
  "dump-max-hosts": { type: "number", doc: "most hosts one dump asks; the rest are listed as skipped", default: 64, min: 1 },
  "dump-max-processes-per-host": { type: "number", doc: "most processes one dump asks one host about; the rest are listed as skipped", default: 16, min: 1 },
  "dump-timeout": { type: "duration", doc: "how long a dump waits for each host's agent unless the request sets its own timeout", default: 10_000, min: 100 },
  "capture-max-duration": {
    type: "duration",
    doc: "longest capture a call may ask for (INVALID_ARGUMENT beyond; agents have their own limit too)",
    default: 60_000,
    min: 1000,
  },
  "capture-max-rate": { type: "number", doc: "highest capture sampling rate (Hz) a call may ask for (INVALID_ARGUMENT beyond)", default: 1000, min: 1 },
  "http-listen": {
    type: "string",
    doc: "host:port serving the web UI and the Connect API (JSON and binary, for browsers and curl); empty: off",
    default: "127.0.0.1:4040",
  },
  "http-allow-origins": {
    type: "string",
    doc: "comma-separated origins whose pages may call the Connect API (CORS; * for any); empty: only the UI served here",
    default: "",
  },
  "shutdown-grace": { type: "duration", doc: "how long running calls may finish on SIGTERM before they are cut", default: 5000, min: 0 },
});

export type QueryApiConfig = ConfigOf<typeof queryApiOptions>;

/** The configuration with every default filled in, overridden by `partial`. */
export function withDefaults(partial: Partial<QueryApiConfig> = {}): QueryApiConfig {
  const config: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(queryApiOptions)) {
    config[name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = (spec as { default?: unknown }).default;
  }
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) config[k] = v;
  return config as QueryApiConfig;
}
