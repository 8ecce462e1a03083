import { ProfileMode } from "@fleetprof/proto";
import { describe, expect, it } from "vitest";
import { AGENT_VERSION } from "../version.js";
import { agentStatus, type StatusSampler, type StatusSource } from "./agent-status.js";
import { statusReply } from "./status-reply.js";

const sampler = (pid: number, state: StatusSampler["state"], lastCoverage: number | undefined, windows: number): StatusSampler => ({
  target: {
    key: `${String(pid)}:9`,
    pid,
    uid: 0,
    user: "root",
    startUnixMs: 1_700_000_000_123,
    service: "billing",
    version: "2.0",
    labels: { env: "prod" },
    labelsTruncated: 0,
  },
  state,
  lastCoverage,
  windows,
});

function source(): StatusSource & { samplers: Map<string, StatusSampler> } {
  const samplers = new Map([
    ["10:9", sampler(10, "running", 0.98, 12)],
    ["11:9", sampler(11, "backoff", undefined, 0)],
  ]);
  return {
    host: "web-1",
    mode: "wall",
    pySpy: () => "/usr/bin/py-spy",
    natsConnected: () => true,
    spool: () => ({ messages: 3, bytes: 900, dropped: 0 }),
    samplers,
    capturesRunning: () => 1,
  };
}

describe("agent status", () => {
  it("shows host, mode, py-spy, NATS, spool and every process with its coverage", () => {
    const st = agentStatus(source());
    expect({ ...st, processes: undefined }).toEqual({
      host: "web-1",
      agentVersion: AGENT_VERSION,
      mode: ProfileMode.WALL,
      pySpy: "/usr/bin/py-spy",
      natsConnected: true,
      spool: { messages: 3, bytes: 900, dropped: 0 },
      processes: undefined,
      capturesRunning: 1,
    });
    expect(st.processes).toEqual([
      { pid: 10, key: "10:9", service: "billing", version: "2.0", labels: { env: "prod" }, state: "running", coverage: 0.98, windows: 12 },
      { pid: 11, key: "11:9", service: "billing", version: "2.0", labels: { env: "prod" }, state: "backoff", coverage: undefined, windows: 0 },
    ]);
  });

  it("is read anew each time: a process found later shows up", () => {
    const src = source();
    expect(agentStatus(src).processes).toHaveLength(2);
    src.samplers.set("12:9", sampler(12, "running", undefined, 0));
    expect(agentStatus(src).processes.map((p) => p.pid)).toEqual([10, 11, 12]);
  });
});

describe("status reply", () => {
  it("answers with each process's start time, coverage 0 before its first window, and the capture limits", () => {
    const reply = statusReply(source(), { maxDurationMs: 60_000, maxRateHz: 1000, maxConcurrent: 2 });
    expect([reply.host, reply.agentVersion, reply.mode, reply.natsConnected, reply.capturesRunning]).toEqual([
      "web-1",
      AGENT_VERSION,
      ProfileMode.WALL,
      true,
      1,
    ]);
    expect([reply.captureMaxConcurrent, reply.captureMaxDurationMs, reply.captureMaxRateHz]).toEqual([2, 60_000, 1000]);
    expect(reply.processes.map((p) => [p.pid, p.state, p.coverage, p.windows, p.processStartUnixMs, p.labels])).toEqual([
      [10, "running", 0.98, 12, 1_700_000_000_123n, { env: "prod" }],
      [11, "backoff", 0, 0, 1_700_000_000_123n, { env: "prod" }],
    ]);
  });
});
