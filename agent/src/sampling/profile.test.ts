import { describe, expect, it } from "vitest";
import type { ProcessProfile } from "@fleetprof/proto";
import { noCuts, type OutputThread, type PySpyOutput } from "../pyspy/output.js";
import { capThreadSamples, maxThreadSamples } from "./count-cap.js";
import { buildProfile, cutCount, cutMarker, expectedSamples, type WindowMeta } from "./profile.js";

const meta: WindowMeta = {
  pid: 7,
  processStartUnixMs: 1,
  service: "s",
  version: "v",
  labels: { python: "3.11" },
  labelsTruncated: 0,
  mode: "wall",
  rateHz: 100,
  windowStartUnixMs: 0,
  windowEndUnixMs: 1000,
  ticks: 50,
  samplerErrors: 2,
};

// py-spy's frame table: a, b, c, and `a` a second time (py-spy keys frames by more fields).
const frames = [
  { name: "a", file: "/m.py", line: 1 },
  { name: "b", file: "/m.py", line: 2 },
  { name: "c", file: "/m.py", line: 3 },
  { name: "a", file: "/m.py", line: 1 },
];

function output(threads: OutputThread[]): PySpyOutput {
  return { frames, threads, total: 0, cuts: noCuts(), bytesRead: 0 };
}

const readable = (p: ProcessProfile): [string[], string, bigint, bigint][] =>
  p.stacks.map((s) => [s.frameIds.map((f) => p.strings[p.frames[f]?.function ?? -1] ?? "?"), p.strings[s.thread] ?? "?", s.threadId, s.count]);

describe("profiles", () => {
  it("interns strings and frames, keeps stacks root first, and scales expected samples to the sampled time", () => {
    const {
      profile: p,
      samples,
      samplesOverCap,
    } = buildProfile(
      output([
        {
          threadId: 7n,
          name: "MainThread",
          stacks: [
            { frames: [0, 1], cut: 0, count: 30 },
            { frames: [3, 2], cut: 0, count: 10 },
          ],
        },
        { threadId: 8n, name: "w", stacks: [{ frames: [0], cut: 0, count: 5 }] },
      ]),
      meta,
    );
    expect(p.strings.filter((s) => s === "a")).toHaveLength(1);
    expect(p.frames).toHaveLength(3);
    expect(readable(p)).toEqual([
      [["a", "b"], "MainThread", 7n, 30n],
      [["a", "c"], "MainThread", 7n, 10n],
      [["a"], "w", 8n, 5n],
    ]);
    expect([samples, samplesOverCap]).toEqual([45, 0]);
    // 45 samples over half the window's ticks: 90 expected, coverage 0.5.
    expect(p.expectedSamples).toBe(90n);
    expect(p.mode).toBe(2);
    expect(expectedSamples(0, 0, 100)).toBe(100);
  });

  it("puts a frame saying how many frames were cut at the root of a cut stack", () => {
    const { profile: p } = buildProfile(output([{ threadId: 7n, name: "MainThread", stacks: [{ frames: [1, 2], cut: 2500, count: 3 }] }]), meta);
    expect(readable(p)).toEqual([[["[… 2500 frames cut]", "b", "c"], "MainThread", 7n, 3n]]);
    expect(cutCount(cutMarker(2500))).toBe(2500);
    expect(cutCount("f")).toBe(0);
  });

  it("caps each thread at the samples the window's rate and length allow", () => {
    // One second at 100 Hz: a thread has at most ~330 samples, whatever py-spy's output says.
    const cap = maxThreadSamples(100, 1000);
    expect(cap).toBeGreaterThan(200 + 6 * Math.sqrt(200));
    expect(cap).toBeLessThan(400);
    const {
      profile: p,
      samples,
      samplesOverCap,
    } = buildProfile(
      output([
        {
          threadId: 1n,
          name: "y",
          stacks: [
            { frames: [0], cut: 0, count: 9_999_999 },
            { frames: [1], cut: 0, count: 1 },
          ],
        },
        { threadId: 7n, name: "MainThread", stacks: [{ frames: [2], cut: 0, count: 90 }] },
      ]),
      meta,
    );
    const byThread = (id: bigint): bigint => p.stacks.filter((s) => s.threadId === id).reduce((n, s) => n + s.count, 0n);
    expect(byThread(1n)).toBeLessThanOrEqual(BigInt(cap));
    expect(byThread(1n)).toBeGreaterThan(BigInt(cap - 2));
    // An honest thread is left alone.
    expect(byThread(7n)).toBe(90n);
    expect(samples).toBe(Number(byThread(1n) + byThread(7n)));
    expect(samplesOverCap).toBe(9_999_999 + 1 + 90 - samples);
  });

  it("leaves a window within the cap as it is, however many threads it has", () => {
    const threads: OutputThread[] = Array.from({ length: 50 }, (_, i) => ({
      threadId: BigInt(i),
      name: `t${String(i)}`,
      stacks: [{ frames: [0], cut: 0, count: 1000 }],
    }));
    expect(capThreadSamples(threads, maxThreadSamples(100, 10_000))).toBe(0);
    expect(threads.every((t) => t.stacks[0]?.count === 1000)).toBe(true);
  });
});
