/**
 * Hostile input against the agent: Python processes a local user controls, naming their
 * functions, files and threads to make the profiler lie or choke, profiled by one real agent
 * (real py-spy, real nats-server with a 64 KiB max_payload) next to one honest process of the
 * same service. Every case shows that the agent is still up and publishing, that the honest
 * process's profile still arrives with its true shares and labels (in messages a collector with
 * default limits accepts), that the forged data is not there, and that what was cut is counted.
 */
import { readMetric } from "@fleetprof/common";
import { collectorOptions } from "@fleetprof/collector";
import { AGENT_LIMITS, encodeBatch, type ProcessProfile } from "@fleetprof/proto";
import { freePort, startNats, startWorkload, waitUntil, type NatsServer, type Workload } from "@fleetprof/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  agentArgs,
  marker,
  profilesOf,
  readPublished,
  samplesIn,
  spawnAgent,
  totalSamples,
  type AgentProcess,
  type Published,
} from "../../agent/test/helpers.js";

const MAX_PAYLOAD = 64 * 1024;
const RATE = 50;
const WINDOW_MS = 2000;
const COLLECTOR_MAX_DEPTH = collectorOptions["max-stack-depth"].default;
const COLLECTOR_MAX_STRING = collectorOptions["max-string-length"].default;

/** The hostile processes: workload arguments by case. */
const CASES = {
  forge: ["--case", "forge"],
  thread: ["--case", "thread"],
  deep: ["--case", "deep", "--depth", "2100"],
  tooDeep: ["--case", "deep", "--depth", "5000"],
  longname: ["--case", "longname"],
  hugename: ["--case", "hugename"],
  crafted: ["--case", "crafted"],
  wide: ["--case", "wide", "--depth", "40"],
} as const;
type Case = keyof typeof CASES;

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
});

let ns: NatsServer;
let agent: AgentProcess;
let good: Workload;
const hostile = {} as Record<Case, Workload>;
let published: Published[];
let metrics: string;
let metricsPort: number;

const fn = (p: ProcessProfile, frame: number): string => p.strings[p.frames[frame]?.function ?? -1] ?? "?";
const functions = (p: ProcessProfile): string[][] => p.stacks.map((s) => s.frameIds.map((f) => fn(p, f)));
const allProfiles = (): ProcessProfile[] => published.flatMap((m) => m.batch.profiles);
const metric = (name: string, labels?: Record<string, string>): number => readMetric(metrics, name, labels) ?? 0;

beforeAll(async () => {
  ns = await startNats({ config: `max_payload: ${String(MAX_PAYLOAD)}` });
  stops.push(ns.stop);
  const tag = marker();
  const env = { OTEL_SERVICE_NAME: "checkout", OTEL_RESOURCE_ATTRIBUTES: "service.version=1.5.2,team=payments" };
  good = await startWorkload("agent_split", { args: ["--alpha", "60", "--beta", "30", "--gamma", "10", "--tag", tag], env });
  stops.push(() => good.stop());
  // Same service as the honest process: before, one bad stack cost it the whole batch.
  for (const [name, args] of Object.entries(CASES) as [Case, readonly string[]][]) {
    hostile[name] = await startWorkload("hostile_names", { args: [...args, "--tag", tag], env });
    stops.push(() => hostile[name].stop());
  }
  metricsPort = await freePort();
  agent = spawnAgent(
    agentArgs(ns.url, `--tag ${tag}`, [
      "--window",
      `${String(WINDOW_MS / 1000)}s`,
      "--rate",
      String(RATE),
      "--metrics-port",
      String(metricsPort),
      "--metrics-host",
      "127.0.0.1",
    ]),
  );
  stops.push(() => agent.stop());
  const readable: Case[] = ["forge", "thread", "deep", "longname", "hugename", "crafted", "wide"];
  // 1000 samples of the honest process (≈ 20 s at 50 Hz), and some of every hostile one py-spy can read.
  published = await waitUntil(
    "the honest process's samples and every readable hostile process's",
    async () => {
      if (agent.proc.exitCode !== null) throw new Error(`the agent exited (${String(agent.proc.exitCode)}):\n${agent.stdout().slice(-3000)}`);
      const msgs = await readPublished(ns.url);
      const enough = totalSamples(profilesOf(msgs, good.pid)) >= 1000 && readable.every((c) => totalSamples(profilesOf(msgs, hostile[c].pid)) > 0);
      return enough ? msgs : undefined;
    },
    100_000,
    1000,
  );
  metrics = await (await fetch(`http://127.0.0.1:${String(metricsPort)}/metrics`)).text();
  const honest = profilesOf(published, good.pid);
  const total = totalSamples(honest);
  console.log(
    `honest process: ${String(total)} samples, ${["alpha", "beta", "gamma"].map((f) => `${f} ${(samplesIn(honest, f) / total).toFixed(3)}`).join(" ")}`,
  );
}, 150_000);

