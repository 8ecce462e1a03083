/**
 * Calibration of diff statistics: how often an A/A comparison (two copies of one version on
 * the same workload) calls anything significant, and where a planted 2× regression of a
 * function holding 25 % of the time ranks. Each run is a different workload — its own request
 * mix, processes per side, minutes, load and seed — written through the store's real write
 * path into embedded ClickHouse and compared through the real gRPC API. Two more A/A sets give
 * every process a request mix of its own (a 10 % coefficient of variation per stack), with
 * enough processes for the process-clustered variance (5–8 a side) and with too few (2–4).
 *
 *   npm run bench -- diff-calibration      (FLEETPROF_CALIBRATION_RUNS=… runs of each, default 100)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@fleetprof/common";
import { SortBy } from "@fleetprof/proto";
import { openStore, type Store } from "@fleetprof/store";
import { fleetBatches, seededRandom, SHOP_MIX } from "@fleetprof/test";
import { createQueryClient, startQueryApi, type QueryClient } from "../src/index.js";

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
function workload(run: number, minHosts: number, maxHosts: number): Workload {
  const rnd = seededRandom(7919 * run + 17);
  const others = Object.entries(SHOP_MIX).filter(([k]) => k !== TARGET);
  const drawn = others.map(([k]) => [k, -Math.log(1 - rnd()) * (SHOP_MIX[k] ?? 1)] as const);
  const sum = drawn.reduce((a, [, w]) => a + w, 0);
  const mix: Record<string, number> = { [TARGET]: 25 };
  for (const [k, w] of drawn) mix[k] = (75 * w) / sum;
  return { mix, hostsPerSide: minHosts + Math.floor(rnd() * (maxHosts - minHosts + 1)), minutes: 5 + Math.floor(rnd() * 26), busy: 0.1 + 0.8 * rnd() };
}

const hosts = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${String(i)}`);
const pct = (n: number, of: number): string => `${((100 * n) / of).toFixed(1)} %`;

interface Scenario {
  name: string;
  service: (run: number) => string;
  hosts: [number, number];
  processEffect: number;
}

async function writeAa(store: Store, s: Scenario, t0: number): Promise<void> {
  for (let run = 0; run < RUNS; run++) {
    const w = workload(run, s.hosts[0], s.hosts[1]);
    await store.writeBatches(
      fleetBatches({
        startMs: t0,
        minutes: w.minutes,
        mix: w.mix,
        busy: w.busy,
        processEffect: s.processEffect,
        service: s.service(run),
        version: "1.0",
        hosts: [...hosts("a", w.hostsPerSide), ...hosts("b", w.hostsPerSide)],
        seed: 10_000 + run,
      }),
    );
  }
}

async function measureAa(client: QueryClient, s: Scenario, range: { startUnixMs: bigint; endUnixMs: bigint }): Promise<void> {
  const findings = { self: 0, total: 0, either: 0 };
  let tests = 0;
  let covered = 0;
  for (let run = 0; run < RUNS; run++) {
    let any = false;
    for (const [name, sort] of [
      ["self", SortBy.SELF],
      ["total", SortBy.TOTAL],
    ] as const) {
      const d = await client.diffTopFunctions({
        baseSelector: `{service="${s.service(run)}", host=~"a-.*"}`,
        selector: `{service="${s.service(run)}", host=~"b-.*"}`,
        range,
        sort,
        limit: 1000,
      });
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
  }
  console.log(
    `\n${s.name}, ${String(RUNS)} runs (${String(s.hosts[0])}–${String(s.hosts[1])} processes per side, 5–30 minutes, load 0.1–0.9, each run its own request mix):`,
  );
  console.log(
    `  runs with any significant function, ranked by self: ${String(findings.self)} (${pct(findings.self, RUNS)}), by total: ${String(findings.total)} (${pct(findings.total, RUNS)}), by either: ${String(findings.either)} (${pct(findings.either, RUNS)})   (goal ≤ 5 %)`,
  );
  console.log(`  95 % intervals containing 0: ${String(covered)} of ${String(tests)} tested functions (${pct(covered, tests)})`);
}

const dir = mkdtempSync(join(tmpdir(), "fleetprof-bench-calibration-"));
const store = await openStore(`chdb://${dir}`);
try {
  const t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 40 * MINUTE;
  const scenarios: Scenario[] = [
    { name: "A/A, every process the same mix", service: (r) => `aa-${String(r)}`, hosts: [2, 8], processEffect: 0 },
    {
      name: "A/A, each process its own mix (CV 10 %), 5–8 processes: clustered by process",
      service: (r) => `ap-${String(r)}`,
      hosts: [5, 8],
      processEffect: 0.1,
    },
    {
      name: "A/A, each process its own mix (CV 10 %), 2–4 processes: too few to cluster (the known limit)",
      service: (r) => `aq-${String(r)}`,
      hosts: [2, 4],
      processEffect: 0.1,
    },
  ];
  const started = performance.now();
  for (const s of scenarios) await writeAa(store, s, t0);
  for (let run = 0; run < RUNS; run++) {
    const w = workload(run, 2, 8);
    const common = { startMs: t0, minutes: w.minutes, mix: w.mix, busy: w.busy, service: `pl-${String(run)}` };
    await store.writeBatches([
      ...fleetBatches({ ...common, version: "1.0", hosts: hosts("p", w.hostsPerSide), seed: 20_000 + run }),
      ...fleetBatches({ ...common, version: "2.0", hosts: hosts("q", w.hostsPerSide), seed: 30_000 + run, scale: { [TARGET]: 2 } }),
    ]);
  }
  console.log(`wrote ${String(RUNS)} workloads of each kind in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const api = await startQueryApi({ host: "127.0.0.1", port: 0 }, { store, logger: createLogger({ level: "warn" }) });
  const client = createQueryClient(api.address);
  const range = { startUnixMs: BigInt(t0), endUnixMs: BigInt(t0 + 36 * MINUTE) };
  for (const s of scenarios) await measureAa(client, s, range);
  const ranks = new Map<string, number>();
  for (let run = 0; run < RUNS; run++) {
    const p = await client.diffTopFunctions({
      baseSelector: `{service="pl-${String(run)}", version="1.0"}`,
      selector: `{service="pl-${String(run)}", version="2.0"}`,
      range,
      limit: 1000,
    });
    const at = p.regressions.findIndex((f) => f.function === "compute_prices");
    const key = at === -1 ? "absent" : p.regressions[at]?.significant === true ? `rank ${String(at + 1)}` : `rank ${String(at + 1)}, not significant`;
    ranks.set(key, (ranks.get(key) ?? 0) + 1);
  }
  console.log(
    `\nplanted 2× regression of compute_prices (25 % of the time), ${String(RUNS)} runs (2–8 processes per side), rank among regressions by self time:`,
  );
  for (const [k, n] of [...ranks].sort()) console.log(`  ${k}: ${String(n)} (${pct(n, RUNS)})`);
  client.close();
  await api.stop();
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
