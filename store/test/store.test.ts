import { rows, tempDir } from "@fleetprof/test";
import { openStore, type BatchInput, type Store } from "@fleetprof/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProfile, totalCount } from "./profiles.js";

// Relative to now, on an hour boundary: rows written at a fixed date expire past the raw TTL a
// week later. Four hours back leaves room for the +2 h batches below.
const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR;

function batch(id: string, service: string, version: string, pids: number[], windowMs = T0): BatchInput {
  return { batchId: id, host: "h1", profiles: pids.map((pid) => makeProfile({ service, version, pid, windowStartUnixMs: windowMs, seed: pid * 7 })) };
}

async function sum(store: Store, table: string, where = "1"): Promise<number> {
  const [r] = await rows<{ n: string }>(store.client, `SELECT sum(count) AS n FROM ${store.db}.${table} WHERE ${where}`);
  return Number(r?.n ?? 0);
}

describe("store on embedded ClickHouse", () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore(`chdb://${tempDir("fleetprof-store-")}`, { database: "fp_test" });
  });
  afterAll(async () => {
    await store.close();
  });

  it("migrates idempotently and records the version", async () => {
    const { applyMigrations } = await import("@fleetprof/store");
    expect(await applyMigrations(store.client, { database: "fp_test", ttl: store.ttl })).toEqual([]);
    const v = await rows<{ version: number }>(store.client, `SELECT version FROM ${store.db}.schema_migrations`);
    expect(v.map((r) => Number(r.version)).sort()).toEqual([1, 2, 3, 4]);
  });

  it("applies changed TTL options to existing tables at the next start", async () => {
    const again = await openStore(`chdb://${(store.target as { path: string }).path}`, { database: "fp_test", rawTtlMs: 3 * 86_400_000 });
    const [t] = await rows<{ q: string }>(again.client, "SELECT create_table_query AS q FROM system.tables WHERE database = 'fp_test' AND name = 'samples'");
    expect(t?.q).toContain("toIntervalSecond(259200)");
    const [m] = await rows<{ q: string }>(again.client, "SELECT create_table_query AS q FROM system.tables WHERE database = 'fp_test' AND name = 'samples_1m'");
    expect(m?.q).toContain("toIntervalSecond(2592000)");
  });

  it("refuses cluster mode on embedded ClickHouse", async () => {
    await expect(openStore("chdb:///tmp/never-created", { cluster: "prod" })).rejects.toThrow(/needs a ClickHouse server/);
  });

  it("writes samples, dictionaries and rollups that agree", async () => {
    const batches = [batch("b1", "api", "1.0", [1, 2, 3]), batch("b2", "api", "1.1", [4]), batch("b3", "db", "2.0", [5, 6], T0 + 70_000)];
    const r = await store.writeBatches(batches);
    expect(r.samples).toBe(totalCount(batches));
    expect(await sum(store, "samples")).toBe(totalCount(batches));
    expect(await sum(store, "samples", "service = 'api' AND version = '1.0'")).toBe(totalCount([batches[0] as BatchInput]));
    expect(await sum(store, "samples_1m")).toBe(totalCount(batches));
    expect(await sum(store, "samples_1h")).toBe(totalCount(batches));
    const missing = await rows(store.client, `SELECT count() AS n FROM ${store.db}.samples WHERE stack_id NOT IN (SELECT stack_id FROM ${store.db}.stacks)`);
    expect(Number((missing[0] as { n: string }).n)).toBe(0);
    const [t] = await rows<{ t: string }>(store.client, `SELECT toUnixTimestamp(min(time)) AS t FROM ${store.db}.samples`);
    expect(Number(t?.t)).toBe(T0 / 1000);
  });

  it("skips a batch written before, and writes only the missing profiles of a partly written one", async () => {
    const before = await sum(store, "samples");
    const again = await store.writeBatches([batch("b1", "api", "1.0", [1, 2, 3])]);
    expect(again.duplicateBatches).toBe(1);
    expect(await sum(store, "samples")).toBe(before);
    // b9 has two windows; pretend its first window landed but the ledger write did not.
    const b9 = batch("b9", "api", "1.0", [7, 8], T0 + 3_600_000);
    const b9first: BatchInput = { ...b9, profiles: [b9.profiles[0]!] };
    const b9rest: BatchInput = { ...b9, profiles: [{ ...b9.profiles[1]!, windowStartUnixMs: T0 + 3_610_000 }] };
    const full: BatchInput = { ...b9, profiles: [b9.profiles[0]!, b9rest.profiles[0]!] };
    await store.writeBatches([b9first]);
    await store.client.command({ query: `TRUNCATE TABLE ${store.db}.ingested_batches` });
    const r = await store.writeBatches([full], { uncertain: new Set(["b9"]) });
    expect(r.recoveredProfiles).toBe(1);
    expect(await sum(store, "samples")).toBe(before + totalCount([full]));
    expect(await sum(store, "samples_1m")).toBe(before + totalCount([full]));
  });

  it("does not write again a batch whose earlier write stopped after its rows, when it comes back under a new message id", async () => {
    // the write reached its rows, then the process died before the ledger said complete
    const b = batch("interrupted", "api", "2.0", [41, 42], T0 + 7_200_000);
    await store.writeBatches([b]);
    await store.client.command({
      query: `ALTER TABLE ${store.db}.ingested_batches DELETE WHERE batch_id = 'interrupted' AND state = 1 SETTINGS mutations_sync = 2`,
    });
    const before = await sum(store, "samples", "service = 'api' AND version = '2.0'");
    expect(before).toBe(totalCount([b]));
    // published again (another message id: not a redelivery, nothing marks it uncertain)
    const r = await store.writeBatches([b]);
    expect(r.recoveredProfiles).toBe(2);
    expect(await sum(store, "samples", "service = 'api' AND version = '2.0'")).toBe(before);
    // and a batch never started is written without a lookup
    const fresh = batch("fresh", "api", "2.0", [43], T0 + 7_200_000);
    expect((await store.writeBatches([fresh])).recoveredProfiles).toBe(0);
    expect(await sum(store, "samples", "service = 'api' AND version = '2.0'")).toBe(before + totalCount([fresh]));
  });

  it("inserts raw RowBinary rows into a schema table, and names an unknown table", async () => {
    const { RowBinaryWriter } = await import("@fleetprof/store");
    const w = new RowBinaryWriter(64);
    w.u64(7, 11);
    w.string("handler");
    w.string("app.py");
    w.u32(42);
    w.u32(Math.floor(Date.now() / 1000)); // last_seen: a past time would be expired by the TTL
    await store.insertRowBinary("frames", w.bytes());
    const [f] = await rows<{ function: string; line: number }>(store.client, `SELECT function, line FROM ${store.db}.frames WHERE frame_id = {id:UInt64}`, {
      id: (7n << 32n) | 11n,
    });
    expect(f).toEqual({ function: "handler", line: 42 });
    await expect(store.insertRowBinary("nope", w.bytes())).rejects.toThrow(/no table nope/);
  });

  it("writes one part per partition per write (rows of a batch land together or not at all)", async () => {
    await store.client.command({ query: `SYSTEM STOP MERGES ${store.db}.samples` });
    const parts = async (): Promise<number> =>
      Number(
        (await rows<{ n: string }>(store.client, `SELECT count() AS n FROM system.parts WHERE database = 'fp_test' AND table = 'samples' AND active`))[0]?.n,
      );
    const p0 = await parts();
    const many: BatchInput[] = [];
    for (let i = 0; i < 40; i++)
      many.push({
        batchId: `big${String(i)}`,
        host: "h",
        profiles: Array.from({ length: 20 }, (_, j) =>
          makeProfile({ service: "big", version: "1", pid: i * 100 + j, windowStartUnixMs: T0 + 5000, stacks: 300 }),
        ),
      });
    const r = await store.writeBatches(many);
    expect(r.rows).toBe(40 * 20 * 300);
    expect(await parts()).toBe(p0 + 1);
    await store.client.command({ query: `SYSTEM START MERGES ${store.db}.samples` });
  });

  it("migrates a version 1 database (views on samples, text staging, ledger without state) without losing or doubling rollups", async () => {
    const path = (store.target as { path: string }).path;
    const v1 = await openStore(`chdb://${path}`, { database: "fp_v1" });
    const db = v1.db;
    // turn it back into what version 1 created: staging with stack halves, rollup views on samples
    for (const v of ["samples_mv", "samples_1m_mv", "samples_1h_mv"]) await v1.client.command({ query: `DROP VIEW ${db}.${v}` });
    await v1.client.command({ query: `DROP TABLE ${db}.samples_ingest` });
    await v1.client.command({
      query: `CREATE TABLE ${db}.samples_ingest (time DateTime, service String, version String, host String, pid UInt32, mode String, labels Map(String, String), capture_id String, batch UInt64, threads Array(String), thread_idx Array(UInt16), stack_hi Array(UInt32), stack_lo Array(UInt32), counts Array(UInt64)) ENGINE = Null`,
    });
    await v1.client.command({
      query: `CREATE MATERIALIZED VIEW ${db}.samples_mv TO ${db}.samples AS SELECT time, service, version, host, pid, mode, arrayElement(threads, ti) AS thread, labels, bitOr(bitShiftLeft(toUInt64(hi), 32), toUInt64(lo)) AS stack_id, c AS count, capture_id, batch FROM ${db}.samples_ingest ARRAY JOIN thread_idx AS ti, stack_hi AS hi, stack_lo AS lo, counts AS c`,
    });
    for (const [name, to, bucket] of [
      ["samples_1m_mv", "samples_1m", "toStartOfMinute"],
      ["samples_1h_mv", "samples_1h", "toStartOfHour"],
    ] as const) {
      await v1.client.command({
        query: `CREATE MATERIALIZED VIEW ${db}.${name} TO ${db}.${to} AS SELECT b AS time, service, version, host, mode, thread, lh AS labels_hash, l AS labels, stack_id, n AS count FROM (SELECT ${bucket}(time) AS b, service, version, host, mode, thread, cityHash64(mapKeys(labels), mapValues(labels)) AS lh, any(labels) AS l, stack_id, sum(count) AS n FROM ${db}.samples GROUP BY b, service, version, host, mode, thread, lh, stack_id)`,
      });
    }
    await v1.client.command({ query: `ALTER TABLE ${db}.ingested_batches DROP COLUMN state` });
    await v1.client.command({ query: `TRUNCATE TABLE ${db}.schema_migrations` });
    await v1.client.command({ query: `INSERT INTO ${db}.schema_migrations VALUES (1, 'v1', now())` });
    await v1.close();

    const migrated = await openStore(`chdb://${path}`, { database: "fp_v1" });
    const v = await rows<{ version: number }>(migrated.client, `SELECT version FROM ${db}.schema_migrations`);
    expect(v.map((r) => Number(r.version)).sort()).toEqual([1, 2, 3, 4]);
    const batches = [batch("m1", "api", "1.0", [1, 2]), batch("m2", "db", "2.0", [3], T0 + 3_600_000)];
    await migrated.writeBatches(batches);
    for (const t of ["samples", "samples_1m", "samples_1h"]) expect(await sum(migrated, t)).toBe(totalCount(batches));
    await migrated.close();
  });
});