/** (a) and (b): the agent is up and publishing, and the honest process arrives whole. */
function honestProcessArrives(): void {
  expect(agent.proc.exitCode).toBeNull();
  expect(metric("fleetprof_agent_batches_published_total")).toBeGreaterThan(0);
  const profiles = profilesOf(published, good.pid);
  const total = totalSamples(profiles);
  const share = (f: string): number => samplesIn(profiles, f) / total;
  // ±0.12 around 60/30/10: binomial noise at ≥ 1000 samples is ≤ 0.016, but py-spy starved of CPU
  // by the hostile processes next to it takes late ticks back to back (see sampling.test.ts); we saw
  // alpha at 0.50–0.65 with the load average at 15–19.
  expect(share("alpha")).toBeGreaterThan(0.48);
  expect(share("alpha")).toBeLessThan(0.72);
  expect(share("beta")).toBeGreaterThan(0.18);
  expect(share("beta")).toBeLessThan(0.42);
  expect(share("gamma")).toBeLessThan(0.22);
  expect(share("alpha")).toBeGreaterThan(share("beta"));
  expect(share("beta")).toBeGreaterThan(share("gamma"));
  for (const p of profiles) {
    expect([p.service, p.version, p.labels["team"]]).toEqual(["checkout", "1.5.2", "payments"]);
    for (const names of functions(p)) expect(names[0]).toBe("<module>");
  }
  // Every message holding it is one a collector with default limits accepts.
  for (const m of published.filter((x) => x.batch.profiles.some((p) => p.pid === good.pid))) {
    expect(encodeBatch(m.batch).byteLength).toBeLessThanOrEqual(MAX_PAYLOAD);
    for (const p of m.batch.profiles) {
      for (const s of p.stacks) expect(s.frameIds.length).toBeLessThanOrEqual(COLLECTOR_MAX_DEPTH);
      for (const s of p.strings) expect(Buffer.byteLength(s, "utf8")).toBeLessThanOrEqual(COLLECTOR_MAX_STRING);
    }
  }
}

/** Stack counts a thread may reach in one window at the suite's rate (py-spy's Poisson ticks, with margin). */
const plausibleCount = (p: ProcessProfile): number => (RATE * Number(p.windowEndUnixMs - p.windowStartUnixMs)) / 1000 + 6 * Math.sqrt(RATE * 30) + 50;

