/**
 * Diffs a person can trust, end to end: synthetic fleets written through the store's real write
 * path into embedded ClickHouse, compared through the real gRPC API. Times are relative to now.
 *
 * - ranking by total time finds a regressed caller whose time went into a shared callee;
 * - A/A: two copies of one version on the same workload (20 seeds) show no significant
 *   function in at least 95 % of runs;
 * - a planted 2× regression of a function holding 25 % of the time is significant and ranked
 *   first in every run;
 * - sides sampled in different modes are refused, different rates are compared in seconds,
 *   and the cost per process comes with an interval.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, ErrorCode } from "@fleetprof/common";
import { Presence, SortBy, type FlameGraph } from "@fleetprof/proto";
import { openStore, type BatchInput, type Store } from "@fleetprof/store";
import { errorOf, fleetBatches, SHOP_RELEASE, tempDir, type FleetSpec } from "@fleetprof/test";
import { createQueryClient, startQueryApi, type QueryApi, type QueryClient } from "../src/index.js";

const RUNS = 20;
const MINUTE = 60_000;
const T0 = Math.floor(Date.now() / MINUTE) * MINUTE - 40 * MINUTE;
const hosts = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${String(i)}`);

/** The workload: beta regressed, and spends its time in crunch, which alpha calls too. */
const BETA_MIX = { "main;alpha;crunch": 70, "main;beta;crunch": 18, "main;beta": 2, "main;gamma": 10 };

let store: Store;
let api: QueryApi;
let client: QueryClient;
const range = { startUnixMs: BigInt(T0), endUnixMs: BigInt(T0 + 35 * MINUTE) };

beforeAll(async () => {
  store = await openStore(`chdb://${tempDir("fleetprof-diff-stats-")}`);
  const fleet = (s: Omit<FleetSpec, "startMs">): BatchInput[] => fleetBatches({ startMs: T0, ...s });
  const batches: BatchInput[] = [
    ...fleet({ service: "beta", version: "1.0", hosts: hosts("v1", 3), minutes: 10, mix: BETA_MIX, seed: 1 }),
    ...fleet({ service: "beta", version: "2.0", hosts: hosts("v2", 3), minutes: 10, mix: BETA_MIX, scale: { "main;beta;crunch": 2.5 }, seed: 2 }),
    ...fleet({ service: "modes", version: "1.0", hosts: hosts("m", 2), minutes: 6, seed: 3, mode: "wall" }),
    ...fleet({ service: "modes", version: "2.0", hosts: hosts("n", 2), minutes: 6, seed: 4 }),
    // the same work sampled at half the rate; and a version that is busier
    ...fleet({ service: "rates", version: "1.0", hosts: hosts("r", 3), minutes: 8, seed: 5, rateHz: 100 }),
    ...fleet({ service: "rates", version: "2.0", hosts: hosts("s", 3), minutes: 8, seed: 6, rateHz: 50 }),
    ...fleet({ service: "busier", version: "1.0", hosts: hosts("c", 3), minutes: 10, seed: 7, busy: 0.4 }),
    ...fleet({ service: "busier", version: "2.0", hosts: hosts("d", 3), minutes: 10, seed: 8, busy: 0.6 }),
    // a release: 1.0 for 20 minutes, then 2.0 for 12 (compute_prices twice the work, a new
    // function, hash_key gone); and a service with one version
    ...fleet({ service: "shop", version: "1.0", hosts: hosts("s1", 3), minutes: 20, seed: 9 }),
    ...fleetBatches({ service: "shop", version: "2.0", hosts: hosts("s2", 3), startMs: T0 + 20 * MINUTE, minutes: 12, seed: 10, ...SHOP_RELEASE }),
    ...fleet({ service: "single", version: "1.0", hosts: hosts("x", 2), minutes: 5, seed: 11 }),
  ];
  for (let run = 0; run < RUNS; run++) {
    // A/A: one version on two sets of hosts; planted: compute_prices (25 % of the time) doubled
    batches.push(...fleet({ service: `aa-${String(run)}`, version: "1.0", hosts: [...hosts("a", 3), ...hosts("b", 3)], minutes: 10, seed: 100 + run }));
    batches.push(...fleet({ service: `pl-${String(run)}`, version: "1.0", hosts: hosts("p", 3), minutes: 10, seed: 200 + run }));
    batches.push(
      ...fleet({
        service: `pl-${String(run)}`,
        version: "2.0",
        hosts: hosts("q", 3),
        minutes: 10,
        seed: 300 + run,
        scale: { "main;serve;handle_request;compute_prices": 2 },
      }),
    );
  }
  await store.writeBatches(batches);
  api = await startQueryApi({ host: "127.0.0.1", port: 0 }, { store, logger: createLogger({ level: "silent" }) });
  client = createQueryClient(api.address);
}, 120_000);

