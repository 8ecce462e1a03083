/**
 * The schema, declared once as data: tables (columns, engine, keys, TTL) and the materialized
 * views between them. {@link ./ddl.ts} turns it into single-node DDL, {@link ./cluster-ddl.ts}
 * into `ON CLUSTER` DDL with Replicated engines and Distributed tables.
 *
 * Identifiers: every statement names `{db}` which the generators replace by the quoted
 * database name. Values (TTL seconds) are integers checked by {@link ttlSeconds}.
 */

export interface TtlConfig {
  /** Raw samples and the batch ledger. */
  rawSeconds: number;
  /** Per-minute rollup. */
  rollup1mSeconds: number;
  /** Per-hour rollup and the frame/stack dictionaries (which outlive every sample pointing at them). */
  rollup1hSeconds: number;
}

export type TtlClass = keyof TtlConfig;

export interface TableSpec {
  name: string;
  /** Column definitions, one per line. */
  columns: readonly string[];
  engine: "MergeTree" | "ReplacingMergeTree" | "SummingMergeTree" | "Null";
  /** Engine arguments, e.g. the version column of a ReplacingMergeTree. */
  engineArgs?: string;
  partitionBy?: string;
  orderBy?: string;
  /** TTL: `<expression> + toIntervalSecond(<seconds of this class>)`. */
  ttl?: { column: string; class: TtlClass };
  settings?: readonly string[];
  /** Cluster mode: the Distributed sharding key; a stack and its samples share a shard. */
  shardKey?: string;
  /** Cluster mode: stays a local table on every node (no Distributed twin). */
  localOnly?: boolean;
}

export interface ViewSpec {
  name: string;
  /** Source table (the view fires on inserts into it). */
  from: string;
  /** Target table. */
  to: string;
  /** SELECT with `{from}` where the source table goes. */
  select: string;
}

const MERGE_SETTINGS = ["index_granularity = 8192"];

/**
 * Ingest staging (stores nothing): what the collector inserts, in RowBinary. `kind` 0 is one
 * process profile (its stacks as parallel arrays), expanded into `samples` by `samples_mv`;
 * kinds 1 and 2 are per-minute and per-hour sums the collector computed (write/rollup.ts),
 * spread into the rollup tables by their views, sent in a second insert after the raw rows. The column order is the wire order of the
 * encoder (write/encode.ts): `threads` comes last because it is known only after the stacks.
 */
export const samplesIngest: TableSpec = {
  name: "samples_ingest",
  columns: [
    "kind UInt8",
    "time DateTime",
    "service String",
    "version String",
    "host String",
    "pid UInt32",
    "mode String",
    "labels Map(String, String)",
    "capture_id String",
    "batch UInt64",
    // 1-based indexes into `threads`, one per stack row
    "thread_idx Array(UInt32)",
    "stack_ids Array(UInt64)",
    "counts Array(UInt64)",
    "threads Array(String)",
  ],
  engine: "Null",
  localOnly: true,
};

export const frames: TableSpec = {
  name: "frames",
  columns: ["frame_id UInt64", "function String CODEC(ZSTD(3))", "file String CODEC(ZSTD(3))", "line UInt32", "last_seen DateTime"],
  engine: "ReplacingMergeTree",
  engineArgs: "last_seen",
  orderBy: "frame_id",
  ttl: { column: "last_seen", class: "rollup1hSeconds" },
  settings: MERGE_SETTINGS,
  shardKey: "frame_id",
};

export const stacks: TableSpec = {
  name: "stacks",
  columns: ["stack_id UInt64", "frame_ids Array(UInt64) CODEC(ZSTD(3))", "depth UInt16", "leaf_frame_id UInt64", "last_seen DateTime"],
  engine: "ReplacingMergeTree",
  engineArgs: "last_seen",
  orderBy: "stack_id",
  ttl: { column: "last_seen", class: "rollup1hSeconds" },
  settings: MERGE_SETTINGS,
  shardKey: "stack_id",
};

const DIMENSIONS = ["service LowCardinality(String)", "version LowCardinality(String)", "host LowCardinality(String)"];

