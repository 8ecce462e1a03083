import type { ProcessProfile } from "@fleetprof/proto";
import { ProfileMode } from "@fleetprof/proto";
import { describe, expect, it } from "vitest";
import { AgentMetrics } from "../metrics/agent-metrics.js";
import { noCuts, type PySpyOutput } from "../pyspy/output.js";
import type { PySpyResult } from "../pyspy/run.js";
import { recordingLogger } from "../testing/recording-logger.js";
import { OutputAccounting } from "./output-accounting.js";
import type { EndedWindow, SamplerTarget } from "./process-sampler.js";
import { WindowAccounting, windowTicks } from "./window-accounting.js";

const target: SamplerTarget = {
  key: "7:1",
  pid: 7,
  uid: 0,
  user: "root",
  startUnixMs: 5_000,
  service: "billing",
  version: "1.2",
  labels: { env: "prod" },
  labelsTruncated: 2,
};

function output(count: number): PySpyOutput {
  return {
    frames: [{ name: "work", file: "/app/w.py", line: 3 }],
    threads: [{ threadId: 7n, name: "MainThread", stacks: [{ frames: [0], cut: 0, count }] }],
    total: count,
    cuts: noCuts(),
    bytesRead: 100,
  };
}

function window(over: Partial<EndedWindow>, result: Partial<PySpyResult> = {}): EndedWindow {
  return {
    target,
    startMs: 10_000,
    endMs: 20_000,
    outcome: "complete",
    result: { end: "stopped", output: output(900), recorded: 900, errors: 0, startedAt: 10_300, stopRequestedAt: 20_000, endedAt: 20_020, ...result },
    ...over,
  };
}

function harness(): {
  accounting: WindowAccounting;
  metrics: AgentMetrics;
  emitted: ProcessProfile[];
  recovered: string[];
  sampler: { lastCoverage: number | undefined };
} {
  const metrics = new AgentMetrics();
  const emitted: ProcessProfile[] = [];
  const recovered: string[] = [];
  const sampler = { lastCoverage: undefined as number | undefined };
  const accounting = new WindowAccounting({
    rateHz: 100,
    mode: "cpu",
    metrics,
    output: new OutputAccounting(metrics, recordingLogger().log),
    samplers: new Map([[target.key, sampler]]),
    recovered: (key) => recovered.push(key),
    emit: (p) => emitted.push(p),
  });
  return { accounting, metrics, emitted, recovered, sampler };
}

describe("window accounting", () => {
  it("counts the ticks from py-spy's first sample to the window's end against rate × length", () => {
    expect(windowTicks(100, window({}))).toEqual({ expected: 1000, ticks: 970 });
    expect(windowTicks(100, window({}, { startedAt: 9_000 }))).toEqual({ expected: 1000, ticks: 1000 });
    expect(windowTicks(100, window({}, { startedAt: undefined }))).toEqual({ expected: 1000, ticks: 0 });
  });

  it("publishes a complete window as the process's profile and keeps its coverage on the sampler", () => {
    const h = harness();
    h.accounting.onWindow(window({}));
    expect(h.emitted).toHaveLength(1);
    const p = h.emitted[0] as ProcessProfile;
    expect([p.pid, p.service, p.version, p.labels, p.mode, p.sampleRateHz]).toEqual([7, "billing", "1.2", { env: "prod" }, ProfileMode.CPU, 100]);
    expect([p.windowStartUnixMs, p.windowEndUnixMs, p.processStartUnixMs, p.labelsTruncated]).toEqual([10_000n, 20_000n, 5_000n, 2]);
    // 900 samples over 970 of 1000 ticks: expected_samples scales them to the whole window.
    expect(p.expectedSamples).toBe(928n);
    expect(h.sampler.lastCoverage).toBe(0.97);
    expect(h.recovered).toEqual([target.key]);
    expect([
      h.metrics.windows.get({ outcome: "complete" }),
      h.metrics.ticks.get(),
      h.metrics.ticksExpected.get(),
      h.metrics.samples.get(),
      h.metrics.labelsTruncated.get(),
    ]).toEqual([1, 970, 1000, 900, 2]);
  });

  it("counts a lost window (coverage included) but publishes nothing and does not reset the backoff", () => {
    const h = harness();
    h.accounting.onWindow(window({ outcome: "lost" }, { end: "failed", output: undefined, errors: 3 }));
    expect(h.emitted).toEqual([]);
    expect(h.recovered).toEqual([]);
    expect(h.sampler.lastCoverage).toBe(0.97);
    expect([h.metrics.windows.get({ outcome: "lost" }), h.metrics.samplerErrors.get(), h.metrics.ticksExpected.get(), h.metrics.samples.get()]).toEqual([
      1, 3, 1000, 0,
    ]);
  });

  it("publishes a partial window (process exited) without resetting the backoff", () => {
    const h = harness();
    h.accounting.onWindow(window({ outcome: "partial", endMs: 14_000 }, { end: "process-exited" }));
    expect(h.emitted.map((p) => p.windowEndUnixMs)).toEqual([14_000n]);
    expect(h.recovered).toEqual([]);
    expect(h.sampler.lastCoverage).toBe(0.925);
  });
});
