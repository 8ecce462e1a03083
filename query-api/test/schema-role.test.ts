/**
 * Only the collector role changes the schema: a query API opens the store without migrating or
 * touching TTLs, and refuses to start, saying what to run, where there is no schema.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createLogger, ErrorCode, FleetprofError } from "@fleetprof/common";
import { createClickHouseClient, openStore, parseStoreUrl, queryRows, type Store } from "@fleetprof/store";
import { tempDir } from "@fleetprof/test";
import { createQueryClient, startQueryApi } from "../src/index.js";

const dir = tempDir("fleetprof-schema-role-");
const url = `chdb://${dir}`;
const logger = createLogger({ level: "silent" });
let collectorStore: Store | undefined;

afterAll(async () => {
  await collectorStore?.close();
});

async function ttlSeconds(store: Store, table: string): Promise<number> {
  const [row] = await queryRows<[string]>(store, "SELECT create_table_query FROM system.tables WHERE database = {db:String} AND name = {t:String}", {
    db: store.database,
    t: table,
  });
  return Number(/toIntervalSecond\((\d+)\)/.exec(row?.[0] ?? "")?.[1]);
}

describe("the query API reads a schema the collector owns", () => {
  it("refuses to start on a store without the schema, saying what to run, and creates nothing", async () => {
    const err = await startQueryApi({ host: "127.0.0.1", port: 0, clickhouseUrl: url }, { logger }).then(
      () => undefined,
      (e: unknown) => FleetprofError.from(e),
    );
    expect(err?.code).toBe(ErrorCode.MissingPrerequisite);
    expect(err?.message).toMatch(/no fleetprof schema \(missing samples, samples_1m, samples_1h, stacks, frames\)/);
    expect(err?.message).toMatch(/fleetprof up|fleetprof collector/);
    const client = createClickHouseClient(parseStoreUrl(url));
    try {
      const rs = await client.query({ query: "SELECT count() FROM system.databases WHERE name = 'fleetprof'", format: "JSONCompactEachRow" });
      expect(await rs.json<[number]>()).toEqual([[0]]);
    } finally {
      await client.close();
    }
  });

  it("starts on the collector's schema without changing its TTLs", async () => {
    // The collector role creates the schema with a 30-day raw TTL (the query API's old default was 7 days).
    collectorStore = await openStore(url, { rawTtlMs: 30 * 86_400_000, rollup1mTtlMs: 90 * 86_400_000 });
    const api = await startQueryApi({ host: "127.0.0.1", port: 0, clickhouseUrl: url }, { logger });
    const client = createQueryClient(api.address);
    try {
      expect((await client.listServices({})).services).toEqual([]);
      expect(await ttlSeconds(collectorStore, "samples")).toBe(30 * 86_400);
      expect(await ttlSeconds(collectorStore, "samples_1m")).toBe(90 * 86_400);
    } finally {
      client.close();
      await api.stop();
    }
  });
});
