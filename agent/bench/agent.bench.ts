/**
 * Agent benchmark (`npm run bench -- agent`): what continuous profiling costs, next to the
 * floors measured in the same run.
 *
 * 1. CPU of the agent's own Node process per profiled process at 100 Hz, next to the CPU of
 *    the py-spy processes it runs (the floor: the agent cannot cost less than the sampler it
 *    drives), and coverage (ticks taken / ticks expected). Four light Python workloads, 10 s
 *    windows, measured over two whole windows per run, median of RUNS runs.
 * 2. Slowdown of a CPU-bound workload: two identical copies run side by side on one core, the
 *    agent profiles one and then the other, and the unprofiled twin is the floor. Paired by
 *    time, so whatever else loads the machine loads both, and crossed, so the two processes'
 *    own speed difference cancels; median of PAIRS pairs. Reported per wall second (what a
 *    user sees) and per CPU second of the workload (interference alone).
 *
 * 3. Parse cost: py-spy's speedscope output of one 10 s window at 100 Hz and of one 10 s
 *    capture at 1 kHz of a workload, read by the agent's reader (median of PARSE_RUNS), next to
 *    `JSON.parse` of the same file as the floor (the least a full parse costs, without the
 *    reader's bounds, aggregation or bounded memory).
 *
 * Goals (issue 3): agent ≤ 10% of py-spy's CPU; slowdown ≤ 2%; coverage ≥ 98%.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { cpus } from "node:os";
import {
  freePort,
  killAllTracked,
  pySpyPath,
  pythonExecutable,
  removeTempDirs,
  spawnTracked,
  startNats,
  startWorkload,
  tempDir,
  WORKLOADS_DIR,
  type Tracked,
  type Workload,
} from "@fleetprof/test";
import { readMetric, sleep } from "@fleetprof/common";
import type { readSpeedscope } from "@fleetprof/agent";

const ROOT = join(import.meta.dirname, "..", "..");
const RUNS = Number(process.env["AGENT_BENCH_RUNS"] ?? 3);
const PAIRS = Number(process.env["AGENT_BENCH_PAIRS"] ?? 4);
const PROCESSES = 4;
const WINDOW_MS = 10_000;
const MEASURE_SECONDS = 12;
const PARSE_RUNS = 15;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const tag = (): string => `b${String(Math.floor(Math.random() * 1e9))}`;

/** The built agent when there is one (what production runs), else the sources through tsx. */
function agentCommand(): string[] {
  const dist = join(ROOT, "agent", "dist", "main.js");
  if (existsSync(dist)) return [dist];
  return ["--conditions=@fleetprof/source", "--import", "tsx", join(ROOT, "agent", "src", "main.ts")];
}

async function startAgentProcess(natsUrl: string, include: string, metricsPort: number): Promise<Tracked> {
  const agent = spawnTracked(
    process.execPath,
    [
      ...agentCommand(),
      "--nats-url",
      natsUrl,
      "--include",
      include,
      "--min-age",
      "300ms",
      "--spool-dir",
      tempDir("agent-bench-spool-"),
      "--metrics-port",
      String(metricsPort),
      "--metrics-host",
      "127.0.0.1",
    ],
    {
      cwd: ROOT,
      env: { ...process.env, FLEETPROF_LOG_FORMAT: "json" },
    },
  );
  await agent.waitFor(/"agent started"/, 30_000);
  return agent;
}

