/**
 * Long ranges read the rollups and give exactly what the raw samples give; cancelled and
 * timed-out queries stop in ClickHouse.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import {
  clearDictionaryCache,
  MATCH_ALL,
  openStore,
  planRange,
  queryRows,
  readSeries,
  readStackProfile,
  type StackProfile,
  type Store,
} from "@fleetprof/store";
import { tempDir } from "@fleetprof/test";
import { selectorToFilter } from "../src/selector/index.js";
import { batchOf } from "./fixtures.js";

let store: Store;
const HOUR = 3_600_000;
// Pinned relative to the hour so every piece of the plan exists whatever the clock says: the
// range ends 23 min 7 s past an hour (raw edge, minute pieces, then hours) at least 37 min ago.
const end = Math.floor(Date.now() / HOUR) * HOUR - HOUR + 23 * 60_000 + 7_000;
const start = end - 7 * HOUR + 17_000;

beforeAll(async () => {
  store = await openStore(`chdb://${tempDir("fleetprof-rollups-")}`);
  // A window every 7 minutes and 13 seconds over 7.5 hours: rows on both sides of every edge.
  const batches = [];
  for (let t = end - 7.5 * HOUR, i = 0; t < end + 60_000; t += 433_000, i++) {
    const version = i % 3 === 0 ? "2.0" : "1.0";
    batches.push(
      batchOf(`h${String(i % 4)}`, {
        service: i % 5 === 0 ? "billing" : "shop",
        version,
        labels: { region: i % 2 === 0 ? "eu" : "us" },
        timeMs: t,
        stacks: { "app.main;app.work": 10 + (i % 7), [`app.main;app.step${String(i % 11)}`]: 1 + (i % 3), "app.main;app.io;app.wait": 5 },
      }),
    );
  }
  await store.writeBatches(batches);
}, 60_000);

afterAll(async () => {
  await store?.close();
});

function canonical(p: StackProfile): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of p.stacks) {
    const key = s.frames.map((f) => p.frames[f]?.function ?? "?").join(";");
    out[key] = (out[key] ?? 0) + s.count;
  }
  return out;
}

describe("rollups", () => {
  it("splits a long range into raw edges, minute pieces and hours", () => {
    const plan = planRange({ startMs: start, endMs: end }, MATCH_ALL);
    expect(plan.source).toBe("rollup_1h");
    expect(plan.parts.map((p) => p.table)).toEqual(["samples", "samples_1m", "samples_1h", "samples_1m", "samples"]);
    for (let i = 1; i < plan.parts.length; i++) expect(plan.parts[i]?.start).toBe(plan.parts[i - 1]?.end);
    expect(planRange({ startMs: start, endMs: end }, selectorToFilter('{pid="1"}')).source).toBe("raw");
    expect(planRange({ startMs: end - HOUR / 2, endMs: end }, MATCH_ALL).source).toBe("raw");
  });

  for (const selector of ["", '{service="shop", region="eu"}', '{version=~"2\\\\..*", host!="h1"}']) {
    it(`answers ${selector === "" ? "everything" : selector} from the rollups exactly as from raw data`, async () => {
      const filter = selectorToFilter(selector);
      const window = { startMs: start, endMs: end };
      const auto = await readStackProfile(store, { filter, window });
      const raw = await readStackProfile(store, { filter, window, source: "raw" });
      expect(auto.source).toBe("rollup_1h");
      expect(raw.source).toBe("raw");
      expect(auto.total).toBeGreaterThan(0);
      expect(auto.total).toBe(raw.total);
      expect(canonical(auto)).toEqual(canonical(raw));
      for (const step of [60, 3600]) {
        const a = await readSeries(store, { filter, window, stepSeconds: step, groupBy: "version" });
        const r = await readSeries(store, { filter, window, stepSeconds: step, groupBy: "version", source: "raw" });
        expect(a.source).toBe(step === 60 ? "rollup_1m" : "rollup_1h");
        expect(a.rows).toEqual(r.rows);
      }
    });
  }

  it("never counts twice when the dictionaries hold duplicate rows (before their merges)", async () => {
    const window = { startMs: start, endMs: end };
    const before = await readStackProfile(store, { filter: MATCH_ALL, window, source: "raw" });
    await store.client.command({ query: `INSERT INTO ${store.db}.stacks SELECT * FROM ${store.db}.stacks` });
    await store.client.command({ query: `INSERT INTO ${store.db}.frames SELECT * FROM ${store.db}.frames` });
    const dupes = await queryRows<[number]>(store, `SELECT count() - uniqExact(stack_id) FROM ${store.db}.stacks`, {});
    expect(Number(dupes[0]?.[0])).toBeGreaterThan(0);
    clearDictionaryCache(store.client);
    const after = await readStackProfile(store, { filter: MATCH_ALL, window, source: "raw" });
    expect(after.total).toBe(before.total);
    expect(canonical(after)).toEqual(canonical(before));
  });

  it("stops a query at its deadline (DEADLINE_EXCEEDED) and the engine is free again", async () => {
    const slow = "SELECT sum(number) FROM numbers(1000000000000)";
    const err = await queryRows(store, slow, {}, { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FleetprofError);
    expect((err as FleetprofError).code).toBe(ErrorCode.DeadlineExceeded);
    expect(await queryRows(store, "SELECT 1", {})).toEqual([[1]]);
  });

  it("cancels a query when its signal aborts (CANCELLED)", async () => {
    const controller = new AbortController();
    const pending = queryRows(store, "SELECT sum(number) FROM numbers(1000000000000)", {}, { signal: controller.signal, timeoutMs: 2000 }).catch(
      (e: unknown) => e,
    );
    // the query runs for far longer than this: the abort lands while it runs
    setTimeout(() => controller.abort(), 100);
    const err = await pending;
    expect((err as FleetprofError).code).toBe(ErrorCode.Cancelled);
    // The engine stops the query by its deadline at the latest; later queries run.
    expect(await queryRows(store, "SELECT 2", {})).toEqual([[2]]);
  });
});
