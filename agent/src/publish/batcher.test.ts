import { create } from "@bufbuild/protobuf";
import { FORMAT_VERSION, ProcessProfileSchema, type SampleBatch } from "@fleetprof/proto";
import { describe, expect, it, vi } from "vitest";
import { Batcher } from "./batcher.js";

const noError = (err: unknown): never => {
  throw err;
};

describe("batcher", () => {
  it("puts the windows of one round into one batch per service, each with its own id", () => {
    const out: SampleBatch[] = [];
    const b = new Batcher("h1", "0.1.0", (x) => out.push(x), noError, 10_000);
    for (const [pid, service] of [
      [1, "api"],
      [2, "worker"],
      [3, "api"],
    ] as const)
      b.add(create(ProcessProfileSchema, { pid, service }));
    expect(out).toEqual([]);
    b.flush();
    expect(out.map((x) => [x.profiles.map((p) => p.pid), x.host, x.formatVersion, x.agentVersion])).toEqual([
      [[1, 3], "h1", FORMAT_VERSION, "0.1.0"],
      [[2], "h1", FORMAT_VERSION, "0.1.0"],
    ]);
    expect(new Set(out.map((x) => x.batchId)).size).toBe(2);
    b.flush();
    expect(out).toHaveLength(2);
  });

  it("flushes by itself shortly after the first window of a round", async () => {
    const out: SampleBatch[] = [];
    const b = new Batcher("h", "v", (x) => out.push(x), noError, 20);
    b.add(create(ProcessProfileSchema, { pid: 1, service: "s" }));
    await vi.waitUntil(() => out.length > 0, { timeout: 5000, interval: 5 });
    expect(out).toHaveLength(1);
  });

  it("never throws from its timer: a batch that cannot be emitted is reported and the others still go", async () => {
    const out: SampleBatch[] = [];
    const failed: [string, number[]][] = [];
    const emit = (x: SampleBatch): void => {
      if (x.profiles[0]?.service === "bad") throw new Error("one stack is larger than max_payload");
      out.push(x);
    };
    const b = new Batcher("h", "v", emit, (err, batch) => failed.push([(err as Error).message, batch.profiles.map((p) => p.pid)]), 20);
    for (const [pid, service] of [
      [1, "bad"],
      [2, "good"],
    ] as const)
      b.add(create(ProcessProfileSchema, { pid, service }));
    // An exception escaping the timer would fail this test as an uncaught error.
    await vi.waitUntil(() => out.length + failed.length === 2, { timeout: 5000, interval: 5 });
    expect(out.map((x) => x.profiles.map((p) => p.pid))).toEqual([[2]]);
    expect(failed).toEqual([["one stack is larger than max_payload", [1]]]);
  });
});
