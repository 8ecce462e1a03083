import { describe, expect, it } from "vitest";
import { AgentMetrics } from "../metrics/agent-metrics.js";
import { noCuts, type PySpyOutput } from "../pyspy/output.js";
import { recordingLogger } from "../testing/recording-logger.js";
import { OutputAccounting } from "./output-accounting.js";
import type { BuiltProfile } from "./profile.js";

const built = (samples: number, samplesOverCap = 0): BuiltProfile => ({ profile: {} as BuiltProfile["profile"], samples, samplesOverCap });

function output(over: Partial<PySpyOutput>): PySpyOutput {
  return { frames: [], threads: [], total: 0, cuts: noCuts(), bytesRead: 0, ...over };
}

describe("accounting for py-spy's output", () => {
  it("counts kept samples and every kind of cut in the metrics", () => {
    const metrics = new AgentMetrics();
    const acc = new OutputAccounting(metrics, recordingLogger().log);
    acc.account(output({ cuts: { deepStacks: 2, framesCut: 90, names: 1, bytesSkipped: 4096, samplesDropped: 5 } }), built(120, 7), 42);
    expect([
      metrics.samples.get(),
      metrics.samplesCapped.get(),
      metrics.stacksTruncated.get({ reason: "depth" }),
      metrics.framesCut.get(),
      metrics.namesTruncated.get(),
      metrics.outputBytesSkipped.get(),
      metrics.samplesDropped.get(),
    ]).toEqual([120, 7, 2, 90, 1, 4096, 5]);
  });

  it("logs each kind of problem once with where it is counted, repeats at debug", () => {
    const metrics = new AgentMetrics();
    const { log, lines } = recordingLogger();
    const acc = new OutputAccounting(metrics, log);
    const bad = output({ problem: "truncated JSON", cuts: { ...noCuts(), deepStacks: 1 } });
    acc.account(bad, built(10, 3), 42);
    acc.account(bad, built(10, 3), 43);
    expect(metrics.parseErrors.get()).toBe(2);
    expect(lines.map((l) => [l.level, l.fields["targetPid"]])).toEqual([
      ["warn", 42],
      ["warn", 42],
      ["info", 42],
      ["debug", 43],
    ]);
    expect(lines[0]?.msg).toContain("fleetprof_agent_parse_errors_total");
    expect(lines[1]?.msg).toBe(
      "pid 42: py-spy's output counts more samples than the window's rate and length allow; 3 removed (fleetprof_agent_samples_capped_total)",
    );
    expect(lines[2]?.msg).toContain("deeper than 1024 frames");
  });
});
