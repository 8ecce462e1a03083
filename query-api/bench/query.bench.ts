/**
 * Query API benchmark: a generated fleet (see dataset.ts), queried through the real gRPC
 * server and client. Each figure is the median of several runs, printed next to its floor
 * measured in the same run: the bare `SELECT stack_id, sum(count) … GROUP BY stack_id` over the
 * raw samples for the same selection.
 *
 *   npm run bench -- query                 (FLEETPROF_BENCH_ROWS=… to change the size)
 *
 * FLEETPROF_BENCH_DATA=dir keeps the generated dataset in `dir` and reuses it on the next run
 * (comparing two versions of the code on the same data); FLEETPROF_BENCH_ONLY=text runs only
 * the benchmarks whose name contains `text` (several texts separated by `|`: any of them).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@fleetprof/common";
import { SortBy } from "@fleetprof/proto";
import { openStore, queryRows } from "@fleetprof/store";
import { createQueryClient, startQueryApi } from "../src/index.js";
import { generateDataset, keptDataset, waitForMerges } from "./dataset.js";

const ROWS = Number(process.env["FLEETPROF_BENCH_ROWS"] ?? 30_000_000);
const RUNS = Number(process.env["FLEETPROF_BENCH_RUNS"] ?? 9);
const WARMUP = Number(process.env["FLEETPROF_BENCH_WARMUP"] ?? 5);
const KEEP = process.env["FLEETPROF_BENCH_DATA"];
const ONLY = (process.env["FLEETPROF_BENCH_ONLY"] ?? "").split("|");

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/**
 * Medians of `fn` and of its floor, called alternately (so the machine's load drifts over both
 * alike) after WARMUP calls of each: a query API is a long-running process, and the first calls
 * after start carry the JIT's optimising compiles and the first full GC (they made the first
 * benchmark's figure 2–3× its steady one).
 */
async function measurePair(fn: () => Promise<unknown>, floorFn: () => Promise<unknown>): Promise<[number, number]> {
  for (let i = 0; i < WARMUP; i++) {
    await floorFn();
    await fn();
  }
  const figures: number[] = [];
  const floors: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    floors.push(await timed(floorFn));
    figures.push(await timed(fn));
  }
  return [median(figures), median(floors)];
}

