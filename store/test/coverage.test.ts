/**
 * Window coverage and replicates on embedded ClickHouse: what the diff statistics read. A
 * window's rate, length and samples are recorded once however often its batch is written, idle
 * windows count as observed time, and samples come back per (host, pid, minute).
 */
import { rows, tempDir } from "@fleetprof/test";
import {
  MATCH_ALL,
  openStore,
  readCoverage,
  readReplicates,
  readSampling,
  replicatePlan,
  stacksFromList,
  type BatchInput,
  type SampleFilter,
  type ProfileInput,
  type Store,
} from "@fleetprof/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MINUTE = 60_000;
// a whole minute, 30 minutes back: inside the raw TTL whatever the date
const T0 = Math.floor(Date.now() / MINUTE) * MINUTE - 30 * MINUTE;

/** One window of one process: `stacks` are "a;b" → count, frames in app.py. */
function window(pid: number, startMs: number, stacks: Record<string, number>, extra: Partial<ProfileInput> = {}): ProfileInput {
  const strings = ["MainThread", "app.py"];
  const frames: { function: number; file: number; line: number }[] = [];
  const frame = (name: string): number => {
    let s = strings.indexOf(name);
    if (s === -1) s = strings.push(name) - 1;
    let f = frames.findIndex((x) => x.function === s);
    if (f === -1) f = frames.push({ function: s, file: 1, line: 1 }) - 1;
    return f;
  };
  const list = Object.entries(stacks).map(([path, count]) => ({ frameIds: path.split(";").map(frame), thread: 0, count }));
  return {
    pid,
    service: "shop",
    version: "1.0",
    labels: {},
    mode: "cpu",
    windowStartUnixMs: startMs,
    windowEndUnixMs: startMs + 10_000,
    sampleRateHz: 100,
    captureId: "",
    strings,
    frames,
    stacks: stacksFromList(list),
    ...extra,
  };
}