describe("agent under hostile input", () => {
  it("keeps its limits strictly below the collector's", () => {
    expect(AGENT_LIMITS.maxStackDepth).toBeLessThan(COLLECTOR_MAX_DEPTH);
    expect(AGENT_LIMITS.maxStringBytes).toBeLessThan(COLLECTOR_MAX_STRING);
  });

  it("a function renamed with newlines forges no stack and no count (py-spy's raw format made it charge_card × 9 999 999)", () => {
    honestProcessArrives();
    for (const p of allProfiles()) {
      expect(p.strings.filter((s) => s === "charge_card" || s === "/app/pay.py")).toEqual([]);
      expect(p.stacks.filter((s) => s.threadId === 1n)).toEqual([]);
      for (const s of p.stacks) expect(Number(s.count)).toBeLessThan(plausibleCount(p));
    }
    // The name arrives as the one name it is.
    const forged = profilesOf(published, hostile.forge.pid);
    expect(
      forged.flatMap(functions).some((names) => names.some((n) => n.startsWith("x 1\nthread (1): y;charge_card") && n.endsWith("\nthread (1): z;w"))),
    ).toBe(true);
    expect(metric("fleetprof_agent_samples_capped_total")).toBe(0);
  });

  it("a thread name with newlines stays that thread's name", () => {
    honestProcessArrives();
    const threads = profilesOf(published, hostile.thread.pid).flatMap((p) => p.stacks.map((s) => [p.strings[s.thread], s.threadId]));
    expect(threads.length).toBeGreaterThan(0);
    for (const [name, id] of threads) {
      expect(name).toBe("t\nthread (1): y;charge_card (/app/pay.py:10) 9999999\nthread (1): z");
      expect(id).not.toBe(1n);
      expect(id).not.toBe(0n);
    }
  });

  it("a stack deeper than the collector takes is cut at the root end, the leaf kept, and counted", () => {
    honestProcessArrives();
    const profiles = profilesOf(published, hostile.deep.pid);
    const stacks = profiles.flatMap(functions);
    expect(stacks.length).toBeGreaterThan(0);
    for (const names of stacks) {
      expect(names.length).toBeLessThanOrEqual(AGENT_LIMITS.maxStackDepth);
      expect(names[0]).toMatch(/^\[… \d+ frames cut\]$/);
      expect(names.at(-1)).toBe("spin_forever");
    }
    expect(metric("fleetprof_agent_stacks_truncated_total", { reason: "depth" })).toBeGreaterThan(0);
    expect(metric("fleetprof_agent_frames_cut_total")).toBeGreaterThan(1000);
  });

  it("a process too deep for py-spy to read is reported, not fatal", async () => {
    honestProcessArrives();
    expect(profilesOf(published, hostile.tooDeep.pid)).toEqual([]);
    // py-spy refuses it (its own limit is 4 096 frames); the agent says so and retries later.
    await waitUntil(
      "a warning about the process py-spy cannot read",
      () => agent.logs().some((l) => l["targetPid"] === hostile.tooDeep.pid && l.level >= 40),
      30_000,
    ).catch((err: unknown) => {
      console.log(
        agent
          .logs()
          .filter((l) => JSON.stringify(l).includes(String(hostile.tooDeep.pid)))
          .map((l) => `${String(l.level)} ${l.msg}`)
          .join("\n")
          .slice(0, 3000),
      );
      throw err;
    });
    metrics = await (await fetch(`http://127.0.0.1:${String(metricsPort)}/metrics`)).text();
    expect(metric("fleetprof_agent_py_spy_errors_total", { kind: "unsupported" })).toBeGreaterThan(0);
  });

  it("names longer than the collector takes are cut to the agent's byte limit and counted", () => {
    honestProcessArrives();
    const profiles = profilesOf(published, hostile.longname.pid);
    const strings = profiles.flatMap((p) => p.strings);
    for (const s of strings) expect(Buffer.byteLength(s, "utf8")).toBeLessThanOrEqual(AGENT_LIMITS.maxStringBytes);
    expect(strings.some((s) => s.startsWith("\u{1d4bb}\u{1d4bb}") && s.endsWith("…"))).toBe(true);
    expect(strings.some((s) => s.startsWith("/tmp/\u00e9") && s.endsWith("…"))).toBe(true);
    expect(strings.some((s) => s.startsWith("\u00fc\u00fc") && s.endsWith("…"))).toBe(true);
    expect(metric("fleetprof_agent_names_truncated_total")).toBeGreaterThanOrEqual(3);
  });

  it("a 100 000-character name (py-spy does not copy it) leaves the rest of the stack", () => {
    honestProcessArrives();
    const stacks = profilesOf(published, hostile.hugename.pid).flatMap(functions);
    expect(stacks.some((names) => names.includes("busy_leaf"))).toBe(true);
    for (const names of stacks) for (const n of names) expect(n.length).toBeLessThan(AGENT_LIMITS.maxStringBytes);
  });

  it("names built to make a parser backtrack cost nothing: windows keep their length", () => {
    honestProcessArrives();
    const crafted = " (x);".repeat(819);
    const stacks = profilesOf(published, hostile.crafted.pid).flatMap(functions);
    expect(stacks.some((names) => names.filter((n) => n === crafted).length === 81)).toBe(true);
    // A parse taking seconds would hold up every window boundary (the former parser: 47 s per window).
    const windows = profilesOf(published, good.pid).slice(1, -1);
    expect(windows.length).toBeGreaterThan(3);
    // (five windows' length allows for boundary timers late on a loaded machine: the full suite
    // saw a 6.2 s window of 2 s; the former parser's 47 s is far past it)
    for (const p of windows) expect(Number(p.windowEndUnixMs - p.windowStartUnixMs)).toBeLessThan(5 * WINDOW_MS);
  });

  it("a stack larger than max_payload is cut to fit instead of crashing the agent", () => {
    honestProcessArrives();
    for (const m of published) expect(encodeBatch(m.batch).byteLength).toBeLessThanOrEqual(MAX_PAYLOAD);
    const stacks = profilesOf(published, hostile.wide.pid).flatMap(functions);
    expect(stacks.some((names) => /^\[… \d+ frames cut\]$/.test(names[0] ?? "") && names.at(-1) === "spin_forever")).toBe(true);
    expect(metric("fleetprof_agent_stacks_truncated_total", { reason: "payload" })).toBeGreaterThan(0);
    expect(metric("fleetprof_agent_batch_errors_total")).toBe(0);
  });
});
