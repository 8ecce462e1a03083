/** Store options, shared by every component that opens the store (collector, query API, CLI). */
import { defineOptions, type ConfigOf } from "@fleetprof/common";
import { DEFAULT_CLICKHOUSE_URL } from "./url.js";

/** Where the store is: what every component that opens it needs, readers included. */
export const storeConnectionOptions = defineOptions({
  "clickhouse-url": {
    type: "string",
    doc: "ClickHouse to use: chdb:///abs/path (embedded) or http(s)://user:pass@host:8123/db",
    default: DEFAULT_CLICKHOUSE_URL,
  },
  "clickhouse-database": { type: "string", doc: "database holding fleetprof's tables (a database in the URL path wins)", default: "fleetprof" },
  "clickhouse-cluster": { type: "string", doc: "cluster name: create the schema ON CLUSTER with Replicated engines and Distributed tables", default: "" },
});

/** The store's options for the role that owns the schema (the collector): where it is, and its TTLs. */
export const storeOptions = defineOptions({
  ...storeConnectionOptions,
  "raw-ttl": { type: "duration", doc: "how long raw samples are kept", default: 7 * 86_400_000, min: 3_600_000 },
  "rollup-1m-ttl": { type: "duration", doc: "how long the per-minute rollup is kept", default: 30 * 86_400_000, min: 3_600_000 },
  "rollup-1h-ttl": {
    type: "duration",
    doc: "how long the per-hour rollup (and the frame and stack dictionaries) are kept",
    default: 365 * 86_400_000,
    min: 3_600_000,
  },
});

export type StoreConfig = ConfigOf<typeof storeOptions>;
