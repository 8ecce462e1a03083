import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ProcessProfileSchema, SampleBatchSchema, type SampleBatch } from "./gen/fleetprof/v1/samples_pb.js";
import { decodeBatch, encodeBatch, FORMAT_VERSION, splitBatch } from "./wire.js";
import { samplesSubject, subjectToken } from "./subjects.js";

function bigBatch(stacksPerProfile: number, profiles: number): SampleBatch {
  return create(SampleBatchSchema, {
    batchId: "b1",
    host: "h",
    formatVersion: FORMAT_VERSION,
    profiles: Array.from({ length: profiles }, (_, p) =>
      create(ProcessProfileSchema, {
        pid: 100 + p,
        service: "svc",
        strings: ["main", "app.py", "MainThread", ...Array.from({ length: stacksPerProfile }, (_, i) => `fn_${String(p)}_${String(i)}_${"x".repeat(40)}`)],
        frames: [{ function: 0, file: 1, line: 1 }, ...Array.from({ length: stacksPerProfile }, (_, i) => ({ function: 3 + i, file: 1, line: i }))],
        stacks: Array.from({ length: stacksPerProfile }, (_, i) => ({ frameIds: [0, 1 + i], thread: 2, count: BigInt(i + 1) })),
      }),
    ),
  });
}

function totalCount(batches: SampleBatch[]): bigint {
  let t = 0n;
  for (const b of batches) for (const p of b.profiles) for (const s of p.stacks) t += s.count;
  return t;
}

describe("wire codec", () => {
  it("round-trips a batch through gzip", () => {
    const b = bigBatch(10, 2);
    const back = decodeBatch(encodeBatch(b));
    expect(back.profiles).toHaveLength(2);
    expect(totalCount([back])).toBe(55n * 2n);
  });

  it("rejects an unknown format version and garbage with a reason", () => {
    const b = create(SampleBatchSchema, { batchId: "x", formatVersion: 99 });
    expect(() => decodeBatch(encodeBatch(b))).toThrow(/unknown format version 99/);
    expect(() => decodeBatch(new Uint8Array([1, 2, 3]))).toThrow();
    expect(() => decodeBatch(new Uint8Array([1]), "br")).toThrow(/unknown content encoding/);
  });

  it("keeps a small batch whole", () => {
    const parts = splitBatch(bigBatch(5, 1), 1 << 20);
    expect(parts).toHaveLength(1);
    expect(parts[0]?.batchId).toBe("b1");
  });

  it("splits a large batch under the limit without losing or doubling a sample", () => {
    // Random-ish names so gzip cannot squeeze them below the limit.
    const b = bigBatch(4000, 3);
    for (const p of b.profiles) p.strings = p.strings.map((s, i) => (i < 3 ? s : `${s}_${Math.random().toString(36)}`));
    const limit = 64 * 1024;
    const parts = splitBatch(b, limit);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(encodeBatch(part).byteLength).toBeLessThanOrEqual(limit);
    expect(totalCount(parts)).toBe(totalCount([b]));
    expect(new Set(parts.map((p) => p.batchId)).size).toBe(parts.length);
    // every stack still resolves to the same function names
    const names = (bs: SampleBatch[]): string[] =>
      bs.flatMap((x) => x.profiles.flatMap((p) => p.stacks.map((s) => s.frameIds.map((f) => p.strings[p.frames[f]?.function ?? -1]).join(";")))).sort();
    expect(names(parts)).toEqual(names([b]));
  });

  it("makes subjects from any service or host name", () => {
    expect(subjectToken("my.service *>")).toBe("my_service___");
    expect(subjectToken("")).toBe("_");
    expect(samplesSubject("api", "host-1.example.com")).toBe("fleetprof.samples.api.host-1_example_com");
  });
});
