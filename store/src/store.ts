/**
 * `openStore(url)`: the one ClickHouse connection of a process, its schema migrated, with the
 * write API. In embedded mode (chDB) the engine is a process-wide singleton, so collector and
 * query API share the Store (and its `client`) that `fleetprof up` opens once.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ClickHouseClient } from "@clickhouse/client";
import { ErrorCode, errorMessage, FleetprofError, type Logger } from "@fleetprof/common";
import { createClickHouseClient } from "./client.js";
import { quoteIdent, ttlFromMs } from "./schema/identifiers.js";
import { missingTables, waitForSchema } from "./schema/check.js";
import { applyMigrations } from "./schema/migrations.js";
import { TABLES, type TtlConfig } from "./schema/tables.js";
import { parseStoreUrl, redactUrl, type StoreTarget } from "./url.js";
import { chdbFileInsert, httpInsert } from "./write/insert.js";
import { IngestWriter, type PreparedWrite, type WriteBuilder } from "./write/writer.js";
import type { BatchInput, WriteOptions, WriteResult } from "./write/types.js";

export interface OpenStoreOptions {
  /** Database name (default `fleetprof`); a database in an http URL's path wins. */
  database?: string | undefined;
  /** Cluster name for `ON CLUSTER` DDL and Distributed tables; empty or undefined: none. */
  cluster?: string | undefined;
  /** TTLs in milliseconds. Defaults: raw 7 d, per-minute 30 d, per-hour 365 d. */
  rawTtlMs?: number;
  rollup1mTtlMs?: number;
  rollup1hTtlMs?: number;
  logger?: Logger | undefined;
  /**
   * `false` for readers (the query API): no migration and no TTL change, only a check that the
   * tables reads need exist (FleetprofError MissingPrerequisite saying what to run when they do
   * not). Only the collector role changes the schema.
   */
  migrate?: boolean;
  /** With `migrate: false`: how long to wait for a collector to create the schema, ms (default 0). Embedded chDB never waits. */
  schemaWaitMs?: number | undefined;
}

/** Test hook: make inserts fail while set. */
export interface StoreFaults {
  /** Every insert throws `error` (default: a ClickHouse-unavailable error) until {@link heal}. */
  failInserts(error?: Error): void;
  heal(): void;
  readonly failing: boolean;
}

export interface Store {
  readonly client: ClickHouseClient;
  /** Database name (unquoted). */
  readonly database: string;
  /** Database name quoted for SQL: `` `fleetprof` ``. */
  readonly db: string;
  readonly target: StoreTarget;
  readonly cluster: string | undefined;
  readonly ttl: TtlConfig;
  /** Writes batches; see `write/writer.ts` for why a batch is never counted twice. */
  writeBatches(batches: readonly BatchInput[], options?: WriteOptions): Promise<WriteResult>;
  /**
   * The two halves of {@link writeBatches}, for pipelining: `prepareWrite` encodes (CPU only)
   * while the previous `commitWrite` runs. Commit one write at a time, in order; a failed commit
   * may be retried (pass the batch ids as `uncertain`).
   */
  prepareWrite(batches: readonly BatchInput[]): PreparedWrite;
  /** {@link prepareWrite} batch by batch: each batch is encoded when added; `finish()` gives the write. */
  beginWrite(): WriteBuilder;
  /** Raw RowBinary rows, in the table's column order, into one of the schema's tables (tools, benchmarks). */
  insertRowBinary(table: string, bytes: Buffer): Promise<void>;
  commitWrite(prepared: PreparedWrite, options?: WriteOptions): Promise<WriteResult>;
  /**
   * After ClickHouse refused a write for good ({@link permanentWriteError}): its two halves by
   * batch, with their batch ids, to commit one after the other before any later write — bisecting
   * isolates the batches at fault. See `write/writer.ts` for what it does to dictionary rows.
   */
  splitWrite(prepared: PreparedWrite): { write: PreparedWrite; batchIds: string[] }[];
  /** Gives a refused write up (its batches are dead-lettered); later writes still carry every dictionary row they need. */
  abandonWrite(prepared: PreparedWrite): void;
  /** True when ClickHouse answers. */
  ping(): Promise<boolean>;
  readonly faults: StoreFaults;
  close(): Promise<void>;
}

/** A reader's check that the schema exists, waiting up to `waitMs` for a collector to create it. */
async function requireSchema(client: ClickHouseClient, database: string, url: string, waitMs: number, log: Logger | undefined): Promise<void> {
  const missing = await waitForSchema(() => missingTables(client, database), {
    waitMs,
    onWait: (m) => log?.warn({ database, missing: m, waitMs }, "waiting for a collector to create the schema"),
  });
  if (missing.length === 0) return;
  const embedded = parseStoreUrl(url).kind === "chdb";
  throw new FleetprofError(
    ErrorCode.MissingPrerequisite,
    `database ${database} at ${redactUrl(url)} has no fleetprof schema (missing ${missing.join(", ")}): the collector creates it and the query API only reads. ` +
      (embedded
        ? "Run `fleetprof up` (collector and query API in one process), or run `fleetprof collector` against this directory once before the query API"
        : `Start \`fleetprof collector\` against this ClickHouse first${waitMs > 0 ? ` (waited ${String(Math.round(waitMs / 1000))} s)` : ""}, or wait longer with --schema-wait`),
  );
}

