import { create } from "@bufbuild/protobuf";
import { FORMAT_VERSION, ProcessProfileSchema, type SampleBatch } from "@fleetprof/proto";
import { describe, expect, it } from "vitest";
import { Batcher } from "./batcher.js";

describe("batcher", () => {
  it("puts the windows of one round into one batch per service, each with its own id", () => {
    const out: SampleBatch[] = [];
    const b = new Batcher("h1", "0.1.0", (x) => out.push(x), 10_000);
    for (const [pid, service] of [[1, "api"], [2, "worker"], [3, "api"]] as const) b.add(create(ProcessProfileSchema, { pid, service }));
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
    const b = new Batcher("h", "v", (x) => out.push(x), 20);
    b.add(create(ProcessProfileSchema, { pid: 1, service: "s" }));
    await new Promise((r) => setTimeout(r, 60));
    expect(out).toHaveLength(1);
  });
});
