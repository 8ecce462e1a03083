/** The query API's options: the store's, plus listening, TLS, auth and limits. */
import { defineOptions, natsAuthOptions, type ConfigOf } from "@fleetprof/common";
import { storeOptions } from "@fleetprof/store";

export const DEFAULT_PORT = 4319;

export const queryApiOptions = defineOptions({
  ...storeOptions,
  ...natsAuthOptions,
  host: { type: "string", doc: "address to listen on (0.0.0.0 for every interface)", default: "127.0.0.1" },
  port: { type: "number", doc: "gRPC port (0 picks a free one)", default: DEFAULT_PORT, min: 0 },
  "tls-cert": { type: "string", doc: "PEM certificate chain file: serve TLS (with --tls-key)" },
  "tls-key": { type: "string", doc: "PEM private key file for --tls-cert" },
  token: { type: "string", doc: "require `authorization: Bearer <token>` on every query call (UNAUTHENTICATED otherwise)" },
  "max-range": { type: "duration", doc: "longest time range one query may cover (RESOURCE_EXHAUSTED beyond)", default: 31 * 86_400_000, min: 60_000 },
  "max-nodes": { type: "number", doc: "largest max_nodes a flame graph request may ask for (RESOURCE_EXHAUSTED beyond)", default: 200_000, min: 2 },
  "default-nodes": { type: "number", doc: "max_nodes of a flame graph request that sets none", default: 4096, min: 2 },
  "max-stacks": { type: "number", doc: "most distinct stacks one query may merge (RESOURCE_EXHAUSTED beyond)", default: 2_000_000, min: 1 },
  deadline: { type: "duration", doc: "longest a call may run, whatever deadline the client set (DEADLINE_EXCEEDED beyond); its ClickHouse query stops too", default: 60_000, min: 1000 },
  "nats-url": { type: "string", doc: "NATS server(s), comma separated, where agents answer control requests (dump, capture); without it those calls are UNAVAILABLE" },
  "dump-timeout": { type: "duration", doc: "how long a dump waits for each host's agent unless the request sets its own timeout", default: 10_000, min: 100 },
  "capture-max-duration": { type: "duration", doc: "longest capture a call may ask for (INVALID_ARGUMENT beyond; agents have their own limit too)", default: 60_000, min: 1000 },
  "capture-max-rate": { type: "number", doc: "highest capture sampling rate (Hz) a call may ask for (INVALID_ARGUMENT beyond)", default: 1000, min: 1 },
  "http-listen": { type: "string", doc: "host:port serving the web UI and the Connect API (JSON and binary, for browsers and curl); empty: off", default: "127.0.0.1:4040" },
  "http-allow-origins": { type: "string", doc: "comma-separated origins whose pages may call the Connect API (CORS; * for any); empty: only the UI served here", default: "" },
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
