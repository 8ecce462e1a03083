/**
 * Calibration of diff statistics: how often an A/A comparison (two copies of one version on
 * the same workload) calls anything significant, and where a planted 2× regression of a
 * function holding 25 % of the time ranks. Each run is a different workload — its own request
 * mix, processes per side, minutes, load and seed — written through the store's real write
 * path into embedded ClickHouse and compared through the real gRPC API.
 *
 *   npm run bench -- diff-calibration      (FLEETPROF_CALIBRATION_RUNS=… runs of each, default 100)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@fleetprof/common";
import { SortBy } from "@fleetprof/proto";
import { openStore, type BatchInput } from "@fleetprof/store";
import { createQueryClient, startQueryApi } from "../src/index.js";
import { fleetBatches, seededRandom, SHOP_MIX } from "@fleetprof/test";

const RUNS = Number(process.env["FLEETPROF_CALIBRATION_RUNS"] ?? 100);
const TARGET = "main;serve;handle_request;compute_prices";
const MINUTE = 60_000;

interface Workload {
  mix: Record<string, number>;
  hostsPerSide: number;
  minutes: number;
  busy: number;
}

/** A workload of its own per run: the other stacks' weights drawn afresh, the target kept at 25 %. */
function workload(run: number): Workload {
  const rnd = seededRandom(7919 * run + 17);
  const others = Object.entries(SHOP_MIX).filter(([k]) => k !== TARGET);
  const drawn = others.map(([k]) => [k, -Math.log(1 - rnd()) * (SHOP_MIX[k] ?? 1)] as const);
  const sum = drawn.reduce((a, [, w]) => a + w, 0);
  const mix: Record<string, number> = { [TARGET]: 25 };
  for (const [k, w] of drawn) mix[k] = (75 * w) / sum;
  return { mix, hostsPerSide: 2 + Math.floor(rnd() * 7), minutes: 5 + Math.floor(rnd() * 26), busy: 0.1 + 0.8 * rnd() };
}

const hosts = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${String(i)}`);

const dir = mkdtempSync(join(tmpdir(), "fleetprof-bench-calibration-"));
const store = await openStore(`chdb://${dir}`);
try {
  const t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 40 * MINUTE;
  const started = performance.now();
  for (let run = 0; run < RUNS; run++) {
    const w = workload(run);
    const common = { startMs: t0, minutes: w.minutes, mix: w.mix, busy: w.busy };
    const batches: BatchInput[] = [
      ...fleetBatches({ ...common, service: `aa-${String(run)}`, version: "1.0", hosts: [...hosts("a", w.hostsPerSide), ...hosts("b", w.hostsPerSide)], seed: 10_000 + run }),
      ...fleetBatches({ ...common, service: `pl-${String(run)}`, version: "1.0", hosts: hosts("p", w.hostsPerSide), seed: 20_000 + run }),
      ...fleetBatches({ ...common, service: `pl-${String(run)}`, version: "2.0", hosts: hosts("q", w.hostsPerSide), seed: 30_000 + run, scale: { [TARGET]: 2 } }),
    ];
    await store.writeBatches(batches);
  }
  console.log(`wrote ${String(RUNS)} A/A and ${String(RUNS)} planted workloads in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const api = await startQueryApi({ host: "127.0.0.1", port: 0 }, { store, logger: createLogger({ level: "warn" }) });
  const client = createQueryClient(api.address);
  const range = { startUnixMs: BigInt(t0), endUnixMs: BigInt(t0 + 36 * MINUTE) };
  const findings = { self: 0, total: 0, either: 0 };
  let tests = 0;
  let covered = 0;
  const ranks = new Map<string, number>();
  for (let run = 0; run < RUNS; run++) {
    let any = false;
    for (const [name, sort] of [["self", SortBy.SELF], ["total", SortBy.TOTAL]] as const) {
      const d = await client.diffTopFunctions({ baseSelector: `{service="aa-${String(run)}", host=~"a-.*"}`, selector: `{service="aa-${String(run)}", host=~"b-.*"}`, range, sort, limit: 1000 });
      if ((d.statistics?.functionsSignificant ?? 0) > 0) {
        findings[name]++;
        any = true;
      }
      for (const f of [...d.regressions, ...d.improvements]) {
        if (!f.tested) continue;
        tests++;
        if (f.ciLow <= 0 && f.ciHigh >= 0) covered++;
      }
    }
    if (any) findings.either++;
    const p = await client.diffTopFunctions({ baseSelector: `{service="pl-${String(run)}", version="1.0"}`, selector: `{service="pl-${String(run)}", version="2.0"}`, range, limit: 1000 });
    const at = p.regressions.findIndex((f) => f.function === "compute_prices");
    const key = at === -1 ? "absent" : p.regressions[at]?.significant === true ? `rank ${String(at + 1)}` : `rank ${String(at + 1)}, not significant`;
    ranks.set(key, (ranks.get(key) ?? 0) + 1);
  }
  const pct = (n: number, of: number): string => `${((100 * n) / of).toFixed(1)} %`;
  console.log(`\nA/A, ${String(RUNS)} runs (2–8 processes per side, 5–30 minutes, load 0.1–0.9, each run its own request mix):`);
  console.log(`  runs with any significant function: ${String(findings.either)} (${pct(findings.either, RUNS)}); by self: ${String(findings.self)}, by total: ${String(findings.total)}   (goal ≤ 5 %)`);
  console.log(`  95 % intervals containing 0: ${String(covered)} of ${String(tests)} tested functions (${pct(covered, tests)})`);
  console.log(`\nplanted 2× regression of compute_prices (25 % of the time), ${String(RUNS)} runs, rank among regressions by self time:`);
  for (const [k, n] of [...ranks].sort()) console.log(`  ${k}: ${String(n)} (${pct(n, RUNS)})`);
  client.close();
  await api.stop();
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
