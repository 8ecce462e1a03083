/**
 * Checking, without changing anything, that the schema a reader needs is there. Only the
 * collector role migrates the schema and sets its TTLs; a reader (the query API) opens the
 * store with `migrate: false` and waits here, bounded, for a collector to create it.
 */
import type { ClickHouseClient } from "@clickhouse/client";
import { sleep } from "@fleetprof/common";
import { frames, samples, samples1h, samples1m, stacks } from "./tables.js";

/** Tables every read needs: raw samples, both rollups and the two dictionaries. */
export const READ_TABLES: readonly string[] = [samples.name, samples1m.name, samples1h.name, stacks.name, frames.name];

/** The tables of {@link READ_TABLES} that `database` lacks (all of them when it does not exist). */
export async function missingTables(client: ClickHouseClient, database: string): Promise<string[]> {
  const rs = await client.query({
    query: "SELECT name FROM system.tables WHERE database = {db:String} AND name IN {names:Array(String)}",
    query_params: { db: database, names: READ_TABLES },
    format: "JSONCompactEachRow",
  });
  const present = new Set((await rs.json<[string]>()).map(([name]) => name));
  return READ_TABLES.filter((t) => !present.has(t));
}

export interface SchemaWait {
  /** How long to wait for the schema, ms; 0 checks once. */
  waitMs: number;
  /** Called once, when the first check finds tables missing and there is time to wait. */
  onWait?: (missing: readonly string[]) => void;
  /** Between checks, ms (default 1000). */
  everyMs?: number;
}

/** Checks until nothing is missing or the wait is over; returns what is still missing. */
export async function waitForSchema(check: () => Promise<string[]>, wait: SchemaWait): Promise<string[]> {
  const until = Date.now() + wait.waitMs;
  let missing = await check();
  if (missing.length > 0 && wait.waitMs > 0) wait.onWait?.(missing);
  while (missing.length > 0 && Date.now() < until) {
    await sleep(Math.min(wait.everyMs ?? 1000, Math.max(0, until - Date.now())));
    missing = await check();
  }
  return missing;
}
