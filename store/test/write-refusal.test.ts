/**
 * Writes ClickHouse refuses, on embedded ClickHouse: refusals of the rows told from passing
 * failures by error code, a refused write split until only the batch at fault is left, later
 * writes still carrying every dictionary row they need, and a write spanning a hundred daily
 * partitions landing whole.
 */
import { rows, tempDir } from "@fleetprof/test";
import { clickHouseFailureOf, openStore, permanentWriteError, stacksFromList, type BatchInput, type ProfileInput, type Store } from "@fleetprof/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProfile, totalCount } from "./profiles.js";

const DAY = 86_400_000;
const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;

/** One profile whose stacks are `stacks` (lists of function names root→leaf), one sample each. */
function profileOf(pid: number, stacks: string[][]): ProfileInput {
  const names = [...new Set(stacks.flat())];
  const strings = ["MainThread", "/app/x.py", ...names];
  return {
    pid,
    service: "api",
    version: "1",
    labels: {},
    mode: "cpu",
    windowStartUnixMs: T0,
    captureId: "",
    strings,
    frames: names.map((_, i) => ({ function: i + 2, file: 1, line: 1 })),
    stacks: stacksFromList(stacks.map((s) => ({ frameIds: s.map((n) => names.indexOf(n)), thread: 0, count: 1 }))),
  };
}

async function scalar(store: Store, sql: string): Promise<number> {
  const [r] = await rows<{ n: string }>(store.client, sql);
  return Number(r?.n ?? 0);
}

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("the write succeeded");
}

describe("writes ClickHouse refuses", () => {
  let store: Store;
  beforeAll(async () => {
    // long TTLs: rows a hundred days old stay visible until read back
    store = await openStore(`chdb://${tempDir("fleetprof-refusal-")}`, { rawTtlMs: 400 * DAY, rollup1mTtlMs: 400 * DAY, rollup1hTtlMs: 400 * DAY });
  });
  afterAll(async () => {
    await store.close();
  });

  it("tells a refusal of the rows (a constraint) from a failing server (a table away, an unreachable store) by error code", async () => {
    await store.client.command({ query: `ALTER TABLE ${store.db}.samples ADD CONSTRAINT no_evil CHECK service != 'evil'` });
    const evil: BatchInput = { batchId: "evil-1", host: "h", profiles: [{ ...profileOf(1, [["a"]]), service: "evil" }] };
    const refused = await errorOf(store.writeBatches([evil]));
    expect(permanentWriteError(refused)).toMatchObject({ code: 469, type: "VIOLATED_CONSTRAINT" });
    expect(permanentWriteError(refused)?.message).toMatch(/no_evil/);
    await store.client.command({ query: `ALTER TABLE ${store.db}.samples DROP CONSTRAINT no_evil` });

    await store.client.command({ query: `DETACH TABLE ${store.db}.samples` });
    const away = await errorOf(store.writeBatches([{ batchId: "away-1", host: "h", profiles: [profileOf(2, [["a"]])] }])).finally(() =>
      store.client.command({ query: `ATTACH TABLE ${store.db}.samples` }),
    );
    expect(clickHouseFailureOf(away)).toMatchObject({ code: 60, type: "UNKNOWN_TABLE" });
    expect(permanentWriteError(away)).toBeUndefined();

    store.faults.failInserts();
    const down = await errorOf(store.writeBatches([{ batchId: "down-1", host: "h", profiles: [profileOf(3, [["a"]])] }])).finally(() => store.faults.heal());
    expect(clickHouseFailureOf(down)).toBeUndefined();
    expect(permanentWriteError(down)).toBeUndefined();
  });

  it("splits a refused write down to the batch at fault; writes encoded meanwhile keep the dictionary rows it carried", async () => {
    // the refused batch is the first to name stack [shared_1, shared_2]; a later write needs it too
    await store.client.command({ query: `ALTER TABLE ${store.db}.frames ADD CONSTRAINT no_evil_fn CHECK function != 'evil_fn'` });
    const good1: BatchInput = { batchId: "split-good-1", host: "h", profiles: [profileOf(10, [["g1_a", "g1_b"]])] };
    const evil: BatchInput = { batchId: "split-evil", host: "h", profiles: [profileOf(11, [["shared_1", "shared_2"], ["evil_fn"]])] };
    const good2: BatchInput = { batchId: "split-good-2", host: "h", profiles: [profileOf(12, [["shared_1", "shared_2"]])] };
    const first = store.beginWrite();
    first.add(good1);
    first.add(evil);
    const second = store.beginWrite(); // encoded while the first commits: its shared rows count as written
    second.add(good2);
    const w = first.finish();
    expect(permanentWriteError(await errorOf(store.commitWrite(w)))?.code).toBe(469);

    const halves = store.splitWrite(w);
    expect(halves.map((h) => h.batchIds)).toEqual([["split-good-1"], ["split-evil"]]);
    const [a, b] = halves as [(typeof halves)[number], (typeof halves)[number]];
    await store.commitWrite(a.write, { uncertain: new Set(a.batchIds) });
    expect(permanentWriteError(await errorOf(store.commitWrite(b.write, { uncertain: new Set(b.batchIds) })))?.code).toBe(469);
    store.abandonWrite(b.write);
    await store.commitWrite(second.finish());
    await store.client.command({ query: `ALTER TABLE ${store.db}.frames DROP CONSTRAINT no_evil_fn` });

    const batches = `batch IN (SELECT batch FROM ${store.db}.ingested_batches WHERE batch_id LIKE 'split-%')`;
    expect(await scalar(store, `SELECT sum(count) AS n FROM ${store.db}.samples WHERE ${batches}`)).toBe(totalCount([good1, good2]));
    expect(
      await scalar(store, `SELECT count() AS n FROM ${store.db}.samples WHERE ${batches} AND stack_id NOT IN (SELECT stack_id FROM ${store.db}.stacks)`),
    ).toBe(0);
    const frames = `SELECT count() AS n FROM (SELECT arrayJoin(frame_ids) AS f FROM ${store.db}.stacks) WHERE f NOT IN (SELECT frame_id FROM ${store.db}.frames)`;
    expect(await scalar(store, frames)).toBe(0);
    expect(await scalar(store, `SELECT count() AS n FROM ${store.db}.frames WHERE function = 'shared_1'`)).toBeGreaterThan(0);
  });

  it("lands one write whose windows are a day apart over 101 days (more daily partitions than ClickHouse's default limit)", async () => {
    const profiles = Array.from({ length: 101 }, (_, i) =>
      makeProfile({ service: "days", version: "1", pid: 100 + i, windowStartUnixMs: T0 - i * DAY, stacks: 3 }),
    );
    const batch: BatchInput = { batchId: "days-1", host: "h", profiles };
    await store.writeBatches([batch]);
    expect(await scalar(store, `SELECT sum(count) AS n FROM ${store.db}.samples WHERE service = 'days'`)).toBe(totalCount([batch]));
    expect(await scalar(store, `SELECT uniqExact(toDate(time)) AS n FROM ${store.db}.samples WHERE service = 'days'`)).toBe(101);
    expect(await scalar(store, `SELECT sum(count) AS n FROM ${store.db}.samples_1m WHERE service = 'days'`)).toBe(totalCount([batch]));
  });
});
