import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { encodeBatch, FORMAT_VERSION, ProcessProfileSchema, SampleBatchSchema, splitBatch, type SampleBatch } from "@fleetprof/proto";
import { describe, expect, it } from "vitest";
import { cutMarker } from "../sampling/profile.js";
import { fitStacks } from "./fit-stacks.js";

const LIMIT = 64 * 1024;

/** One profile: a small stack, and one of `depth` frames with 4 000-character random names (incompressible). */
function batch(depth: number, root?: string): SampleBatch {
  const names = Array.from({ length: depth }, (_, i) => (i === 0 && root !== undefined ? root : randomBytes(3000).toString("base64")));
  const strings = ["MainThread", "/w.py", "small", ...names];
  const frames = strings.map((_, i) => ({ function: i, file: 1, line: i }));
  return create(SampleBatchSchema, {
    batchId: "b",
    host: "h",
    formatVersion: FORMAT_VERSION,
    profiles: [
      create(ProcessProfileSchema, {
        pid: 1,
        service: "s",
        strings,
        frames,
        stacks: [
          { frameIds: [2], thread: 0, threadId: 1n, count: 5n },
          { frameIds: names.map((_, i) => 3 + i), thread: 0, threadId: 1n, count: 7n },
        ],
      }),
    ],
  });
}

const functions = (b: SampleBatch, stack: number): string[] => {
  const p = b.profiles[0];
  return p?.stacks[stack]?.frameIds.map((f) => p.strings[p.frames[f]?.function ?? -1] ?? "?") ?? [];
};

describe("fitting stacks under max_payload", () => {
  it("cuts a stack larger than a message at the root end so the batch can be split", () => {
    const b = batch(40);
    expect(() => splitBatch(b, LIMIT)).toThrow(/one stack of pid 1/);
    const leaf = functions(b, 1).slice(-5);
    const fit = fitStacks(b, LIMIT);
    expect(fit.stacks).toBe(1);
    expect(fit.droppedSamples).toBe(0);
    const parts = splitBatch(b, LIMIT);
    for (const part of parts) expect(encodeBatch(part).byteLength).toBeLessThanOrEqual(LIMIT);
    const cut = functions(b, 1);
    expect(cut[0]).toBe(cutMarker(fit.frames));
    expect(cut.slice(-5)).toEqual(leaf);
    expect(cut.length - 1 + fit.frames).toBe(40);
    // Most of the room is used: ~16 of the 40 frames of 4 KiB fit in 64 KiB.
    expect(cut.length).toBeGreaterThan(12);
    // The small stack and the counts are untouched.
    expect(functions(b, 0)).toEqual(["small"]);
    expect(b.profiles[0]?.stacks.map((s) => s.count)).toEqual([5n, 7n]);
  });

  it("drops the names the cut frames used, so a profile of that one stack fits too", () => {
    const b = batch(40);
    const p = b.profiles[0];
    if (p === undefined) throw new Error("no profile");
    p.stacks = p.stacks.slice(1);
    fitStacks(b, LIMIT);
    const parts = splitBatch(b, LIMIT);
    expect(parts).toHaveLength(1);
    expect(encodeBatch(parts[0] as SampleBatch).byteLength).toBeLessThanOrEqual(LIMIT);
    const fitted = b.profiles[0];
    expect(fitted?.strings.length).toBe((fitted?.stacks[0]?.frameIds.length ?? 0) + 3);
  });

  it("counts the frames an earlier depth cut removed in the new marker", () => {
    const b = batch(40, cutMarker(3000));
    const fit = fitStacks(b, LIMIT);
    const cut = functions(b, 1);
    expect(cut[0]).toBe(cutMarker(3000 - 1 + fit.frames));
  });

  it("leaves a batch whose stacks fit as it is", () => {
    const b = batch(3);
    const before = structuredClone(b);
    expect(fitStacks(b, LIMIT)).toEqual({ stacks: 0, frames: 0, droppedSamples: 0 });
    expect(b).toEqual(before);
  });
});