export const samples: TableSpec = {
  name: "samples",
  columns: [
    "time DateTime CODEC(Delta, ZSTD(3))",
    ...DIMENSIONS,
    "pid UInt32 CODEC(T64, ZSTD(3))",
    "mode LowCardinality(String)",
    "thread LowCardinality(String)",
    "labels Map(LowCardinality(String), String) CODEC(ZSTD(3))",
    "stack_id UInt64 CODEC(ZSTD(3))",
    "count UInt64 CODEC(T64, ZSTD(3))",
    "capture_id LowCardinality(String)",
    // 64-bit hash of the batch id: lets a redelivered batch find out whether it landed
    "batch UInt64 CODEC(ZSTD(3))",
  ],
  engine: "MergeTree",
  partitionBy: "toDate(time)",
  // One service and version, then 10-minute buckets (what time-range reads prune on), then the
  // stack: the same stack of many processes and windows sits together and compresses to little.
  orderBy: "(service, version, toStartOfTenMinutes(time), stack_id, time, host, pid)",
  ttl: { column: "time", class: "rawSeconds" },
  settings: [...MERGE_SETTINGS, "ttl_only_drop_parts = 1", "non_replicated_deduplication_window = 1000"],
  shardKey: "stack_id",
};

function rollup(name: string, ttl: TtlClass, partitionBy: string, bucket: string): TableSpec {
  return {
    name,
    columns: [
      "time DateTime CODEC(Delta, ZSTD(3))",
      ...DIMENSIONS,
      "mode LowCardinality(String)",
      "thread LowCardinality(String)",
      "labels_hash UInt64 CODEC(ZSTD(3))",
      "labels Map(LowCardinality(String), String) CODEC(ZSTD(3))",
      "stack_id UInt64 CODEC(ZSTD(3))",
      "count UInt64 CODEC(T64, ZSTD(3))",
    ],
    engine: "SummingMergeTree",
    engineArgs: "count",
    partitionBy,
    // every dimension is in the key (SummingMergeTree sums rows with equal keys)
    orderBy: `(service, version, ${bucket}(time), stack_id, time, host, mode, thread, labels_hash)`,
    ttl: { column: "time", class: ttl },
    settings: [...MERGE_SETTINGS, "ttl_only_drop_parts = 1", "non_replicated_deduplication_window = 1000"],
    shardKey: "stack_id",
  };
}

export const samples1m = rollup("samples_1m", "rollup1mSeconds", "toDate(time)", "toStartOfHour");
export const samples1h = rollup("samples_1h", "rollup1hSeconds", "toYYYYMM(time)", "toStartOfDay");

/**
 * The batch ledger, written ahead and after: `state` 0 before a write touches any table (the
 * batch may be partly written from here on), 1 once all its rows are in. A batch with a 1 is
 * skipped; with only a 0 its rows are looked up before writing; with no row it was never
 * written. Both rows stay until merges keep the later one; readers take max(state).
 */
export const ingestedBatches: TableSpec = {
  name: "ingested_batches",
  columns: ["batch UInt64", "batch_id String CODEC(ZSTD(1))", "ingested_at DateTime", "state UInt8 DEFAULT 1"],
  engine: "ReplacingMergeTree",
  orderBy: "batch",
  ttl: { column: "ingested_at", class: "rawSeconds" },
  settings: MERGE_SETTINGS,
  shardKey: "batch",
};

export const samplesView: ViewSpec = {
  name: "samples_mv",
  from: "samples_ingest",
  to: "samples",
  select: `SELECT time, service, version, host, pid, mode,
  arrayElement(threads, ti) AS thread,
  labels,
  sid AS stack_id,
  c AS count,
  capture_id, batch
FROM {from}
ARRAY JOIN thread_idx AS ti, stack_ids AS sid, counts AS c
WHERE kind = 0`,
};

