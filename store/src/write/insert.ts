/**
 * One INSERT of JSONCompactEachRow text through @clickhouse/client. Settings go into the
 * statement's SETTINGS clause (not the client's `clickhouse_settings`): embedded chDB applies
 * those as session-wide `SET`s, which would leak a deduplication token into later inserts.
 * Setting values are numbers or tokens we made (hex), never user input.
 */
import { Readable } from "node:stream";
import type { ClickHouseClient } from "@clickhouse/client";

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

export async function insertText(client: ClickHouseClient, table: string, lines: readonly string[], settings: InsertSettings): Promise<void> {
  if (lines.length === 0) return;
  const res = await client.exec({
    query: `INSERT INTO ${table}${settingsClause(settings)} FORMAT JSONCompactEachRow`,
    values: Readable.from([lines.join("\n") + "\n"]),
  });
  // Read the (empty) response to the end so an HTTP socket is released.
  for await (const _ of res.stream) {
    // nothing
  }
}
