import { create } from "@bufbuild/protobuf";
import { AgentStatusReplySchema, CaptureReply_Status, CaptureReplySchema, CaptureRequestSchema, DumpReplySchema, DumpRequestSchema } from "@fleetprof/proto";
import { describe, expect, it } from "vitest";
import { AgentMetrics } from "../metrics/agent-metrics.js";
import type { SamplerTarget } from "../sampling/process-sampler.js";
import { captureLimits, controlHandlers, findTarget, profiledTargets, type TargetSampler } from "./control-endpoint.js";

const target = (pid: number): SamplerTarget => ({
  key: `${String(pid)}:1`,
  pid,
  uid: 0,
  user: "root",
  startUnixMs: 0,
  service: "s",
  version: "v",
  labels: {},
  labelsTruncated: 0,
});

describe("control requests", () => {
  it("counts every request by verb, and a capture answered at once by its outcome (DONE is counted when it ends)", async () => {
    const metrics = new AgentMetrics();
    const answers = [CaptureReply_Status.NOT_FOUND, CaptureReply_Status.BUSY, CaptureReply_Status.FAILED, CaptureReply_Status.STARTED];
    const h = controlHandlers({
      metrics,
      captures: { handle: () => create(CaptureReplySchema, { status: answers.shift() ?? CaptureReply_Status.STARTED }) },
      dump: async () => create(DumpReplySchema, { host: "h" }),
      status: () => create(AgentStatusReplySchema, { host: "h" }),
    });
    const statuses = [0, 1, 2, 3].map(() => h.capture(create(CaptureRequestSchema, { captureId: "c" })).status);
    expect(statuses).toEqual([CaptureReply_Status.NOT_FOUND, CaptureReply_Status.BUSY, CaptureReply_Status.FAILED, CaptureReply_Status.STARTED]);
    expect((await h.dump(create(DumpRequestSchema, {}))).host).toBe("h");
    expect(h.status().host).toBe("h");
    h.status();
    expect(["capture", "dump", "status"].map((verb) => metrics.controlRequests.get({ verb }))).toEqual([4, 1, 2]);
    expect(["not_found", "busy", "refused", "done", "failed"].map((outcome) => metrics.captures.get({ outcome }))).toEqual([1, 1, 1, 0, 0]);
  });

  it("finds a capture's target only among live processes it profiles, and dumps only those", () => {
    const samplers = new Map<string, TargetSampler>([
      ["1:1", { target: target(1), state: "running" }],
      ["2:1", { target: target(2), state: "backoff" }],
      ["3:1", { target: target(3), state: "finished" }],
      ["4:1", { target: target(4), state: "running" }],
    ]);
    const alive = (t: SamplerTarget): boolean => t.pid !== 4;
    expect([1, 2, 3, 4, 5].map((pid) => findTarget(samplers, pid, alive)?.pid)).toEqual([1, 2, undefined, undefined, undefined]);
    expect(profiledTargets(samplers).map((t) => t.pid)).toEqual([1, 2, 4]);
  });

  it("takes the capture limits from the agent's options", () => {
    const config = {
      host: "h",
      captureMaxDuration: 60_000,
      captureMaxRate: 1000,
      captureMaxConcurrent: 2,
      pySpyDeadline: 10_000,
      pySpyMaxMemory: 1,
      dumpDeadline: 5000,
      procDir: "/proc",
    };
    expect(captureLimits(config)).toEqual({ maxDurationMs: 60_000, maxRateHz: 1000, maxConcurrent: 2 });
  });
});