interface StoreSettings {
  target: StoreTarget;
  database: string;
  db: string;
  cluster: string | undefined;
  ttl: TtlConfig;
}

/** The URL and options checked and resolved, before anything connects. */
function storeSettings(url: string, options: OpenStoreOptions): StoreSettings {
  const target = parseStoreUrl(url);
  const database = (target.kind === "http" ? target.database : undefined) ?? options.database ?? "fleetprof";
  const db = quoteIdent(database, "database");
  const cluster = options.cluster === undefined || options.cluster === "" ? undefined : options.cluster;
  if (cluster !== undefined) quoteIdent(cluster, "cluster");
  if (cluster !== undefined && target.kind === "chdb") {
    throw new FleetprofError(ErrorCode.InvalidConfig, "clickhouse-cluster needs a ClickHouse server (http(s):// URL), not embedded chDB");
  }
  const ttl = ttlFromMs({
    raw: options.rawTtlMs ?? 7 * 86_400_000,
    rollup1m: options.rollup1mTtlMs ?? 30 * 86_400_000,
    rollup1h: options.rollup1hTtlMs ?? 365 * 86_400_000,
  });
  return { target, database, db, cluster, ttl };
}

/** The client for `target`; an engine that cannot start becomes an Unavailable error saying why it may not. */
function connectClient(target: StoreTarget, url: string): ClickHouseClient {
  if (target.kind === "chdb") mkdirSync(target.path, { recursive: true });
  try {
    return createClickHouseClient(target);
  } catch (err) {
    throw new FleetprofError(
      ErrorCode.Unavailable,
      `cannot open ClickHouse at ${redactUrl(url)}: ${errorMessage(err)} (embedded chDB allows one data directory per process, and one process per directory)`,
      { cause: err },
    );
  }
}

/** Migrates the schema (writers) or checks it exists (readers); closes the client when it cannot. */
async function prepareSchema(
  client: ClickHouseClient,
  settings: StoreSettings,
  url: string,
  options: OpenStoreOptions,
  log: Logger | undefined,
): Promise<void> {
  const { target, database, ttl, cluster } = settings;
  try {
    if (options.migrate !== false) await applyMigrations(client, { database, ttl, cluster, logger: log });
    else await requireSchema(client, database, url, target.kind === "chdb" ? 0 : (options.schemaWaitMs ?? 0), log);
  } catch (err) {
    await client.close();
    if (err instanceof FleetprofError) throw err;
    throw new FleetprofError(ErrorCode.Unavailable, `cannot prepare the schema in ClickHouse at ${redactUrl(url)}: ${errorMessage(err)}`, { cause: err });
  }
}

/** The test hook's switch, and the check every insert makes against it. */
function faultSwitch(): { faults: StoreFaults; check: (table: string) => void } {
  let fault: Error | undefined;
  return {
    faults: {
      failInserts: (error = new Error("ClickHouse unavailable (injected fault)")) => {
        fault = error;
      },
      heal: () => {
        fault = undefined;
      },
      get failing() {
        return fault !== undefined;
      },
    },
    check: (table) => {
      if (fault !== undefined) throw new FleetprofError(ErrorCode.Unavailable, `insert into ${table} failed: ${fault.message}`, { cause: fault });
    },
  };
}

/** Opens the store at `url` (chdb:// or http(s)://), its schema migrated or, for readers, checked. */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const settings = storeSettings(url, options);
  const { target, database, db, cluster, ttl } = settings;
  const client = connectClient(target, url);
  await prepareSchema(client, settings, url, options, options.logger?.child({ module: "store" }));
  const { faults, check } = faultSwitch();
  // embedded: RowBinary goes through a scratch directory beside the data (see write/insert.ts)
  const insert = target.kind === "chdb" ? chdbFileInsert(client, join(target.path, "ingest-scratch")) : httpInsert(client);
  const writer = new IngestWriter({ client, insert, db, cluster: cluster !== undefined, beforeInsert: check });
  let closed = false;
  return {
    client,
    database,
    db,
    target,
    cluster,
    ttl,
    writeBatches: (batches, o) => writer.write(batches, o),
    prepareWrite: (batches) => writer.prepare(batches),
    beginWrite: () => writer.begin(),
    insertRowBinary: async (table, bytes) => {
      const spec = TABLES.find((t) => t.name === table);
      if (spec === undefined) throw new FleetprofError(ErrorCode.InvalidArgument, `no table ${table} in the schema`);
      await insert(`${db}.${spec.name}`, spec, bytes, {});
    },
    commitWrite: (prepared, o) => writer.commit(prepared, o),
    splitWrite: (prepared) => writer.split(prepared).map((write) => ({ write, batchIds: writer.batchIds(write) })),
    abandonWrite: (prepared) => writer.abandon(prepared),
    ping: async () => {
      try {
        return (await client.ping()).success;
      } catch {
        return false;
      }
    },
    faults,
    close: async () => {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
