/** Single-node DDL (one ClickHouse server, or embedded chDB) generated from {@link ./tables.ts}. */
import { quoteIdent } from "./identifiers.js";
import { TABLES, VIEWS, type TableSpec, type TtlConfig, type ViewSpec } from "./tables.js";

export interface DdlOptions {
  database: string;
  ttl: TtlConfig;
}

export function ttlClause(spec: TableSpec, ttl: TtlConfig): string {
  if (spec.ttl === undefined) return "";
  return `${spec.ttl.column} + toIntervalSecond(${String(ttl[spec.ttl.class])})`;
}

export function engineClause(spec: TableSpec, engine: string = spec.engine, extraArgs: readonly string[] = []): string {
  const args = [...extraArgs, ...(spec.engineArgs === undefined ? [] : [spec.engineArgs])];
  return `${engine}${args.length > 0 || engine !== "Null" ? `(${args.join(", ")})` : ""}`;
}

export function tableBody(spec: TableSpec, ttl: TtlConfig, engine: string): string {
  const parts = [`(\n  ${spec.columns.join(",\n  ")}\n)`, `ENGINE = ${engine}`];
  if (spec.partitionBy !== undefined) parts.push(`PARTITION BY ${spec.partitionBy}`);
  if (spec.orderBy !== undefined) parts.push(`ORDER BY ${spec.orderBy}`);
  const t = ttlClause(spec, ttl);
  if (t !== "") parts.push(`TTL ${t}`);
  if (spec.settings !== undefined && spec.settings.length > 0) parts.push(`SETTINGS ${spec.settings.join(", ")}`);
  return parts.join("\n");
}

export function createDatabase(database: string): string {
  return `CREATE DATABASE IF NOT EXISTS ${quoteIdent(database, "database")}`;
}

export function createTable(spec: TableSpec, o: DdlOptions): string {
  const db = quoteIdent(o.database, "database");
  return `CREATE TABLE IF NOT EXISTS ${db}.${spec.name}\n${tableBody(spec, o.ttl, engineClause(spec))}`;
}

export function createView(view: ViewSpec, o: DdlOptions): string {
  const db = quoteIdent(o.database, "database");
  const select = view.select.replaceAll("{from}", `${db}.${view.from}`);
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${view.name} TO ${db}.${view.to}\nAS ${select}`;
}

/** Every statement of the schema, in order: database, tables, then views (rollups before the expanding view). */
export function schemaDdl(o: DdlOptions): string[] {
  return [createDatabase(o.database), ...TABLES.map((t) => createTable(t, o)), ...VIEWS.map((v) => createView(v, o))];
}
