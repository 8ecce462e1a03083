/**
 * The control endpoint with a real nats-server, real py-spy and real workloads, the agent
 * in-process: a 500 Hz capture published under its capture id with its completion on the done
 * subject, a dump across a blocked and two busy processes, status, and the refusals (dead pid,
 * too long, native with nonblocking, busy).
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createLogger } from "@fleetprof/common";
import {
  AgentStatusReplySchema,
  AgentStatusRequestSchema,
  CaptureReply_Status,
  CaptureReplySchema,
  CaptureRequestSchema,
  controlSubject,
  DumpReplySchema,
  DumpRequestSchema,
  ProfileMode,
  captureDoneSubject,
  type CaptureReply,
  type ProcessProfile,
} from "@fleetprof/proto";
import { pySpyPath, startNats, startWorkload, tempDir, type NatsServer, type Workload, waitUntil } from "@fleetprof/test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type AgentHandle } from "../src/index.js";
import { marker, readPublished, samplesIn } from "./helpers.js";

const stops: (() => Promise<void>)[] = [];
let ns: NatsServer;
let nc: NatsConnection;
let agent: AgentHandle;
let host: string;
let busy1: Workload;
let busy2: Workload;
let blocked: Workload;
let tag: string;

beforeAll(async () => {
  ns = await startNats();
  stops.push(ns.stop);
  tag = marker();
  // cpu_split's --seconds is the tag: a number, far beyond the test, that nothing else on the machine has.
  const cpuArgs = ["--alpha", "60", "--beta", "30", "--gamma", "10", "--seconds", tag];
  [busy1, busy2, blocked] = await Promise.all([
    startWorkload("cpu_split", { args: cpuArgs }),
    startWorkload("cpu_split", { args: cpuArgs }),
    startWorkload("blocked", { args: [tag] }),
  ]);
  for (const w of [busy1, busy2, blocked]) stops.push(() => w.stop());
  host = `test-${randomUUID().slice(0, 8)}`;
  agent = await startAgent(
    {
      natsUrl: ns.url,
      host,
      include: [tag],
      profileOwnChildren: true,
      interval: 500,
      minAge: 300,
      pySpy: pySpyPath(),
      spoolDir: tempDir("agent-spool-"),
      captureMaxConcurrent: 1,
    },
    createLogger({ level: "warn", format: "json" }),
  );
  stops.push(() => agent.stop());
  nc = await connect({ servers: ns.url });
  stops.push(() => nc.close());
  await waitUntil(
    "the three workloads profiled",
    () => (agent.status().processes.filter((p) => p.state === "running").length === 3 ? true : undefined),
    20_000,
  );
  // Subscriptions are made once the agent's NATS connection is up.
  await waitUntil("the control endpoint", async () => {
    try {
      await nc.request(controlSubject(host, "status"), toBinary(AgentStatusRequestSchema, create(AgentStatusRequestSchema)), { timeout: 1000 });
      return true;
    } catch {
      return undefined;
    }
  });
});

afterAll(async () => {
  for (const s of stops.reverse()) await s();
});

async function capture(init: Parameters<typeof create<typeof CaptureRequestSchema>>[1]): Promise<CaptureReply> {
  const m = await nc.request(controlSubject(host, "capture"), toBinary(CaptureRequestSchema, create(CaptureRequestSchema, init)), { timeout: 10_000 });
  return fromBinary(CaptureReplySchema, m.data);
}

describe("agent control endpoint", () => {
  it("captures one process at 500 Hz for 3 s, publishes it under the capture id and says when it is done; a second capture meanwhile is BUSY", async () => {
    const captureId = randomUUID();
    const done = nc.subscribe(captureDoneSubject(host, captureId), { max: 1 });
    const outcome = (async () => {
      for await (const m of done) return fromBinary(CaptureReplySchema, m.data);
      throw new Error("done subscription closed");
    })();
    const started = await capture({ captureId, pid: busy1.pid, durationMs: 3000, rateHz: 500, mode: ProfileMode.CPU });
    expect(started.status, started.message).toBe(CaptureReply_Status.STARTED);
    expect(started).toMatchObject({ captureId, host, pid: busy1.pid, rateHz: 500, durationMs: 3000, nonblocking: true, native: false });

    // capture-max-concurrent is 1 in this agent.
    const second = await capture({ captureId: randomUUID(), pid: busy2.pid, durationMs: 2000, rateHz: 100 });
    expect(second.status, second.message).toBe(CaptureReply_Status.BUSY);
    expect(second.message).toMatch(/capture-max-concurrent 1/);

    const result = await Promise.race([outcome, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no DONE within 40 s")), 40_000))]);
    expect(result.status, result.message).toBe(CaptureReply_Status.DONE);
    expect(result.captureId).toBe(captureId);

    // DONE is sent once JetStream has the samples: they are there now, tagged with the capture id.
    const profiles: ProcessProfile[] = (await readPublished(ns.url)).flatMap((p) => p.batch.profiles).filter((p) => p.captureId === captureId);
    expect(profiles).toHaveLength(1);
    const profile = profiles[0] as ProcessProfile;
    expect(profile.pid).toBe(busy1.pid);
    expect(profile.sampleRateHz).toBe(500);
    expect(profile.service).toBe("cpu_split");
    const main = profile.stacks.filter((s) => profile.strings[s.thread] === "MainThread").reduce((n, s) => n + Number(s.count), 0);
    const total = profile.stacks.reduce((n, s) => n + Number(s.count), 0);
    expect(BigInt(total)).toBe(result.samples);
    console.log(
      `capture: ${String(main)} MainThread samples of 1500 expected; alpha ${String(samplesIn([profile], "alpha"))} beta ${String(samplesIn([profile], "beta"))} gamma ${String(samplesIn([profile], "gamma"))}; ${result.message}`,
    );
    // py-spy --duration 3 stops after 3 × 500 ticks, however late it takes them, and the busy main thread is on a
    // CPU (or runnable) at every tick; what is missing are ticks at which a nonblocking read of the moving
    // interpreter failed (py-spy's sampling errors, a few per cent on this loaded 2-core machine). Bounds: 80%–100%.
    expect(main).toBeGreaterThanOrEqual(1200);
    expect(main).toBeLessThanOrEqual(1500);
    // The workload's functions, in its order of time: alpha (60%) > beta (30%) > gamma (10%).
    const [a, b, g] = ["alpha", "beta", "gamma"].map((fn) => samplesIn([profile], fn)) as [number, number, number];
    expect(a).toBeGreaterThan(b);
    expect(b).toBeGreaterThan(g);
    expect(g).toBeGreaterThan(0);
    expect(a + b + g).toBeGreaterThan(main * 0.9);
  });

  it("runs a native capture pausing the process (py-spy cannot read native stacks otherwise)", async () => {
    const captureId = randomUUID();
    const done = nc.subscribe(captureDoneSubject(host, captureId), { max: 1, timeout: 30_000 });
    const started = await capture({ captureId, pid: busy2.pid, durationMs: 1000, rateHz: 100, native: true });
    expect(started.status, started.message).toBe(CaptureReply_Status.STARTED);
    expect(started.nonblocking).toBe(false);
    expect(started.message).toMatch(/pausing the process at each sample/);
    let result: CaptureReply | undefined;
    for await (const m of done) result = fromBinary(CaptureReplySchema, m.data);
    expect(result?.status, result?.message).toBe(CaptureReply_Status.DONE);
    expect(result?.native).toBe(true);
    expect(Number(result?.samples)).toBeGreaterThan(0);
  });

  it("dumps every profiled process: the blocked one waits in wait_for_lock, the busy ones run their loop", async () => {
    const m = await nc.request(controlSubject(host, "dump"), toBinary(DumpRequestSchema, create(DumpRequestSchema, {})), { timeout: 15_000 });
    const reply = fromBinary(DumpReplySchema, m.data);
    expect(reply.host).toBe(host);
    expect(reply.error).toBe("");
    expect(reply.processes.map((p) => p.pid).sort()).toEqual([busy1.pid, busy2.pid, blocked.pid].sort());
    for (const p of reply.processes) expect(p.error, `pid ${String(p.pid)}`).toBe("");

    const b = reply.processes.find((p) => p.pid === blocked.pid);
    expect(b?.service).toBe("blocked");
    const mainThread = b?.threads.find((t) => t.name === "MainThread");
    // Root first, leaf last: <module> → main → wait_for_lock.
    expect(mainThread?.frames.map((f) => f.function)).toEqual(["<module>", "main", "wait_for_lock"]);
    expect(mainThread?.frames.at(-1)?.file).toMatch(/blocked\.py$/);
    expect(mainThread?.active).toBe(false);
    expect(b?.threads.find((t) => t.name === "holder")?.frames.at(0)?.function).toBe("_bootstrap");

    for (const w of [busy1, busy2]) {
      const p = reply.processes.find((x) => x.pid === w.pid);
      const t = p?.threads.find((x) => x.name === "MainThread");
      expect(t?.threadId).toBe(BigInt(w.pid));
      expect(t?.frames.slice(0, 2).map((f) => f.function)).toEqual(["<module>", "main"]);
    }
  });

  it("explains a dead pid in a dump and in a capture", async () => {
    const dead = spawnSync("true").pid;
    const m = await nc.request(controlSubject(host, "dump"), toBinary(DumpRequestSchema, create(DumpRequestSchema, { pids: [dead, blocked.pid] })), {
      timeout: 15_000,
    });
    const reply = fromBinary(DumpReplySchema, m.data);
    const gone = reply.processes.find((p) => p.pid === dead);
    expect(gone?.errorKind).toBe("gone");
    expect(gone?.error).toMatch(/does not exist/);
    expect(reply.processes.find((p) => p.pid === blocked.pid)?.threads.length).toBe(2);

    const r = await capture({ captureId: randomUUID(), pid: dead, durationMs: 1000, rateHz: 100 });
    expect(r.status).toBe(CaptureReply_Status.NOT_FOUND);
    expect(r.message).toContain(`pid ${String(dead)} is not a running Python process profiled by the agent on host ${host}`);
    expect(r.message).toContain(String(blocked.pid));
  });

  it("refuses a capture over the limits, without an id, and native with nonblocking, saying why", async () => {
    const long = await capture({ captureId: randomUUID(), pid: busy1.pid, durationMs: 120_000, rateHz: 100 });
    expect(long.status).toBe(CaptureReply_Status.FAILED);
    expect(long.message).toMatch(/duration 120s is over this agent's limit of 60s \(capture-max-duration\)/);
    const fast = await capture({ captureId: randomUUID(), pid: busy1.pid, durationMs: 1000, rateHz: 5000 });
    expect(fast.status).toBe(CaptureReply_Status.FAILED);
    expect(fast.message).toMatch(/rate 5000 Hz is over this agent's limit of 1000 Hz \(capture-max-rate\)/);
    const both = await capture({ captureId: randomUUID(), pid: busy1.pid, durationMs: 1000, native: true, nonblocking: true });
    expect(both.status).toBe(CaptureReply_Status.FAILED);
    expect(both.message).toMatch(/native and nonblocking cannot be combined/);
    const noId = await capture({ pid: busy1.pid, durationMs: 1000 });
    expect(noId.status).toBe(CaptureReply_Status.FAILED);
    expect(noId.message).toMatch(/capture_id is required/);
  });

  it("reports what it profiles and its capture limits", async () => {
    const m = await nc.request(controlSubject(host, "status"), toBinary(AgentStatusRequestSchema, create(AgentStatusRequestSchema)), { timeout: 5000 });
    const st = fromBinary(AgentStatusReplySchema, m.data);
    expect(st.host).toBe(host);
    expect(st.mode).toBe(ProfileMode.CPU);
    expect(st.processes.map((p) => p.pid).sort()).toEqual([busy1.pid, busy2.pid, blocked.pid].sort());
    expect(st.processes.every((p) => p.state === "running")).toBe(true);
    expect(st).toMatchObject({ captureMaxConcurrent: 1, captureMaxDurationMs: 60_000, captureMaxRateHz: 1000, natsConnected: true });
    // The two captures, the BUSY one and the refusals, counted.
    expect(agent.metricsText()).toMatch(/fleetprof_agent_captures_total\{outcome="done"\} 2\b/);
    expect(agent.metricsText()).toMatch(/fleetprof_agent_captures_total\{outcome="busy"\} 1\b/);
    expect(agent.metricsText()).toMatch(/fleetprof_agent_captures_total\{outcome="refused"\} 4\b/);
  });

  it("publishes what it sampled when the process exits during a capture", async () => {
    // Exits after 3 s; the tag hides in a negligible --gamma so that the agent's --include matches it.
    const short = await startWorkload("cpu_split", { args: ["--seconds", "3", "--gamma", `0.${tag}`] });
    stops.push(() => short.stop());
    await waitUntil("the short-lived process profiled", () => {
      agent.scanNow();
      return agent.status().processes.some((p) => p.pid === short.pid && p.state === "running") ? true : undefined;
    });
    const captureId = randomUUID();
    const done = nc.subscribe(captureDoneSubject(host, captureId), { max: 1, timeout: 30_000 });
    const started = await capture({ captureId, pid: short.pid, durationMs: 20_000, rateHz: 200 });
    expect(started.status, started.message).toBe(CaptureReply_Status.STARTED);
    let result: CaptureReply | undefined;
    for await (const m of done) result = fromBinary(CaptureReplySchema, m.data);
    expect(result?.status, result?.message).toBe(CaptureReply_Status.DONE);
    expect(result?.message).toMatch(/the process exited after .*: partial capture/);
    expect(Number(result?.samples)).toBeGreaterThan(0);
    expect(Number(result?.endUnixMs) - Number(result?.startUnixMs)).toBeLessThan(10_000);
  });

  it("answers only its own host's subjects", async () => {
    await expect(nc.request(controlSubject(`${host}-other`, "status"), new Uint8Array(), { timeout: 1000 })).rejects.toThrow(/no responders|timeout/i);
  });
});
