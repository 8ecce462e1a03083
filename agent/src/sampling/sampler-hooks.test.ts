import { FakeClock } from "@fleetprof/common/clock.fake";
import { describe, expect, it } from "vitest";
import { AgentMetrics } from "../metrics/agent-metrics.js";
import type { FailureKind } from "../pyspy/failure.js";
import type { PySpyRun, PySpyRunOptions } from "../pyspy/run.js";
import { recordingLogger } from "../testing/recording-logger.js";
import type { SamplerTarget } from "./process-sampler.js";
import { samplerHooks } from "./sampler-hooks.js";

const target: SamplerTarget = { key: "7:1", pid: 7, uid: 1000, user: "app", startUnixMs: 0, service: "billing", version: "1", labels: {}, labelsTruncated: 0 };

function harness(): {
  hooks: ReturnType<typeof samplerHooks>;
  runs: [PySpyRunOptions, boolean][];
  locator: { path: string | undefined; lost: () => void };
  reported: FailureKind[];
  metrics: AgentMetrics;
  lines: ReturnType<typeof recordingLogger>["lines"];
} {
  const runs: [PySpyRunOptions, boolean][] = [];
  const reported: FailureKind[] = [];
  const metrics = new AgentMetrics();
  const { log, lines } = recordingLogger();
  let seq = 0;
  const locator = {
    path: "/opt/bin/py-spy" as string | undefined,
    lost(): void {
      this.path = undefined;
    },
  };
  const hooks = samplerHooks({
    config: { rate: 100, nonblocking: true, pySpyDeadline: 10_000, pySpyMaxMemory: 256 << 20 },
    mode: "gil",
    locator,
    files: { window: (pid) => `/tmp/w/${String(pid)}-${String(++seq)}.json` },
    onWindow: () => undefined,
    failures: {
      report: (_t, kind, _d, backoff) => {
        reported.push(kind);
        return backoff ? 30_000 : 0;
      },
    },
    alive: () => true,
    metrics,
    log,
    clock: new FakeClock(),
    newRun: (options, gated) => {
      runs.push([options, gated]);
      return {} as PySpyRun;
    },
  });
  return { hooks, runs, locator, reported, metrics, lines };
}

describe("sampler hooks", () => {
  it("starts each run with the py-spy found, the agent's rate, mode and limits, and a fresh output file", () => {
    const h = harness();
    h.hooks.startRun(7, true);
    h.hooks.startRun(7, false);
    expect(h.runs).toEqual([
      [
        {
          pySpy: "/opt/bin/py-spy",
          pid: 7,
          rate: 100,
          mode: "gil",
          nonblocking: true,
          outputPath: "/tmp/w/7-1.json",
          deadlineMs: 10_000,
          maxMemoryBytes: 256 << 20,
        },
        true,
      ],
      [
        {
          pySpy: "/opt/bin/py-spy",
          pid: 7,
          rate: 100,
          mode: "gil",
          nonblocking: true,
          outputPath: "/tmp/w/7-2.json",
          deadlineMs: 10_000,
          maxMemoryBytes: 256 << 20,
        },
        false,
      ],
    ]);
  });

  it("makes discovery look for py-spy again when a run finds it not installed, and returns the backoff", () => {
    const h = harness();
    expect(h.hooks.onFailure(target, "permission", "Permission Denied", true)).toBe(30_000);
    expect(h.locator.path).toBe("/opt/bin/py-spy");
    expect(h.hooks.onFailure(target, "not-installed", "ENOENT", true)).toBe(30_000);
    expect(h.locator.path).toBeUndefined();
    expect(h.reported).toEqual(["permission", "not-installed"]);
    h.hooks.startRun(7, false);
    expect(h.runs[0]?.[0].pySpy).toBe("py-spy");
  });

  it("counts hand-over gaps in seconds and logs an internal error with its pid", () => {
    const h = harness();
    h.hooks.onGap(250);
    h.hooks.onGap(50);
    expect([h.metrics.windowGapSeconds.get(), h.metrics.windowGaps.get()]).toEqual([0.3, 2]);
    h.hooks.onError(target, new TypeError("x is undefined"));
    expect(h.lines.map((l) => [l.level, l.msg, l.fields["targetPid"]])).toEqual([["error", "internal error handling a window of pid 7: x is undefined", 7]]);
  });
});
