/**
 * Window coverage rows (`process_windows`): one per process profile of a batch, holding what
 * the samples alone cannot say — the sampling rate, how long the window was, and the samples
 * the agent expected — so that a reader can turn samples into seconds and seconds into cores
 * per process, idle windows included. Written with a profile's sample rows and after them (see
 * writer.ts), so a write retried after an interruption does not cover a window twice; the
 * table's key (batch, position) lets merges drop the one duplicate that can still happen (an
 * idle window's row, which no lookup finds stored, written again by such a retry).
 * The same windows are summed per process and hour for `process_windows_1h` ({@link CoverageHours}).
 */
import { hashString } from "./hash.js";
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

/** Milliseconds of a window py-spy sampled: its length × samples ÷ expected samples, at most 1 (expected unknown: the whole window). */
export function observedMs(p: ProfileInput, samples: number): number {
  const expected = Number(p.expectedSamples ?? 0);
  return expected > 0 ? windowMs(p) * Math.min(1, samples / expected) : windowMs(p);
}

/**
 * Appends the coverage row of profile `seq` of a batch (column order of `processWindows`). The
 * writer encodes it with the profile's sample rows and inserts it after them, so a profile
 * found stored by a retried write is not covered twice.
 */
export function encodeCoverage(
  p: ProfileInput,
  host: string,
  batchHash: readonly [number, number],
  seq: number,
  out: RowBinaryWriter,
  hours: CoverageHours,
): void {
  const samples = profileSamples(p);
  out.u32(Math.floor(Number(p.windowStartUnixMs) / 1000));
  out.string(p.service);
  out.string(p.version);
  out.string(host);
  out.u32(p.pid);
  out.string(p.mode);
  out.string(p.captureId);
  writeLabels(out, p.labels);
  out.u32(rateOf(p));
  out.u32(windowMs(p));
  out.u64n(samples);
  out.u64n(Math.max(0, Number(p.expectedSamples ?? 0)));
  out.u64(batchHash[0], batchHash[1]);
  out.u32(seq);
  hours.add(p, host, samples);
}

function rateOf(p: ProfileInput): number {
  return Math.min(U32_MAX, Math.max(0, Math.floor(p.sampleRateHz ?? 0)));
}

function writeLabels(out: RowBinaryWriter, labels: Readonly<Record<string, string>>): void {
  let n = 0;
  for (const _ in labels) n++;
  out.varint(n);
  for (const k in labels) {
    out.string(k);
    out.string(labels[k] as string);
  }
}

interface HourGroup {
  hour: number;
  p: ProfileInput;
  host: string;
  rate: number;
  labels: Record<string, string>;
  labelsHash: readonly [number, number];
  windows: number;
  windowMs: number;
  observedMs: number;
  samples: number;
}

const hash2 = new Uint32Array(2);
const f64 = new DataView(new ArrayBuffer(8));

/** Coverage summed per (hour, process, mode, capture id, rate, labels): the rows of `process_windows_1h`. */
export class CoverageHours {
  readonly #groups = new Map<string, HourGroup>();

  add(p: ProfileInput, host: string, samples: number): void {
    const hour = Math.floor(Number(p.windowStartUnixMs) / 3_600_000) * 3600;
    const labels = Object.fromEntries(Object.entries(p.labels).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    const labelText = JSON.stringify(labels);
    const key = JSON.stringify([hour, p.service, p.version, host, p.pid, p.mode, p.captureId, rateOf(p), labelText]);
    let g = this.#groups.get(key);
    if (g === undefined) {
      hashString(labelText, hash2, 0);
      g = { hour, p, host, rate: rateOf(p), labels, labelsHash: [hash2[0] as number, hash2[1] as number], windows: 0, windowMs: 0, observedMs: 0, samples: 0 };
      this.#groups.set(key, g);
    }
    g.windows++;
    g.windowMs += windowMs(p);
    g.observedMs += observedMs(p, samples);
    g.samples += samples;
  }

  /** Writes the rows (column order of `processWindows1h`); returns how many. */
  write(out: RowBinaryWriter): number {
    for (const g of this.#groups.values()) {
      out.u32(g.hour);
      out.string(g.p.service);
      out.string(g.p.version);
      out.string(g.host);
      out.u32(g.p.pid);
      out.string(g.p.mode);
      out.string(g.p.captureId);
      out.u64(g.labelsHash[0], g.labelsHash[1]);
      writeLabels(out, g.labels);
      out.u32(g.rate);
      out.u64n(g.windows);
      out.u64n(g.windowMs);
      // Float64, little-endian: the same 8 bytes as a UInt64 of these halves
      f64.setFloat64(0, g.observedMs, true);
      out.u64(f64.getUint32(4, true), f64.getUint32(0, true));
      out.u64n(g.samples);
    }
    return this.#groups.size;
  }
}
