import { create, toBinary } from "@bufbuild/protobuf";
import { ProfileMode, SampleBatchSchema, StackSchema } from "@fleetprof/proto";
import { describe, expect, it } from "vitest";
import { makeBatch, makeProfile } from "../../test/batches.js";
import { hashString } from "@fleetprof/store";
import { decodeSampleBatch, LimitError } from "./sample-batch.js";

const limits = { maxStackDepth: 2048, maxLabels: 32, maxStringLength: 4096 };

describe("decodeSampleBatch", () => {
  it("reads what protobuf-es writes, field for field", () => {
    const b = makeBatch("batch-1", "host-a", [
      makeProfile({ service: "api", version: "1.4", pid: 42, windowStartUnixMs: 1_764_072_000_123, stacks: 40, labels: { region: "eu", "k ü": "v✓" } }),
      makeProfile({ service: "db", version: "", pid: 7, windowStartUnixMs: 1_764_072_010_000, stacks: 3 }),
      makeProfile({ service: "big", version: "2", pid: 8, windowStartUnixMs: 1_764_072_010_000, stacks: 1500 }),
    ]);
    b.profiles[0]!.captureId = "cap-1";
    b.profiles[0]!.strings.push("naïve_ünïcode_函数", "");
    b.profiles[0]!.mode = ProfileMode.GIL;
    b.profiles[1]!.stacks[0]!.count = 2n ** 40n;
    b.profiles[1]!.stacks[0]!.threadId = 123_456n;
    const d = decodeSampleBatch(Buffer.from(toBinary(SampleBatchSchema, b)), limits);
    expect(d.batchId).toBe("batch-1");
    expect(d.host).toBe("host-a");
    expect(d.formatVersion).toBe(b.formatVersion);
    expect(d.parts).toBe(1);
    expect(d.profiles).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      const want = b.profiles[i]!;
      const got = d.profiles[i]!;
      expect(got.pid).toBe(want.pid);
      expect(got.service).toBe(want.service);
      expect(got.version).toBe(want.version);
      expect(got.labels).toEqual(want.labels);
      expect(got.modeValue).toBe(want.mode);
      expect(got.windowStartUnixMs).toBe(Number(want.windowStartUnixMs));
      expect(got.windowEndUnixMs).toBe(Number(want.windowEndUnixMs));
      expect(Array.from({ length: got.strings.length }, (_, k) => got.strings.get(k))).toEqual(want.strings);
      const h = new Uint32Array(2);
      want.strings.forEach((str, k) => {
        hashString(str, h, 0);
        expect([got.strings.hashes[k * 2], got.strings.hashes[k * 2 + 1]]).toEqual([h[0], h[1]]);
      });
      expect([...got.frames.data]).toEqual(want.frames.flatMap((f) => [f.function, f.file, f.line]));
      expect(got.frames.length).toBe(want.frames.length);
      const st = got.stacks;
      const rowsGot = Array.from({ length: st.length }, (_, k) => [[...st.frames.subarray(st.start[k], st.start[k + 1])], st.thread[k], st.count[k]]);
      expect(rowsGot).toEqual(want.stacks.map((s) => [s.frameIds, s.thread, Number(s.count)]));
      expect(st.maxFrame).toBe(Math.max(-1, ...want.stacks.flatMap((s) => s.frameIds)));
      expect(got.captureId).toBe(want.captureId);
    }
    expect(d.profiles[0]!.mode).toBe("gil");
  });

  it("refuses hostile input while decoding", () => {
    const deep = makeBatch("d", "h", [makeProfile({ service: "s", version: "1", pid: 1, windowStartUnixMs: 1_764_072_000_000, stacks: 1 })]);
    deep.profiles[0]!.stacks = [create(StackSchema, { frameIds: Array.from({ length: 10_000 }, () => 0), count: 1n })];
    expect(() => decodeSampleBatch(Buffer.from(toBinary(SampleBatchSchema, deep)), limits)).toThrow(LimitError);
    const labels = makeBatch("l", "h", [makeProfile({ service: "s", version: "1", pid: 1, windowStartUnixMs: 1, labels: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${String(i)}`, "v"])) })]);
    expect(() => decodeSampleBatch(Buffer.from(toBinary(SampleBatchSchema, labels)), limits)).toThrow(/more than 32 labels/);
    const big = makeBatch("b", "h", [makeProfile({ service: "x".repeat(5000), version: "1", pid: 1, windowStartUnixMs: 1 })]);
    expect(() => decodeSampleBatch(Buffer.from(toBinary(SampleBatchSchema, big)), limits)).toThrow(/5000 characters/);
    const bytes = toBinary(SampleBatchSchema, makeBatch("t", "h", [makeProfile({ service: "s", version: "1", pid: 1, windowStartUnixMs: 1 })]));
    expect(() => decodeSampleBatch(Buffer.from(bytes.subarray(0, bytes.length - 7)), limits)).toThrow();
    expect(() => decodeSampleBatch(Buffer.from([0xff, 0xff, 0xff]), limits)).toThrow();
  });
});
