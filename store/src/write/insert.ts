/**
 * One INSERT of RowBinary through @clickhouse/client.
 *
 * - A ClickHouse server gets `INSERT INTO t SETTINGS … FORMAT RowBinary` with the bytes as body.
 * - Embedded chDB takes only text formats inline, so the bytes go to a file in the store's
 *   scratch directory and the insert reads it: `INSERT INTO t SETTINGS … SELECT * FROM
 *   file(path, 'RowBinary', structure)`. Still one statement, one block, the same settings
 *   (deduplication tokens work alike), and about fifteen times cheaper to parse than JSON.
 *
 * Settings go into the statement's SETTINGS clause (not the client's `clickhouse_settings`):
 * embedded chDB applies those as session-wide `SET`s, which would leak a deduplication token
 * into later inserts. Setting values are numbers or tokens we made (hex), never user input.
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { ClickHouseClient } from "@clickhouse/client";
import type { TableSpec } from "../schema/tables.js";

export type InsertSettings = Record<string, number | string>;

const TOKEN = /^[A-Za-z0-9_.-]{1,200}$/;

export function settingsClause(settings: InsertSettings): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(settings)) {
    if (!/^[a-z_]+$/.test(k)) throw new Error(`bad setting name ${k}`);
    if (typeof v === "number") {
      if (!Number.isSafeInteger(v)) throw new Error(`bad setting value for ${k}`);
      parts.push(`${k} = ${String(v)}`);
    } else {
      if (!TOKEN.test(v)) throw new Error(`bad setting value for ${k}`);
      parts.push(`${k} = '${v}'`);
    }
  }
  return parts.length === 0 ? "" : ` SETTINGS ${parts.join(", ")}`;
}

/** A table's columns as a `file()` structure: names and types, without codecs. */
export function structureOf(spec: TableSpec): string {
  return spec.columns.map((c) => c.replace(/\s+CODEC\(.*\)$/, "")).join(", ");
}

/** Inserts RowBinary bytes into a table (`table` is the SQL name, `spec` gives the columns). */
export type BinaryInsert = (table: string, spec: TableSpec, bytes: Buffer, settings: InsertSettings) => Promise<void>;

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  // Read the (empty) response to the end so an HTTP socket is released.
  for await (const _ of stream) {
    // nothing
  }
}

export function httpInsert(client: ClickHouseClient): BinaryInsert {
  return async (table, _spec, bytes, settings) => {
    if (bytes.length === 0) return;
    const res = await client.exec({ query: `INSERT INTO ${table}${settingsClause(settings)} FORMAT RowBinary`, values: Readable.from([bytes]) });
    await drain(res.stream);
  };
}

/** SQL string literal for a path we chose (single quotes and backslashes escaped). */
function sqlString(s: string): string {
  return `'${s.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/**
 * Embedded chDB: through a file in `dir` (created, and emptied of files a killed process left
 * behind). Files are removed after their insert, failed or not.
 */
export function chdbFileInsert(client: ClickHouseClient, dir: string): BinaryInsert {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith(".rowbinary")) rmSync(join(dir, f), { force: true });
  let n = 0;
  return async (table, spec, bytes, settings) => {
    if (bytes.length === 0) return;
    const file = join(dir, `${String(process.pid)}-${String(n++)}.rowbinary`);
    await writeFile(file, bytes);
    try {
      const res = await client.exec({
        query: `INSERT INTO ${table}${settingsClause(settings)} SELECT * FROM file(${sqlString(file)}, 'RowBinary', ${sqlString(structureOf(spec))})`,
      });
      await drain(res.stream);
    } finally {
      await unlink(file).catch(() => undefined);
    }
  };
}
