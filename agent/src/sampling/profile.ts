/**
 * Turns one parsed py-spy window into a `ProcessProfile`: a string table, frames (function,
 * file, line) and stacks root→leaf with thread and count, plus the accounting that lets the
 * collector compute coverage.
 */
import { create } from "@bufbuild/protobuf";
import { ProcessProfileSchema, ProfileMode, type ProcessProfile } from "@fleetprof/proto";
import type { ParsedRaw } from "../pyspy/raw-parser.js";
import type { SamplingMode } from "../pyspy/run.js";

export const PROFILE_MODES: Record<SamplingMode, ProfileMode> = {
  cpu: ProfileMode.CPU,
  wall: ProfileMode.WALL,
  gil: ProfileMode.GIL,
};

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

export function buildProfile(parsed: ParsedRaw, meta: WindowMeta): ProcessProfile {
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
  const stacks = new Map<string, { frameIds: number[]; thread: number; threadId: bigint; count: bigint }>();
  for (const s of parsed.stacks) {
    const ids: number[] = [];
    for (const f of s.frames) {
      const fn = str(f.name);
      const file = str(f.file);
      const key = `${String(fn)}:${String(file)}:${String(f.line)}`;
      let id = frameIds.get(key);
      if (id === undefined) {
        id = frames.length;
        frames.push({ function: fn, file, line: f.line });
        frameIds.set(key, id);
      }
      ids.push(id);
    }
    const thread = str(s.thread);
    const key = `${String(s.threadId)}|${String(thread)}|${ids.join(",")}`;
    const existing = stacks.get(key);
    if (existing !== undefined) existing.count += BigInt(s.count);
    else stacks.set(key, { frameIds: ids, thread, threadId: s.threadId, count: BigInt(s.count) });
  }
  const expected = expectedTicks(meta.rateHz, meta.windowStartUnixMs, meta.windowEndUnixMs);
  return create(ProcessProfileSchema, {
    pid: meta.pid,
    processStartUnixMs: BigInt(meta.processStartUnixMs),
    service: meta.service,
    version: meta.version,
    labels: meta.labels,
    mode: PROFILE_MODES[meta.mode],
    sampleRateHz: meta.rateHz,
    windowStartUnixMs: BigInt(meta.windowStartUnixMs),
    windowEndUnixMs: BigInt(meta.windowEndUnixMs),
    strings,
    frames,
    stacks: [...stacks.values()],
    samplerErrors: meta.samplerErrors,
    expectedSamples: BigInt(expectedSamples(parsed.total, meta.ticks, expected)),
    labelsTruncated: meta.labelsTruncated,
  });
}