afterAll(async () => {
  client.close();
  await api.stop();
  await store.close();
});

function nodeShare(g: FlameGraph | undefined, path: string[]): { share: number; baseShare: number } {
  let parent = 0;
  for (const name of path) parent = g?.nodes.findIndex((n) => n.parent === parent && g.strings[n.name] === name) ?? -1;
  const n = g?.nodes[parent];
  return { share: n?.share ?? NaN, baseShare: n?.baseShare ?? NaN };
}

describe("diff statistics through the query API", () => {
  it("ranks a regressed caller first by total time, where self time shows only its shared callee", async () => {
    const sides = { baseSelector: '{service="beta", version="1.0"}', selector: '{service="beta", version="2.0"}', range };
    const byTotal = await client.diffTopFunctions({ ...sides, sort: SortBy.TOTAL });
    const bySelf = await client.diffTopFunctions({ ...sides });
    expect(byTotal.sort).toBe(SortBy.TOTAL);
    expect(byTotal.regressions[0]).toMatchObject({ function: "beta", significant: true, presence: Presence.BOTH });
    expect(bySelf.regressions[0]?.function).toBe("crunch");
    const beta = byTotal.regressions[0];
    // the flame graph's beta node moved by the same amount
    const { flameGraph } = await client.diffFlameGraph(sides);
    const node = nodeShare(flameGraph, ["main", "beta"]);
    expect(beta?.deltaShare).toBeCloseTo(node.share - node.baseShare, 9);
    expect(beta?.deltaShare).toBeGreaterThan(0.12);
    expect(beta?.ciLow).toBeLessThan(beta?.deltaShare ?? 0);
    expect(beta?.ciHigh).toBeGreaterThan(beta?.deltaShare ?? 0);
    expect(beta?.ciLow).toBeGreaterThan(0);
    // both shares on both sides on every row
    expect(beta?.baseTotalShare).toBeGreaterThan(0.15);
    expect(beta?.selfShare).toBeGreaterThan(0);
    expect(byTotal.statistics).toMatchObject({ baseReplicates: 30, replicates: 30, baseProcesses: 3, processes: 3, significanceAvailable: true });
  });

  it("A/A: two copies of one version on the same workload show no significant function in at least 95 % of runs", async () => {
    let withFindings = 0;
    for (let run = 0; run < RUNS; run++) {
      for (const sort of [SortBy.SELF, SortBy.TOTAL]) {
        const d = await client.diffTopFunctions({
          baseSelector: `{service="aa-${String(run)}", host=~"a-.*"}`,
          selector: `{service="aa-${String(run)}", host=~"b-.*"}`,
          range,
          sort,
          limit: 100,
        });
        expect(d.statistics?.functionsTested).toBeGreaterThan(10);
        if ((d.statistics?.functionsSignificant ?? 0) > 0) {
          withFindings++;
          break;
        }
      }
    }
    expect(withFindings).toBeLessThanOrEqual(Math.floor(RUNS * 0.05));
  });

  it("finds a planted 2× regression of a function with 25 % of the time, significant and ranked first, in every run", async () => {
    for (let run = 0; run < RUNS; run++) {
      const d = await client.diffTopFunctions({
        baseSelector: `{service="pl-${String(run)}", version="1.0"}`,
        selector: `{service="pl-${String(run)}", version="2.0"}`,
        range,
      });
      expect(d.regressions[0], `run ${String(run)}`).toMatchObject({ function: "compute_prices", significant: true });
      expect(d.regressions[0]?.baseSelfShare).toBeGreaterThan(0.2);
    }
  });

  it("refuses to compare sides sampled in different modes, saying what to add", async () => {
    const sides = { baseSelector: '{service="modes", version="1.0"}', selector: '{service="modes", version="2.0"}', range };
    for (const call of [() => client.diffTopFunctions(sides), () => client.diffFlameGraph(sides)]) {
      const err = await errorOf(call());
      expect(err).toMatchObject({ code: ErrorCode.InvalidArgument });
      expect(String(err)).toMatch(/baseline was sampled in wall mode and the comparison in cpu mode.*\{mode="cpu"\}/);
    }
    const mixed = await errorOf(client.diffTopFunctions({ baseSelector: '{service="modes"}', selector: '{service="modes", version="2.0"}', range }));
    expect(String(mixed)).toMatch(/baseline holds samples taken in different modes \(cpu, wall\)/);
  });

  it("compares different sampling rates in seconds, and says so", async () => {
    const d = await client.diffTopFunctions({ baseSelector: '{service="rates", version="1.0"}', selector: '{service="rates", version="2.0"}', range });
    expect(d.basis).toMatchObject({ baseMode: "cpu", mode: "cpu", baseRatesHz: [100], ratesHz: [50], ratesNormalised: true });
    expect(d.basis?.note).toMatch(/converted to seconds/);
    expect(d.regressions.filter((r) => r.significant)).toEqual([]);
    // half the samples, the same CPU
    expect(Number(d.total)).toBeLessThan(Number(d.baseTotal) * 0.6);
    expect(d.cost?.cores).toBeCloseTo(d.cost?.baseCores ?? 0, 1);
    expect(d.cost?.significant).toBe(false);
    const g = await client.diffFlameGraph({ baseSelector: '{service="rates", version="1.0"}', selector: '{service="rates", version="2.0"}', range });
    expect(g.basis).toMatchObject({ baseRatesHz: [100], ratesHz: [50], ratesNormalised: false });
  });

  it("says a busier version costs more CPU per process, with an interval", async () => {
    const d = await client.diffTopFunctions({ baseSelector: '{service="busier", version="1.0"}', selector: '{service="busier", version="2.0"}', range });
    const cost = d.cost;
    expect(cost).toMatchObject({ available: true, unit: "CPU seconds", significant: true, baseCoverage: 1, coverage: 1 });
    expect(cost?.baseCores).toBeGreaterThan(0.3);
    expect(cost?.baseCores).toBeLessThan(0.5);
    expect(cost?.relativeChange).toBeGreaterThan(0.25);
    expect(cost?.relativeCiLow).toBeGreaterThan(0);
    expect(cost?.relativeCiLow).toBeLessThan(cost?.relativeChange ?? 0);
    expect(cost?.baseProcessSeconds).toBeCloseTo(3 * 10 * 60, 6);
    // the mix is the same: no function changed share
    expect([...d.regressions, ...d.improvements].filter((r) => r.significant)).toEqual([]);
  });

  it("reports the newest version against the previous one over the same length of time", async () => {
    const r = await client.versionReport({ service: "shop" });
    expect(r).toMatchObject({ service: "shop", baseVersion: "1.0", version: "2.0" });
    expect(r.versions.map((v) => v.version)).toEqual(["2.0", "1.0"]);
    const length = (t: typeof r.range) => Number((t?.endUnixMs ?? 0n) - (t?.startUnixMs ?? 0n));
    // 2.0 ran 12 minutes: both sides get 12 minutes, each ending at its version's last sample
    expect(length(r.range)).toBe(12 * MINUTE);
    expect(length(r.baseRange)).toBe(12 * MINUTE);
    expect(Number(r.baseRange?.endUnixMs)).toBe(T0 + 20 * MINUTE);
    expect(Number(r.range?.endUnixMs)).toBe(T0 + 32 * MINUTE);
    expect(r.diff?.sort).toBe(SortBy.TOTAL);
    expect(r.diff?.regressions[0]).toMatchObject({ function: "compute_prices", significant: true });
    expect([...(r.diff?.regressions ?? []), ...(r.diff?.improvements ?? [])].every((f) => f.significant)).toBe(true);
    expect(r.newFunctions.map((f) => f.function)).toEqual(["apply_tax_rules"]);
    expect(r.goneFunctions.map((f) => f.function)).toEqual(["hash_key"]);
    expect(r.diff?.cost).toMatchObject({ available: true, unit: "CPU seconds" });
    expect(r.diff?.statistics).toMatchObject({ baseReplicates: 36, replicates: 36 });
    expect(r.flameGraph?.diff).toBe(true);
    expect(nodeShare(r.flameGraph, ["main", "serve", "handle_request", "compute_prices"]).share).toBeGreaterThan(0.3);
    // named versions, a shorter duration
    const named = await client.versionReport({ service: "shop", baseVersion: "2.0", version: "1.0", durationMs: BigInt(5 * MINUTE) });
    expect(named).toMatchObject({ baseVersion: "2.0", version: "1.0" });
    expect(length(named.range)).toBe(5 * MINUTE);
    expect(named.diff?.improvements.find((f) => f.function === "compute_prices")).toMatchObject({ significant: true });
  });

  it("says why there is no report: one version, an unknown version, a selector naming the version", async () => {
    const cases: [() => Promise<unknown>, ErrorCode, RegExp][] = [
      [() => client.versionReport({ service: "single" }), ErrorCode.NotFound, /only one version of single .*\(1\.0\)/],
      [() => client.versionReport({ service: "shop", version: "9.9" }), ErrorCode.NotFound, /version "9\.9" of shop .*versions seen: 2\.0, 1\.0/],
      [() => client.versionReport({ service: "shop", selector: '{version="1.0"}' }), ErrorCode.InvalidArgument, /version is chosen by the report/],
      [() => client.versionReport({ service: "" }), ErrorCode.InvalidArgument, /service is required/],
    ];
    for (const [call, code, message] of cases) {
      const err = await errorOf(call());
      expect(err).toMatchObject({ code });
      expect(String(err)).toMatch(message);
    }
  });
});