describe("window coverage and replicates", () => {
  let store: Store;
  const window1 = {
    batchId: "c1",
    host: "h1",
    profiles: [window(10, T0, { "main;work": 400, "main;io": 100 }), window(10, T0 + 10_000, { "main;work": 300 })],
  } satisfies BatchInput;
  // half-sampled window: 250 of 500 expected samples (py-spy started late) → 5 s observed
  const window2 = { batchId: "c2", host: "h1", profiles: [window(10, T0 + 20_000, { "main;work": 250 }, { expectedSamples: 500 })] } satisfies BatchInput;
  // an idle process: a window with no samples at all, another rate
  const idle = { batchId: "c3", host: "h2", profiles: [window(20, T0, {}, { sampleRateHz: 50 })] } satisfies BatchInput;
  // one profile split across two parts of a batch (same window and expected samples, stacks split)
  const split: BatchInput[] = [
    { batchId: "c4.0", host: "h1", profiles: [window(11, T0 + MINUTE, { "main;work": 120 }, { expectedSamples: 200 })] },
    { batchId: "c4.1", host: "h1", profiles: [window(11, T0 + MINUTE, { "main;io": 80 }, { expectedSamples: 200 })] },
  ];

  beforeAll(async () => {
    store = await openStore(`chdb://${tempDir("fleetprof-coverage-")}`);
    await store.writeBatches([window1, window2, idle, ...split]);
    // written again after the ledger forgot it: every row is looked up, coverage rewritten
    await store.client.command({ query: `TRUNCATE TABLE ${store.db}.ingested_batches` });
    await store.writeBatches([window1], { uncertain: new Set(["c1"]) });
  });
  afterAll(async () => {
    await store.close();
  });

  const range = { startMs: T0, endMs: T0 + 5 * MINUTE };
  const plan = replicatePlan(range, MATCH_ALL);

  it("records each window once, its observed time scaled by how much of it was sampled", async () => {
    const c = await readCoverage(store, { filter: MATCH_ALL, plan });
    const at = (host: string, pid: number, minute: number) => {
      const i = c.host.findIndex((h, k) => h === host && c.pid[k] === pid && c.bucket[k] === (T0 + minute * MINUTE) / 1000);
      return i === -1 ? undefined : { observed: c.observedSeconds[i], samples: c.samples[i], seconds: c.sampleSeconds[i], rates: c.rates[i] };
    };
    expect(c.length).toBe(3);
    expect(at("h1", 10, 0)).toEqual({ observed: 25, samples: 1050, seconds: 10.5, rates: [100] });
    expect(at("h2", 20, 0)).toEqual({ observed: 10, samples: 0, seconds: 0, rates: [50] });
    // the split profile: one 10 s window, both parts' samples
    expect(at("h1", 11, 1)).toEqual({ observed: 10, samples: 200, seconds: 2, rates: [100] });
    expect(await readSampling(store, [{ filter: MATCH_ALL, coverageFilter: MATCH_ALL, window: range }])).toEqual([{ modes: ["cpu"], rates: [50, 100] }]);
    // the retried write found c1's rows stored and did not cover its windows again
    const [n] = await rows<{ n: string }>(
      store.client,
      `SELECT count() AS n FROM ${store.db}.process_windows WHERE batch = (SELECT any(batch) FROM ${store.db}.samples WHERE pid = 10 AND time = toDateTime(${String(T0 / 1000)}))`,
    );
    expect(Number(n?.n)).toBe(2);
  });

  it("reads samples per (host, pid, minute) with each stack's frames", async () => {
    const r = await readReplicates(store, { filter: MATCH_ALL, plan });
    expect(r.total).toBe(1050 + 200);
    const find = (pid: number, minute: number) => {
      const i = Array.from(r.pid).findIndex((p, k) => p === pid && r.bucket[k] === (T0 + minute * MINUTE) / 1000);
      if (i === -1) return undefined;
      const out: Record<string, number> = {};
      for (let e = r.start[i] as number; e < (r.start[i + 1] as number); e++) {
        const names = (r.stacks[r.stack[e] as number] ?? []).map((f) => r.frames[f]?.function ?? "?");
        out[names.join(";")] = (out[names.join(";")] ?? 0) + (r.count[e] as number);
      }
      return { host: r.host[i], mode: r.mode[i], samples: r.samples[i], stacks: out };
    };
    expect(r.length).toBe(2);
    expect(find(10, 0)).toEqual({ host: "h1", mode: "cpu", samples: 1050, stacks: { "main;work": 950, "main;io": 100 } });
    expect(find(11, 1)).toEqual({ host: "h1", mode: "cpu", samples: 200, stacks: { "main;work": 120, "main;io": 80 } });
  });

  it("reads long ranges per host and hour from the per-hour rollup, coverage alike", async () => {
    const HOUR = 60 * MINUTE;
    const h0 = Math.floor(Date.now() / HOUR) * HOUR - 9 * HOUR;
    // two processes on one host, one window in each of 7 hours (+ one 20 s into the range's last, partial minute)
    const batches: BatchInput[] = [];
    for (let h = 0; h < 7; h++) {
      batches.push({
        batchId: `long-${String(h)}`,
        host: "lh",
        profiles: [
          window(1, h0 + h * HOUR + 5 * MINUTE, { "main;a": 100 }, { service: "long" }),
          window(2, h0 + h * HOUR + 7 * MINUTE, { "main;b": 50 }, { service: "long" }),
        ],
      });
    }
    await store.writeBatches(batches);
    const filter: SampleFilter = { matchers: [{ label: "service", op: "=", value: "long" }] };
    const long = replicatePlan({ startMs: h0, endMs: h0 + 7 * HOUR }, filter);
    expect(long.parts.map((p) => p.table)).toEqual(["samples_1h"]);
    const r = await readReplicates(store, { filter, plan: long });
    expect(r.length).toBe(7);
    expect(Array.from(r.pid)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(r.bucket)).toEqual(Array.from({ length: 7 }, (_, h) => (h0 + h * HOUR) / 1000));
    expect(Array.from(r.samples)).toEqual(Array.from({ length: 7 }, () => 150));
    const c = await readCoverage(store, { filter, plan: long });
    expect(Array.from(c.bucket).sort()).toEqual(Array.from(r.bucket));
    expect(Array.from(c.observedSeconds)).toEqual(Array.from({ length: 7 }, () => 20));
    // hours come from the writer's hourly sums, which agree with the windows
    const [hours] = await rows<{ w: string; s: string; n: string }>(
      store.client,
      `SELECT sum(windows) AS n, sum(window_ms) AS w, sum(samples) AS s FROM ${store.db}.process_windows_1h WHERE service = 'long'`,
    );
    const [windows] = await rows<{ w: string; s: string; n: string }>(
      store.client,
      `SELECT count() AS n, sum(window_ms) AS w, sum(samples) AS s FROM ${store.db}.process_windows WHERE service = 'long'`,
    );
    expect(hours).toEqual(windows);
    expect(Number(hours?.n)).toBe(14);
    // a short range reads processes per minute from raw samples
    const short = replicatePlan({ startMs: h0, endMs: h0 + HOUR }, filter);
    expect(short.parts.map((p) => p.table)).toEqual(["samples"]);
    expect(Array.from((await readReplicates(store, { filter, plan: short })).pid).sort()).toEqual([1, 2]);
  });

  it("migrates a version 3 database to version 4 (coverage table)", async () => {
    const path = (store.target as { path: string }).path;
    await store.client.command({ query: `DROP TABLE ${store.db}.process_windows` });
    await store.client.command({ query: `ALTER TABLE ${store.db}.schema_migrations DELETE WHERE version = 4 SETTINGS mutations_sync = 2` });
    await store.close();
    store = await openStore(`chdb://${path}`);
    const v = await rows<{ version: number }>(store.client, `SELECT DISTINCT version FROM ${store.db}.schema_migrations ORDER BY version`);
    expect(v.map((x) => Number(x.version))).toEqual([1, 2, 3, 4]);
    await store.writeBatches([{ ...window2, batchId: "c9" }]);
    expect((await readCoverage(store, { filter: MATCH_ALL, plan })).length).toBe(1);
  });
});