const dir = KEEP ?? mkdtempSync(join(tmpdir(), "fleetprof-bench-query-"));
const kept = KEEP !== undefined && existsSync(KEEP);
const store = await openStore(`chdb://${dir}`);
try {
  let data = kept ? await keptDataset(store) : undefined;
  if (data === undefined) {
    console.log(`generating ${String(ROWS)} sample rows inside ClickHouse…`);
    data = await generateDataset(store, ROWS);
    const settledMs = await waitForMerges(store);
    console.log(`waited ${(settledMs / 1000).toFixed(0)} s for background merges`);
  } else console.log(`reusing the dataset in ${dir} (its 24 h end at ${new Date(data.endMs).toISOString()})`);
  const one = async (sql: string): Promise<number> => Number((await queryRows<[number]>(store, sql, {}))[0]?.[0] ?? 0);
  const raw = await one(`SELECT count() FROM ${store.db}.samples`);
  const m1 = await one(`SELECT count() FROM ${store.db}.samples_1m`);
  const h1 = await one(`SELECT count() FROM ${store.db}.samples_1h`);
  const stacks = await one(`SELECT uniqExact(stack_id) FROM ${store.db}.samples`);
  console.log(
    `dataset: ${String(raw)} raw rows (${String(m1)} per-minute, ${String(h1)} per-hour rollup rows), ${String(stacks)} distinct stacks, 1000 hosts, 20 services × 3 versions, 24 h; generated in ${(data.generateMs / 1000).toFixed(1)} s`,
  );

  const api = await startQueryApi({ host: "127.0.0.1", port: 0, deadline: 600_000 }, { store, logger: createLogger({ level: "warn" }) });
  const client = createQueryClient(api.address, { deadlineMs: 600_000 });
  const day = { startUnixMs: BigInt(data.startMs), endUnixMs: BigInt(data.endMs) };
  const hour = { startUnixMs: BigInt(data.endMs - 3_600_000), endUnixMs: BigInt(data.endMs) };
  const floor = (where: string, r: { startUnixMs: bigint; endUnixMs: bigint }) => () =>
    queryRows(
      store,
      `SELECT stack_id, sum(count) FROM ${store.db}.samples WHERE time >= toDateTime({s:UInt32}) AND time < toDateTime({e:UInt32}) AND ${where} GROUP BY stack_id`,
      { s: Number(r.startUnixMs / 1000n), e: Number(r.endUnixMs / 1000n) },
      { timeoutMs: 600_000 },
    );

  const rows: [string, number, number][] = [];
  const bench = async (name: string, fn: () => Promise<unknown>, floorFn: () => Promise<unknown>): Promise<void> => {
    if (!ONLY.some((text) => name.includes(text))) return;
    const [v, f] = await measurePair(fn, floorFn);
    rows.push([name, v, f]);
    console.log(`${name.padEnd(44)} ${v.toFixed(0).padStart(7)} ms   floor ${f.toFixed(0).padStart(7)} ms   ratio ${(v / f).toFixed(2)}`);
  };

  console.log(
    `\nmedian of ${String(RUNS)} runs, each alternated with its floor after ${String(WARMUP)} warm-up calls of both, through gRPC; floor = raw GROUP BY stack_id for the same selection`,
  );
  console.log("benchmark".padEnd(44), "figure".padStart(10), "       floor".padStart(13), "  ratio");
  await bench("flame graph, one service, 1 h (raw)", () => client.flameGraph({ selector: '{service="svc3"}', range: hour }), floor("service = 'svc3'", hour));
  await bench("flame graph, one service, 24 h", () => client.flameGraph({ selector: '{service="svc3"}', range: day }), floor("service = 'svc3'", day));
  await bench("flame graph, fleet-wide, 24 h", () => client.flameGraph({ range: day }), floor("1", day));
  await bench(
    "diff flame graph, 1.0 vs 1.1 of one service, 24 h",
    () => client.diffFlameGraph({ baseSelector: '{service="svc3", version="1.0"}', selector: '{service="svc3", version="1.1"}', range: day }),
    floor("service = 'svc3' AND version = '1.1'", day),
  );
  await bench("top functions, one service, 24 h", () => client.topFunctions({ selector: '{service="svc3"}', range: day }), floor("service = 'svc3'", day));
  await bench(
    "diff top functions with intervals, one service, 24 h",
    () => client.diffTopFunctions({ baseSelector: '{service="svc3", version="1.0"}', selector: '{service="svc3", version="1.1"}', range: day }),
    floor("service = 'svc3' AND version = '1.1'", day),
  );
  await bench(
    "  … ranked by total time",
    () =>
      client.diffTopFunctions({ baseSelector: '{service="svc3", version="1.0"}', selector: '{service="svc3", version="1.1"}', range: day, sort: SortBy.TOTAL }),
    floor("service = 'svc3' AND version = '1.1'", day),
  );
  await bench(
    "diff top functions with intervals, one service, 1 h",
    () => client.diffTopFunctions({ baseSelector: '{service="svc3", version="1.0"}', selector: '{service="svc3", version="1.1"}', range: hour }),
    floor("service = 'svc3' AND version = '1.1'", hour),
  );
  await bench("flame graph, fleet-wide, 24 h, raw table forced (pid)", () => client.flameGraph({ selector: '{pid!="0"}', range: day }), floor("pid != 0", day));

  const flame = rows.find((r) => r[0].startsWith("flame graph, one service, 24"))?.[1] ?? NaN;
  const diff = rows.find((r) => r[0].startsWith("diff flame"))?.[1] ?? NaN;
  const fleet = rows.find((r) => r[0].startsWith("flame graph, fleet-wide, 24 h"))?.[1] ?? NaN;
  const withIntervals = rows.find((r) => r[0].startsWith("diff top functions with intervals, one service, 24 h"))?.[1] ?? NaN;
  const byTotal = rows.find((r) => r[0].includes("ranked by total"))?.[1] ?? NaN;
  console.log(`\ndiff / one-service flame graph (24 h): ${(diff / flame).toFixed(2)} (goal ≤ 2)`);
  console.log(
    `diff with intervals / one-service flame graph (24 h): ${(withIntervals / flame).toFixed(2)} by self, ${(byTotal / flame).toFixed(2)} by total (goal ≤ 3)`,
  );
  console.log(`fleet-wide 24 h flame graph: ${fleet.toFixed(0)} ms (goal < 1000 ms)`);
  client.close();
  await api.stop();
} finally {
  await store.close();
  if (KEEP === undefined) rmSync(dir, { recursive: true, force: true });
}
