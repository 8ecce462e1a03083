/**
 * Cluster mode (`--clickhouse-cluster NAME`): the same schema as `ON CLUSTER` DDL.
 *
 * - Every stored table `X` becomes `X_local` with a `Replicated*` engine (one replica set per
 *   shard, `{shard}`/`{replica}` macros) plus a `Distributed` table `X` over it.
 * - `samples`, `samples_1m`, `samples_1h` and `stacks` are sharded by `stack_id`, so a stack and
 *   every sample pointing at it live on one shard (flame graphs join locally); `frames` by
 *   `frame_id`, the batch ledger by batch.
 * - `samples_ingest` (Null) stays local on the node the collector writes to; its views write
 *   raw rows into the Distributed `samples` and the collector's rollup sums into the
 *   Distributed `samples_1m` and `samples_1h`, which route each row to its stack's shard.
 */
import { quoteIdent } from "./identifiers.js";
import { tableBody, type DdlOptions } from "./ddl.js";
import { TABLES, VIEWS, type TableSpec, type ViewSpec } from "./tables.js";

export interface ClusterDdlOptions extends DdlOptions {
  cluster: string;
  /** ZooKeeper/Keeper path prefix. Default `/clickhouse/tables/{shard}`. */
  zooPath?: string;
}

/** Name of the table that holds rows on each shard. */
export function localName(spec: TableSpec): string {
  return spec.localOnly === true ? spec.name : `${spec.name}_local`;
}

function replicatedEngine(spec: TableSpec, o: ClusterDdlOptions): string {
  if (spec.engine === "Null") return "Null";
  const path = `'${o.zooPath ?? "/clickhouse/tables/{shard}"}/${o.database}/${localName(spec)}'`;
  const args = [path, "'{replica}'", ...(spec.engineArgs === undefined ? [] : [spec.engineArgs])];
  return `Replicated${spec.engine}(${args.join(", ")})`;
}

export function clusterCreateTable(spec: TableSpec, o: ClusterDdlOptions): string[] {
  const db = quoteIdent(o.database, "database");
  const cluster = quoteIdent(o.cluster, "cluster");
  const local = `CREATE TABLE IF NOT EXISTS ${db}.${localName(spec)} ON CLUSTER ${cluster}\n${tableBody(spec, o.ttl, replicatedEngine(spec, o))}`;
  if (spec.localOnly === true) return [local];
  const key = spec.shardKey ?? "rand()";
  const dist = `CREATE TABLE IF NOT EXISTS ${db}.${spec.name} ON CLUSTER ${cluster} AS ${db}.${localName(spec)}\nENGINE = Distributed(${cluster}, ${db}, ${localName(spec)}, ${key})`;
  return [local, dist];
}

function viewTarget(view: ViewSpec): { from: string; to: string } {
  // Views on the local staging table write through Distributed tables; a view between two
  // stored tables (none today) would run on each shard, from and to the local tables.
  if (view.from === "samples_ingest") return { from: "samples_ingest", to: view.to };
  return { from: `${view.from}_local`, to: `${view.to}_local` };
}

export function clusterCreateView(view: ViewSpec, o: ClusterDdlOptions): string {
  const db = quoteIdent(o.database, "database");
  const cluster = quoteIdent(o.cluster, "cluster");
  const { from, to } = viewTarget(view);
  const select = view.select.replaceAll("{from}", `${db}.${from}`);
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${view.name} ON CLUSTER ${cluster} TO ${db}.${to}\nAS ${select}`;
}

export function clusterSchemaDdl(o: ClusterDdlOptions): string[] {
  const db = quoteIdent(o.database, "database");
  const cluster = quoteIdent(o.cluster, "cluster");
  return [
    `CREATE DATABASE IF NOT EXISTS ${db} ON CLUSTER ${cluster}`,
    ...TABLES.flatMap((t) => clusterCreateTable(t, o)),
    ...VIEWS.map((v) => clusterCreateView(v, o)),
  ];
}
