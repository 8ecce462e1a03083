/** Options every client command shares: where the query API is, how to reach it, when. */
import { defineOptions } from "@fleetprof/common";

/** Where `fleetprof up` serves the query API unless told otherwise. */
export const DEFAULT_API = "127.0.0.1:4319";

export const connectionOptions = defineOptions({
  api: { type: "string", doc: "query API address host:port", default: DEFAULT_API },
  tls: { type: "boolean", doc: "connect with TLS (system CAs unless --tls-ca)", default: false },
  "tls-ca": { type: "string", doc: "PEM file with the CA that signed the server certificate (implies --tls)" },
  token: { type: "string", doc: "bearer token sent with every call" },
  timeout: { type: "duration", doc: "give up on a call after this long", default: 120_000, min: 100 },
  json: { type: "boolean", doc: "print the response as JSON (for scripts)", default: false },
});

export const rangeOptions = defineOptions({
  since: { type: "string", doc: "start: a duration before now (15m, 2h, 7d), an ISO time or Unix seconds", default: "1h" },
  until: { type: "string", doc: "end: now, a duration before now, an ISO time or Unix seconds", default: "now" },
});
