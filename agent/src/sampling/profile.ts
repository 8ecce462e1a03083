/**
 * Turns what py-spy recorded in one window into a `ProcessProfile`: a string table, frames
 * (function, file, line) and stacks root→leaf with thread and count, plus the accounting that
 * lets the collector compute coverage. Counts are capped at what the window's rate and length
 * allow; a stack cut at the root end starts with a frame saying how many frames were cut.
 */
import { create } from "@bufbuild/protobuf";
import { ProcessProfileSchema, profileMode, type ProcessProfile } from "@fleetprof/proto";
import type { OutputFrame, PySpyOutput } from "../pyspy/output.js";
import type { SamplingMode } from "../pyspy/run.js";
import { capThreadSamples, maxThreadSamples } from "./count-cap.js";

export interface WindowMeta {
  pid: number;
  processStartUnixMs: number;
  service: string;
  version: string;
  labels: Record<string, string>;
  labelsTruncated: number;
  mode: SamplingMode;
  rateHz: number;
  windowStartUnixMs: number;
  windowEndUnixMs: number;
  /** Ticks py-spy was sampling for in the window (rate × time from its first sample to the stop). */
  ticks: number;
  samplerErrors: number;
}

/** Ticks a window should have had at `rateHz`. */
export function expectedTicks(rateHz: number, startMs: number, endMs: number): number {
  return Math.max(0, Math.round((rateHz * (endMs - startMs)) / 1000));
}

/**
 * `expected_samples` is in the unit of the stack counts (one per active thread per tick), so
 * that counts / expected is the share of the window that was sampled: the counts scaled by
 * expected / sampled ticks. (In cpu mode idle ticks leave no sample, so the tick count cannot
 * come from the samples themselves.)
 */
export function expectedSamples(totalCount: number, ticks: number, expected: number): number {
  if (ticks <= 0) return expected;
  return Math.round((totalCount * expected) / ticks);
}

/** The root-side frame that stands for the `n` frames cut from a deep stack. */
export function cutMarker(n: number): string {
  return `[… ${String(n)} frames cut]`;
}

const CUT_MARKER = /^\[… (\d+) frames cut\]$/;

/** The frames a cut marker stands for; 0 for any other frame name. */
export function cutCount(name: string): number {
  const m = CUT_MARKER.exec(name);
  return m === null ? 0 : Number(m[1]);
}

export interface BuiltProfile {
  profile: ProcessProfile;
  /** Samples in the profile (after the cap). */
  samples: number;
  /** Samples removed because a thread had more than the window's rate and length allow. */
  samplesOverCap: number;
}

/** Builds the profile of one window (`output`'s counts are capped in place). */
export function buildProfile(output: PySpyOutput, meta: WindowMeta): BuiltProfile {
  const samplesOverCap = capThreadSamples(output.threads, maxThreadSamples(meta.rateHz, meta.windowEndUnixMs - meta.windowStartUnixMs));
  const strings: string[] = [];
  const stringIds = new Map<string, number>();
  const str = (s: string): number => {
    let id = stringIds.get(s);
    if (id === undefined) {
      id = strings.length;
      strings.push(s);
      stringIds.set(s, id);
    }
    return id;
  };
  const frames: { function: number; file: number; line: number }[] = [];
  const frameIds = new Map<string, number>();
  const frameId = (name: string, file: string, line: number): number => {
    const fn = str(name);
    const fi = str(file);
    const key = `${String(fn)}:${String(fi)}:${String(line)}`;
    let id = frameIds.get(key);
    if (id === undefined) {
      id = frames.length;
      frames.push({ function: fn, file: fi, line });
      frameIds.set(key, id);
    }
    return id;
  };
  // Only frames some stack uses (py-spy's table may hold one frame several times, keyed by more fields).
  const pySpyFrame: (number | undefined)[] = [];
  const fromPySpy = (i: number): number => {
    const f = output.frames[i] as OutputFrame;
    return (pySpyFrame[i] ??= frameId(f.name, f.file, f.line));
  };
  const stacks = new Map<string, { frameIds: number[]; thread: number; threadId: bigint; count: bigint }>();
  let total = 0;
  for (const t of output.threads) {
    const thread = str(t.name);
    for (const s of t.stacks) {
      const ids = s.frames.map(fromPySpy);
      if (s.cut > 0) ids.unshift(frameId(cutMarker(s.cut), "", 0));
      total += s.count;
      const key = `${String(t.threadId)}|${String(thread)}|${ids.join(",")}`;
      const existing = stacks.get(key);
      if (existing !== undefined) existing.count += BigInt(s.count);
      else stacks.set(key, { frameIds: ids, thread, threadId: t.threadId, count: BigInt(s.count) });
    }
  }
  const expected = expectedTicks(meta.rateHz, meta.windowStartUnixMs, meta.windowEndUnixMs);
  const profile = create(ProcessProfileSchema, {
    pid: meta.pid,
    processStartUnixMs: BigInt(meta.processStartUnixMs),
    service: meta.service,
    version: meta.version,
    labels: meta.labels,
    mode: profileMode(meta.mode),
    sampleRateHz: meta.rateHz,
    windowStartUnixMs: BigInt(meta.windowStartUnixMs),
    windowEndUnixMs: BigInt(meta.windowEndUnixMs),
    strings,
    frames,
    stacks: [...stacks.values()],
    samplerErrors: meta.samplerErrors,
    expectedSamples: BigInt(expectedSamples(total, meta.ticks, expected)),
    labelsTruncated: meta.labelsTruncated,
  });
  return { profile, samples: total, samplesOverCap };
}
