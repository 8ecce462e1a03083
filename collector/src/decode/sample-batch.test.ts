import { create, ScalarType, toBinary } from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { DEFAULT_BATCH_LIMITS, FrameSchema, ProcessProfileSchema, ProfileMode, SampleBatchSchema, StackSchema } from "@fleetprof/proto";
import { describe, expect, it } from "vitest";
import { makeBatch, makeProfile } from "../../test/batches.js";
import { hashString } from "@fleetprof/store";
import { decodeSampleBatch, LimitError } from "./sample-batch.js";

const limits = { ...DEFAULT_BATCH_LIMITS, maxStackDepth: 2048, maxLabels: 32, maxStringLength: 4096 };

/** The LimitError (reason, message) decoding `b` throws under `l`. */
function refusal(b: ReturnType<typeof makeBatch> | Buffer, l = limits): { reason: string; message: string } {
  try {
    decodeSampleBatch(Buffer.isBuffer(b) ? b : Buffer.from(toBinary(SampleBatchSchema, b)), l);
  } catch (err) {
    if (err instanceof LimitError) return { reason: err.reason, message: err.message };
    throw err;
  }
  throw new Error("decoded without a LimitError");
}

const T = 1_764_072_000_000;

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

  it("reads every single field samples.proto gives a batch and a profile", () => {
    const b = makeBatch("every", "host-e", [makeProfile({ service: "api", version: "1.4", pid: 42, windowStartUnixMs: T, stacks: 2 })]);
    let n = 1000;
    // a distinct value in every scalar and enum field the descriptors list (a field added to samples.proto is set too)
    const setAll = (msg: ReflectMessage): Record<string, unknown> => {
      const want: Record<string, unknown> = {};
      for (const f of msg.fields) {
        if (f.fieldKind === "enum") {
          msg.set(f, ProfileMode.WALL);
          want[f.localName] = ProfileMode.WALL;
        } else if (f.fieldKind === "scalar") {
          const v = f.scalar === ScalarType.STRING ? `v${String(n)}` : n;
          msg.set(f, f.scalar === ScalarType.INT64 || f.scalar === ScalarType.UINT64 ? BigInt(n) : v);
          want[f.localName] = v;
          n++;
        }
      }
      return want;
    };
    const wantBatch = setAll(reflect(SampleBatchSchema, b));
    const wantProfile = setAll(reflect(ProcessProfileSchema, b.profiles[0]));
    const d = decodeSampleBatch(Buffer.from(toBinary(SampleBatchSchema, b)), limits);
    const read = (from: object, want: Record<string, unknown>, renamed: Record<string, string> = {}): Record<string, unknown> =>
      Object.fromEntries(Object.keys(want).map((k) => [k, (from as Record<string, unknown>)[renamed[k] ?? k]]));
    expect(read(d, wantBatch)).toEqual(wantBatch);
    expect(read(d.profiles[0]!, wantProfile, { mode: "modeValue" })).toEqual(wantProfile);
    expect(d.profiles[0]!.mode).toBe("wall");
  });

  it("refuses hostile input while decoding", () => {
    const deep = makeBatch("d", "h", [makeProfile({ service: "s", version: "1", pid: 1, windowStartUnixMs: 1_764_072_000_000, stacks: 1 })]);
    deep.profiles[0]!.stacks = [create(StackSchema, { frameIds: Array.from({ length: 10_000 }, () => 0), count: 1n })];
    expect(() => decodeSampleBatch(Buffer.from(toBinary(SampleBatchSchema, deep)), limits)).toThrow(LimitError);
    const labels = makeBatch("l", "h", [
      makeProfile({
        service: "s",
        version: "1",
        pid: 1,
        windowStartUnixMs: 1,
        labels: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${String(i)}`, "v"])),
      }),
    ]);
    expect(() => decodeSampleBatch(Buffer.from(toBinary(SampleBatchSchema, labels)), limits)).toThrow(/more than 32 labels/);
    const big = makeBatch("b", "h", [makeProfile({ service: "x".repeat(5000), version: "1", pid: 1, windowStartUnixMs: 1 })]);
    expect(() => decodeSampleBatch(Buffer.from(toBinary(SampleBatchSchema, big)), limits)).toThrow(/5000 characters/);
    const bytes = toBinary(SampleBatchSchema, makeBatch("t", "h", [makeProfile({ service: "s", version: "1", pid: 1, windowStartUnixMs: 1 })]));
    expect(() => decodeSampleBatch(Buffer.from(bytes.subarray(0, bytes.length - 7)), limits)).toThrow();
    expect(() => decodeSampleBatch(Buffer.from([0xff, 0xff, 0xff]), limits)).toThrow();
  });

  it("refuses a message over a per-message cap at the first element over it", () => {
    const two = (n: number): ReturnType<typeof makeBatch> =>
      makeBatch(
        "c",
        "h",
        Array.from({ length: n }, (_, i) => makeProfile({ service: "s", version: "1", pid: i, windowStartUnixMs: T, stacks: 20 })),
      );
    expect(refusal(two(3), { ...limits, maxProfiles: 2 })).toEqual({
      reason: "too_many_profiles",
      message: "max-profiles exceeded: more than 2 profiles in one message",
    });
    expect(refusal(two(2), { ...limits, maxStacks: 39 }).reason).toBe("too_many_stacks");
    expect(() => decodeSampleBatch(Buffer.from(toBinary(SampleBatchSchema, two(2))), { ...limits, maxStacks: 40 })).not.toThrow();
    const frames = two(2).profiles.reduce((n, p) => n + p.frames.length, 0);
    expect(refusal(two(2), { ...limits, maxFrames: frames - 1 }).message).toBe(`max-frames exceeded: more than ${String(frames - 1)} frames in one message`);
    const strings = two(2).profiles.reduce((n, p) => n + p.strings.length, 0);
    expect(refusal(two(2), { ...limits, maxStrings: strings - 1 }).reason).toBe("too_many_strings");
    const refs = two(2).profiles.reduce((n, p) => n + p.stacks.reduce((k, st) => k + st.frameIds.length, 0), 0);
    expect(refusal(two(2), { ...limits, maxStackFrames: refs - 1 }).reason).toBe("too_many_stack_frames");
    expect(() => decodeSampleBatch(Buffer.from(toBinary(SampleBatchSchema, two(2))), { ...limits, maxStackFrames: refs })).not.toThrow();
  });

  it("counts frame references exactly, packed or not, with one- and two-byte ids", () => {
    const b = makeBatch("r", "h", [makeProfile({ service: "s", version: "1", pid: 1, windowStartUnixMs: T, stacks: 1 })]);
    const p = b.profiles[0]!;
    p.frames = Array.from({ length: 300 }, (_, i) => create(FrameSchema, { function: 0, file: 0, line: i }));
    p.stacks = [create(StackSchema, { frameIds: Array.from({ length: 200 }, (_, i) => i + 100), count: 1n })];
    const packed = Buffer.from(toBinary(SampleBatchSchema, b));
    expect(refusal(packed, { ...limits, maxStackFrames: 199 }).reason).toBe("too_many_stack_frames");
    expect(decodeSampleBatch(packed, { ...limits, maxStackFrames: 200 }).profiles[0]!.stacks.length).toBe(1);
    // a stack of three ids unpacked (field 1 repeated as varints), count 1, in a profile of a batch "r"
    const stack = Buffer.concat([...Array.from({ length: 3 }, (_, i) => Buffer.from([0x08, i])), Buffer.from([0x20, 0x01])]);
    const profile = Buffer.concat([Buffer.from([0x62]), varint(stack.length), stack]);
    const msg = Buffer.concat([Buffer.from([0x0a, 0x01, 0x72, 0x20, 0x01, 0x2a]), varint(profile.length), profile]);
    expect(refusal(msg, { ...limits, maxStackFrames: 2 }).reason).toBe("too_many_stack_frames");
    expect(refusal(msg, { ...limits, maxStackDepth: 2 }).reason).toBe("stack_too_deep");
  });

  it("stops at the cap of the 65 KB protobuf bomb (33 M empty profiles) without allocating them", () => {
    const raw = Buffer.alloc(5 + 33_000_000 * 2);
    Buffer.from([0x0a, 0x01, 0x78, 0x20, 0x01]).copy(raw);
    raw.fill(Buffer.from([0x2a, 0x00]), 5);
    const heap = process.memoryUsage().heapUsed;
    expect(refusal(raw, DEFAULT_BATCH_LIMITS)).toEqual({
      reason: "too_many_profiles",
      message: "max-profiles exceeded: more than 10000 profiles in one message",
    });
    // 10 000 empty profiles are a few MB; 33 M of them need gigabytes
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 1024 * 1024);
  });

  it("refuses more distinct label values than the cap across the profiles of a message", () => {
    const b = makeBatch(
      "lv",
      "h",
      Array.from({ length: 4 }, (_, i) =>
        makeProfile({ service: "s", version: "1", pid: i, windowStartUnixMs: T, stacks: 1, labels: { a: `v${String(i)}`, b: "same" } }),
      ),
    );
    expect(refusal(b, { ...limits, maxLabelValues: 4 })).toEqual({
      reason: "too_many_label_values",
      message: "max-label-values exceeded: more than 4 distinct label values in one message",
    });
    expect(() => decodeSampleBatch(Buffer.from(toBinary(SampleBatchSchema, b)), { ...limits, maxLabelValues: 5 })).not.toThrow();
  });

  it("refuses strings that are not UTF-8, names and other fields alike", () => {
    const base = makeBatch("u", "h", [makeProfile({ service: "svc-MARK", version: "1", pid: 1, windowStartUnixMs: T, stacks: 2 })]);
    base.profiles[0]!.strings.push("fn-MARK");
    base.profiles[0]!.labels = { zone: "z-MARK" };
    const raw = Buffer.from(toBinary(SampleBatchSchema, base));
    const broken = (nth: number): Buffer => {
      const copy = Buffer.from(raw);
      let at = -1;
      for (let i = 0; i <= nth; i++) at = copy.indexOf("MARK", at + 1);
      copy[at] = 0xc3; // a lead byte followed by ASCII: not UTF-8
      return copy;
    };
    const reasons = [0, 1, 2].map((k) => refusal(broken(k)));
    expect(reasons.map((r) => r.reason)).toEqual(["invalid_utf8", "invalid_utf8", "invalid_utf8"]);
    expect(reasons.map((r) => r.message).sort()).toEqual([
      "a function, file or thread name is not valid UTF-8",
      "a label value is not valid UTF-8",
      "service is not valid UTF-8",
    ]);
    expect(() => decodeSampleBatch(raw, limits)).not.toThrow();
  });
});

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