async function metrics(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${String(port)}/metrics`);
  return res.text();
}

/** Sleeps until `afterMs` past the next window boundary (so the last window's py-spy runs have ended). */
async function untilAfterBoundary(afterMs: number): Promise<void> {
  const now = Date.now();
  const next = (Math.floor(now / WINDOW_MS) + 1) * WINDOW_MS;
  await sleep(next + afterMs - now);
}

interface CpuRun {
  /** Resident memory of the agent at the end, MiB. */
  rssMiB: number;
  agentPerProcess: number;
  pySpyPerProcess: number;
  coverage: number;
  /** Mean time from one window's stop to the next window's first sample, ms. */
  gapMs: number;
}

async function cpuRun(natsUrl: string): Promise<CpuRun> {
  const t = tag();
  const workloads: Workload[] = [];
  for (let i = 0; i < PROCESSES; i++) workloads.push(await startWorkload("agent_throughput", { args: ["--duty", "0.2", "--tag", t] }));
  const port = await freePort();
  const agent = await startAgentProcess(natsUrl, `--tag ${t}`, port);
  try {
    // Every process profiled, then measure over two whole windows.
    for (const w of workloads) await agent.waitFor(new RegExp(`"targetPid":${String(w.pid)},[^\\n]*profiling pid`), 30_000);
    await untilAfterBoundary(2500);
    const m0 = await metrics(port);
    const t0 = Date.now();
    await untilAfterBoundary(0);
    await untilAfterBoundary(2500);
    const m1 = await metrics(port);
    const seconds = (Date.now() - t0) / 1000;
    const delta = (name: string): number => (readMetric(m1, name) ?? 0) - (readMetric(m0, name) ?? 0);
    return {
      rssMiB: (readMetric(m1, "process_resident_memory_bytes") ?? 0) / 1024 / 1024,
      agentPerProcess: delta("process_cpu_seconds_total") / PROCESSES / seconds,
      pySpyPerProcess: delta("fleetprof_agent_py_spy_cpu_seconds_total") / PROCESSES / seconds,
      coverage: delta("fleetprof_agent_sample_ticks_total") / delta("fleetprof_agent_sample_ticks_expected_total"),
      gapMs: (1000 * delta("fleetprof_agent_window_gap_seconds_total")) / Math.max(1, delta("fleetprof_agent_window_gaps_total")),
    };
  } finally {
    await agent.stop();
    for (const w of workloads) await w.stop();
  }
}

/** Chunks done and CPU seconds used so far, from the workload's last PROGRESS line. */
function progress(w: Workload): { chunks: number; cpu: number; wall: number } {
  const lines = w
    .stdout()
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("PROGRESS "));
  const [, chunks, cpu, wall] = (lines.at(-1) ?? "PROGRESS 0 0 0").split(" ");
  return { chunks: Number(chunks), cpu: Number(cpu), wall: Number(wall) };
}

interface PairRun {
  /** 1 - profiled/unprofiled chunks per wall second. */
  wall: number;
  /** 1 - profiled/unprofiled chunks per CPU second of the workload. */
  cpu: number;
  unprofiledRate: number;
}

/**
 * A throughput workload pinned to the machine's last core: both twins share that core, so the
 * scheduler splits it evenly between them whatever else runs on the machine, while the agent
 * and py-spy run wherever there is room (as they would on a production host with spare cores).
 */
async function twin(t: string): Promise<Workload> {
  const core = String(cpus().length - 1);
  const script = join(WORKLOADS_DIR, "agent_throughput.py");
  const child = spawnTracked("taskset", ["-c", core, pythonExecutable(), "-u", script, "--tag", t, "--every", "0.5"]);
  await child.waitFor(/READY \d+/, 15_000);
  return { ...child, script };
}

/** Throughput ratio a/b over one measurement, per wall second and per CPU second. */
async function measureRatio(a: Workload, b: Workload): Promise<{ wall: number; cpu: number; bRate: number }> {
  const a0 = progress(a);
  const b0 = progress(b);
  await sleep(MEASURE_SECONDS * 1000);
  const a1 = progress(a);
  const b1 = progress(b);
  const rate = (x0: typeof a0, x1: typeof a0, by: "wall" | "cpu"): number => (x1.chunks - x0.chunks) / (x1[by] - x0[by]);
  return { wall: rate(a0, a1, "wall") / rate(b0, b1, "wall"), cpu: rate(a0, a1, "cpu") / rate(b0, b1, "cpu"), bRate: rate(b0, b1, "wall") };
}

/**
 * One pair: the same two processes, first A profiled and B not, then B profiled and A not.
 * With A/B's own speed ratio k (address-space layout alone moves it by several percent),
 * the two ratios are k(1-s) and (1/k)(1-s): their product is (1-s)², whatever k is.
 */
async function pairRun(natsUrl: string): Promise<PairRun> {
  const ta = tag();
  const tb = tag();
  const a = await twin(ta);
  const b = await twin(tb);
  const ratios: { wall: number; cpu: number; bRate: number }[] = [];
  try {
    for (const [profiled, other, t] of [
      [a, b, ta],
      [b, a, tb],
    ] as const) {
      const port = await freePort();
      const agent = await startAgentProcess(natsUrl, `--tag ${t}`, port);
      try {
        await agent.waitFor(new RegExp(`"targetPid":${String(profiled.pid)},[^\\n]*profiling pid`), 30_000);
        await sleep(1500);
        ratios.push(await measureRatio(profiled, other));
      } finally {
        await agent.stop();
      }
    }
  } finally {
    await a.stop();
    await b.stop();
  }
  const [r1, r2] = ratios as [(typeof ratios)[0], (typeof ratios)[0]];
  return { wall: 1 - Math.sqrt(r1.wall * r2.wall), cpu: 1 - Math.sqrt(r1.cpu * r2.cpu), unprofiledRate: r1.bRate };
}

interface ParseCost {
  bytes: number;
  samples: number;
  readerMs: number;
  floorMs: number;
}

/** The agent's reader as production runs it: the built one when there is one, else the sources. */
async function reader(): Promise<typeof readSpeedscope> {
  const dist = join(ROOT, "agent", "dist", "index.js");
  const mod = (existsSync(dist) ? await import(dist) : await import("@fleetprof/agent")) as { readSpeedscope: typeof readSpeedscope };
  return mod.readSpeedscope;
}

/** py-spy's output of 10 s of a workload at `rate`, read by the agent's reader and by JSON.parse. */
async function parseCost(rates: number[]): Promise<ParseCost[]> {
  const read = await reader();
  const w = await startWorkload("agent_throughput", { args: ["--duty", "0.5", "--tag", tag()] });
  const dir = tempDir("agent-bench-parse-");
  try {
    const files = await Promise.all(
      rates.map(
        (rate) =>
          new Promise<string>((resolve, reject) => {
            const file = join(dir, `${String(rate)}.json`);
            const args = [
              "record",
              "--pid",
              String(w.pid),
              "--rate",
              String(rate),
              "--duration",
              "10",
              "--nonblocking",
              "--format",
              "speedscope",
              "--output",
              file,
            ];
            const run = spawnTracked(pySpyPath(), args);
            void run.exited.then((code) => (code === 0 ? resolve(file) : reject(new Error(`py-spy exited ${String(code)}: ${run.stdout().slice(-500)}`))));
          }),
      ),
    );
    return files.map((file) => {
      const reader: number[] = [];
      const floor: number[] = [];
      let samples = 0;
      for (let i = 0; i < PARSE_RUNS; i++) {
        let t = performance.now();
        samples = read(file)?.total ?? 0;
        reader.push(performance.now() - t);
        t = performance.now();
        JSON.parse(readFileSync(file, "utf8"));
        floor.push(performance.now() - t);
      }
      return { bytes: statSync(file).size, samples, readerMs: median(reader), floorMs: median(floor) };
    });
  } finally {
    await w.stop();
  }
}

async function main(): Promise<void> {
  const ns = await startNats();
  try {
    console.log(
      `agent benchmark: ${String(PROCESSES)} processes at 100 Hz, ${String(WINDOW_MS / 1000)} s windows, ${String(RUNS)} runs; slowdown over ${String(PAIRS)} paired runs of ${String(MEASURE_SECONDS)} s`,
    );
    const cpu: CpuRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await cpuRun(ns.url);
      cpu.push(r);
      console.log(
        `  run ${String(i + 1)}: agent ${(r.agentPerProcess * 1000).toFixed(2)} ms/s per process, py-spy ${(r.pySpyPerProcess * 1000).toFixed(2)} ms/s per process, coverage ${pct(r.coverage)} (hand-over gap ${r.gapMs.toFixed(0)} ms), agent RSS ${r.rssMiB.toFixed(0)} MiB`,
      );
    }
    const [window, capture] = (await parseCost([100, 1000])) as [ParseCost, ParseCost];
    for (const [what, c] of [
      ["10 s window at 100 Hz", window],
      ["10 s capture at 1 kHz", capture],
    ] as const) {
      console.log(
        `  parse ${what}: ${(c.bytes / 1024).toFixed(0)} KiB, ${String(c.samples)} samples, reader ${c.readerMs.toFixed(2)} ms, JSON.parse ${c.floorMs.toFixed(2)} ms`,
      );
    }
    const pairs: PairRun[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const r = await pairRun(ns.url);
      pairs.push(r);
      console.log(
        `  pair ${String(i + 1)}: slowdown ${pct(r.wall)} per wall second, ${pct(r.cpu)} per CPU second (unprofiled twin ${r.unprofiledRate.toFixed(0)} chunks/s)`,
      );
    }
    const agentMs = median(cpu.map((r) => r.agentPerProcess)) * 1000;
    const pySpyMs = median(cpu.map((r) => r.pySpyPerProcess)) * 1000;
    const ratio = median(cpu.map((r) => r.agentPerProcess / r.pySpyPerProcess));
    const coverage = median(cpu.map((r) => r.coverage));
    const slowWall = median(pairs.map((r) => r.wall));
    const slowCpu = median(pairs.map((r) => r.cpu));
    console.log("\nbenchmark | figure | floor | ratio");
    console.log(
      `agent CPU per profiled process @100 Hz | ${agentMs.toFixed(2)} ms/s (${pct(agentMs / 1000)} of a core) | py-spy ${pySpyMs.toFixed(2)} ms/s | ${pct(ratio)} of py-spy (goal ≤ 10%)`,
    );
    console.log(
      `agent CPU per 10 s window per process @100 Hz | ${(agentMs * 10).toFixed(1)} ms | py-spy ${(pySpyMs * 10).toFixed(1)} ms | ${pct(ratio)} of py-spy`,
    );
    console.log(
      `parse one 10 s window @100 Hz (${(window.bytes / 1024).toFixed(0)} KiB) | ${window.readerMs.toFixed(2)} ms | JSON.parse ${window.floorMs.toFixed(2)} ms | ${pct(window.readerMs / window.floorMs)} of the floor`,
    );
    console.log(
      `parse one 10 s capture @1 kHz (${(capture.bytes / 1024).toFixed(0)} KiB) | ${capture.readerMs.toFixed(2)} ms | JSON.parse ${capture.floorMs.toFixed(2)} ms | ${pct(capture.readerMs / capture.floorMs)} of the floor`,
    );
    console.log(
      `coverage (ticks taken / expected) | ${pct(coverage)} (mean hand-over gap ${median(cpu.map((r) => r.gapMs)).toFixed(0)} ms) | 100% | goal ≥ 98%`,
    );
    console.log(`agent resident memory | ${median(cpu.map((r) => r.rssMiB)).toFixed(0)} MiB | — | —`);
    console.log(`workload slowdown, per wall second | ${pct(slowWall)} | unprofiled twin | goal ≤ 2%`);
    console.log(`workload slowdown, per CPU second | ${pct(slowCpu)} | unprofiled twin | goal ≤ 2%`);
  } finally {
    await ns.stop();
    await killAllTracked();
    removeTempDirs();
  }
}

await main();
