/**
 * Window coverage rows (`process_windows`): one per process profile of a batch, holding what
 * the samples alone cannot say — the sampling rate, how long the window was, and the samples
 * the agent expected — so that a reader can turn samples into seconds and seconds into cores
 * per process, idle windows included. Written with a profile's sample rows and after them (see
 * writer.ts), so a write retried after an interruption does not cover a window twice; the
 * table's key (batch, position) lets merges drop the one duplicate that can still happen (an
 * idle window's row, which no lookup finds stored, written again by such a retry).
 */
import type { RowBinaryWriter } from "./rowbinary.js";
import type { ProfileInput } from "./types.js";

const U32_MAX = 0xffffffff;

/** Window length in ms, 0 when the end is unknown or not after the start. */
export function windowMs(p: ProfileInput): number {
  if (p.windowEndUnixMs === undefined) return 0;
  const ms = Number(p.windowEndUnixMs) - Number(p.windowStartUnixMs);
  return ms > 0 ? Math.min(ms, U32_MAX) : 0;
}

function profileSamples(p: ProfileInput): number {
  const counts = p.stacks.count;
  let n = 0;
  for (let i = 0; i < p.stacks.length; i++) n += counts[i] as number;
  return n;
}

/**
 * Appends the coverage row of profile `seq` of a batch (column order of `processWindows`). The
 * writer encodes it with the profile's sample rows and inserts it after them, so a profile
 * found stored by a retried write is not covered twice.
 */
export function encodeCoverage(p: ProfileInput, host: string, batchHash: readonly [number, number], seq: number, out: RowBinaryWriter): void {
  out.u32(Math.floor(Number(p.windowStartUnixMs) / 1000));
  out.string(p.service);
  out.string(p.version);
  out.string(host);
  out.u32(p.pid);
  out.string(p.mode);
  out.string(p.captureId);
  let nl = 0;
  for (const _ in p.labels) nl++;
  out.varint(nl);
  for (const k in p.labels) {
    out.string(k);
    out.string(p.labels[k] as string);
  }
  out.u32(Math.min(U32_MAX, Math.max(0, Math.floor(p.sampleRateHz ?? 0))));
  out.u32(windowMs(p));
  out.u64n(profileSamples(p));
  out.u64n(Math.max(0, Number(p.expectedSamples ?? 0)));
  out.u64(batchHash[0], batchHash[1]);
  out.u32(seq);
}
