/**
 * Versioned, idempotent migrations applied at start. Each migration is a list of
 * `IF NOT EXISTS` statements; applied versions are recorded in `schema_migrations`, and a
 * migration that was interrupted half way simply runs again. Changed TTL options are applied
 * to existing tables afterwards (`ALTER TABLE … MODIFY TTL`), without rewriting data.
 */
import type { ClickHouseClient } from "@clickhouse/client";
import type { Logger } from "@fleetprof/common";
import { clusterCreateTable, clusterCreateView, clusterSchemaDdl, localName } from "./cluster-ddl.js";
import { createDatabase, createTable, createView, schemaDdl, ttlClause, type DdlOptions } from "./ddl.js";
import { quoteIdent } from "./identifiers.js";
import {
  ingestedBatches,
  processWindows,
  processWindows1h,
  samplesIngest,
  schemaMigrationsTable,
  TABLES,
  VIEWS,
  type TableSpec,
  type TtlConfig,
} from "./tables.js";

export interface MigrationOptions {
  database: string;
  ttl: TtlConfig;
  /** Cluster name, or undefined for one server / chDB. */
  cluster?: string | undefined;
  logger?: Logger | undefined;
}

export interface Migration {
  version: number;
  name: string;
  statements: (o: MigrationOptions) => string[];
}

function withoutDatabase(o: MigrationOptions): string[] {
  const all = o.cluster === undefined ? schemaDdl(o) : clusterSchemaDdl({ ...o, cluster: o.cluster });
  return all.slice(1);
}

/**
 * Version 2: the collector sums the rollups and sends everything as RowBinary. The staging table
 * gets new columns (kind, 64-bit stack ids) and the rollup views read it instead of `samples`.
 * Staging stores nothing, so it is dropped and created again with its views; a collector of
 * version 1 still running fails its inserts (and holds its messages) until it is upgraded.
 */
function stagingV2(o: MigrationOptions): string[] {
  const db = quoteIdent(o.database, "database");
  const onCluster = o.cluster === undefined ? "" : ` ON CLUSTER ${quoteIdent(o.cluster, "cluster")}`;
  const drops = [...VIEWS.map((v) => `DROP VIEW IF EXISTS ${db}.${v.name}${onCluster}`), `DROP TABLE IF EXISTS ${db}.${samplesIngest.name}${onCluster}`];
  const d: DdlOptions = { database: o.database, ttl: o.ttl };
  if (o.cluster === undefined) return [...drops, createTable(samplesIngest, d), ...VIEWS.map((v) => createView(v, d))];
  const c = { ...d, cluster: o.cluster };
  return [...drops, ...clusterCreateTable(samplesIngest, c), ...VIEWS.map((v) => clusterCreateView(v, c))];
}

/** Version 3: the ledger records batches before their write too (`state` 0), see write/writer.ts. */
function ledgerState(o: MigrationOptions): string[] {
  const db = quoteIdent(o.database, "database");
  const column = "ADD COLUMN IF NOT EXISTS state UInt8 DEFAULT 1";
  if (o.cluster === undefined) return [`ALTER TABLE ${db}.${ingestedBatches.name} ${column}`];
  const onCluster = `ON CLUSTER ${quoteIdent(o.cluster, "cluster")}`;
  return [`ALTER TABLE ${db}.${localName(ingestedBatches)} ${onCluster} ${column}`, `ALTER TABLE ${db}.${ingestedBatches.name} ${onCluster} ${column}`];
}

/** Tables added after version 1 (a new database creates them in version 1 already). */
function addTables(...specs: TableSpec[]): (o: MigrationOptions) => string[] {
  return (o) => {
    const d: DdlOptions = { database: o.database, ttl: o.ttl };
    return specs.flatMap((spec) => (o.cluster === undefined ? [createTable(spec, d)] : clusterCreateTable(spec, { ...d, cluster: o.cluster })));
  };
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "frames, stacks, samples, rollups, batch ledger", statements: withoutDatabase },
  { version: 2, name: "rollups summed by the collector; RowBinary staging", statements: stagingV2 },
  { version: 3, name: "batch ledger written ahead (state)", statements: ledgerState },
  { version: 4, name: "window coverage per process (process_windows, process_windows_1h)", statements: addTables(processWindows, processWindows1h) },
];

/** The statements that create the database and the migrations table. */
export function bootstrapDdl(o: MigrationOptions): string[] {
  const d: DdlOptions = { database: o.database, ttl: o.ttl };
  if (o.cluster === undefined) return [createDatabase(o.database), createTable(schemaMigrationsTable, d)];
  return [
    `CREATE DATABASE IF NOT EXISTS ${quoteIdent(o.database, "database")} ON CLUSTER ${quoteIdent(o.cluster, "cluster")}`,
    ...clusterCreateTable(schemaMigrationsTable, { ...d, cluster: o.cluster }),
  ];
}

export async function applyMigrations(client: ClickHouseClient, o: MigrationOptions): Promise<number[]> {
  const db = quoteIdent(o.database, "database");
  for (const sql of bootstrapDdl(o)) await client.command({ query: sql });
  const rs = await client.query({ query: `SELECT DISTINCT version FROM ${db}.schema_migrations`, format: "JSONEachRow" });
  const done = new Set((await rs.json<{ version: number }>()).map((r) => Number(r.version)));
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    for (const sql of m.statements(o)) await client.command({ query: sql });
    await client.insert({
      table: `${db}.schema_migrations`,
      values: [{ version: m.version, name: m.name, applied_at: Math.floor(Date.now() / 1000) }],
      format: "JSONEachRow",
    });
    o.logger?.info({ version: m.version, migration: m.name }, "schema migration applied");
    applied.push(m.version);
  }
  await syncTtls(client, o);
  return applied;
}

/** Applies changed TTL options to existing tables. */
export async function syncTtls(client: ClickHouseClient, o: MigrationOptions): Promise<void> {
  const db = quoteIdent(o.database, "database");
  const rs = await client.query({
    query: "SELECT name, create_table_query FROM system.tables WHERE database = {db:String}",
    query_params: { db: o.database },
    format: "JSONEachRow",
  });
  const ddl = new Map((await rs.json<{ name: string; create_table_query: string }>()).map((r) => [r.name, r.create_table_query]));
  for (const spec of TABLES) {
    if (spec.ttl === undefined) continue;
    const name = o.cluster === undefined ? spec.name : localName(spec);
    const current = /TTL\s+\S+\s*\+\s*toIntervalSecond\((\d+)\)/.exec(ddl.get(name) ?? "")?.[1];
    const wanted = o.ttl[spec.ttl.class];
    if (current === undefined || Number(current) === wanted) continue;
    const onCluster = o.cluster === undefined ? "" : ` ON CLUSTER ${quoteIdent(o.cluster, "cluster")}`;
    await client.command({ query: `ALTER TABLE ${db}.${name}${onCluster} MODIFY TTL ${ttlClause(spec, o.ttl)}` });
    o.logger?.info({ table: name, from: Number(current), to: wanted }, "table TTL changed (seconds)");
  }
}