function rollupView(name: string, to: string, kind: number): ViewSpec {
  // The rows are summed already (write/rollup.ts); the SummingMergeTree sums across inserts on
  // merges. Inner aliases differ from column names so the SQL reads the same on every analyzer.
  return {
    name,
    from: "samples_ingest",
    to,
    select: `SELECT time, service, version, host, mode, arrayElement(threads, ti) AS thread, lh AS labels_hash, labels, sid AS stack_id, c AS count
FROM (SELECT *, cityHash64(mapKeys(labels), mapValues(labels)) AS lh FROM {from} WHERE kind = ${String(kind)})
ARRAY JOIN thread_idx AS ti, stack_ids AS sid, counts AS c`,
  };
}

export const samples1mView = rollupView("samples_1m_mv", "samples_1m", 1);
export const samples1hView = rollupView("samples_1h_mv", "samples_1h", 2);

/**
 * Window coverage, one row per process profile (a process over one sampling window): its
 * sampling rate, the window's length, the samples it holds and the samples the agent
 * expected. What turns samples into seconds (÷ rate) and seconds into cores per process
 * (÷ process-seconds observed), idle windows included (they have no sample rows).
 * Written with the profile's sample rows, after them, so a retried write does not cover a
 * window twice (write/coverage.ts); a ReplacingMergeTree keyed by the batch and the profile's
 * place in it, so merges drop the one duplicate that can still happen. A profile split across
 * batch parts has one row per part (same window, samples split).
 */
export const processWindows: TableSpec = {
  name: "process_windows",
  columns: [
    "time DateTime CODEC(Delta, ZSTD(3))",
    ...DIMENSIONS,
    "pid UInt32",
    "mode LowCardinality(String)",
    "capture_id LowCardinality(String)",
    "labels Map(LowCardinality(String), String) CODEC(ZSTD(3))",
    "rate_hz UInt32",
    "window_ms UInt32",
    "samples UInt64",
    "expected UInt64",
    "batch UInt64 CODEC(ZSTD(3))",
    // the profile's index in its batch
    "seq UInt32",
  ],
  engine: "ReplacingMergeTree",
  partitionBy: "toDate(time)",
  orderBy: "(service, version, toStartOfHour(time), host, pid, time, batch, seq)",
  ttl: { column: "time", class: "rawSeconds" },
  settings: [...MERGE_SETTINGS, "ttl_only_drop_parts = 1"],
  shardKey: "cityHash64(host, pid)",
};

/**
 * Window coverage summed per process and hour (what cost over long ranges reads, beside the
 * per-hour sample rollup): windows, their length, process-milliseconds observed and samples,
 * per sampling rate and label set. Summed by the writer from the coverage rows it writes
 * (write/coverage.ts), so it has the same guarantee as those rows.
 */
export const processWindows1h: TableSpec = {
  name: "process_windows_1h",
  columns: [
    "time DateTime CODEC(Delta, ZSTD(3))",
    ...DIMENSIONS,
    "pid UInt32",
    "mode LowCardinality(String)",
    "capture_id LowCardinality(String)",
    "labels_hash UInt64",
    "labels Map(LowCardinality(String), String) CODEC(ZSTD(3))",
    "rate_hz UInt32",
    "windows UInt64",
    "window_ms UInt64",
    "observed_ms Float64",
    "samples UInt64",
  ],
  engine: "SummingMergeTree",
  engineArgs: "(windows, window_ms, observed_ms, samples)",
  partitionBy: "toYYYYMM(time)",
  orderBy: "(service, version, toStartOfDay(time), time, host, pid, mode, capture_id, rate_hz, labels_hash)",
  ttl: { column: "time", class: "rollup1hSeconds" },
  settings: [...MERGE_SETTINGS, "ttl_only_drop_parts = 1"],
  shardKey: "cityHash64(host, pid)",
};

export const schemaMigrationsTable: TableSpec = {
  name: "schema_migrations",
  columns: ["version UInt32", "name String", "applied_at DateTime"],
  engine: "ReplacingMergeTree",
  orderBy: "version",
  localOnly: true,
};

/** Tables with a TTL, in the order they are created. */
export const TABLES: readonly TableSpec[] = [frames, stacks, samplesIngest, samples, samples1m, samples1h, ingestedBatches, processWindows, processWindows1h];
export const VIEWS: readonly ViewSpec[] = [samples1mView, samples1hView, samplesView];
