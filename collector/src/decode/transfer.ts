/**
 * A decoded batch as it crosses between threads: plain data whose typed arrays are transferred
 * (moved, not copied), and the string tables rebuilt on arrival.
 */
import type { DecodedBatch, DecodedProfile } from "./sample-batch.js";
import { WireStrings } from "./wire-strings.js";

export interface DecodeJob {
  id: number;
  data: Uint8Array;
  format: string;
  encoding: string;
}

type WireProfile = Omit<DecodedProfile, "strings"> & { strings: { buf: Uint8Array; offsets: Uint32Array; hashes: Uint32Array } };
export type WireBatch = Omit<DecodedBatch, "profiles"> & { profiles: WireProfile[] };

type Column = Uint8Array | Uint16Array | Uint32Array | Float64Array;

/** An array that owns its whole buffer (transferring a shared pool buffer would detach other data). */
function own<T extends Column>(a: T): T {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : (a.slice() as T);
}

/**
 * Moves a decoded batch: typed arrays are transferred, and the names of every profile are
 * copied together into one compact buffer (the rest of the payload, mostly stacks already
 * decoded, stays behind).
 */
export function toTransfer(b: DecodedBatch): { batch: WireBatch; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const keep = <T extends Column>(a: T): T => {
    const o = own(a);
    transfer.push(o.buffer as ArrayBuffer);
    return o;
  };
  const parts = b.profiles.map((p) => p.strings.parts());
  let bytes = 0;
  for (const s of parts) for (let i = 0; i < s.offsets.length; i += 2) bytes += (s.offsets[i + 1] as number) - (s.offsets[i] as number);
  const names = new Uint8Array(bytes);
  transfer.push(names.buffer);
  let at = 0;
  const profiles = b.profiles.map((p, k): WireProfile => {
    const s = parts[k] as (typeof parts)[number];
    const offsets = new Uint32Array(s.offsets.length);
    for (let i = 0; i < offsets.length; i += 2) {
      const start = s.offsets[i] as number;
      const end = s.offsets[i + 1] as number;
      names.set(s.buf.subarray(start, end), at);
      offsets[i] = at;
      at += end - start;
      offsets[i + 1] = at;
    }
    transfer.push(offsets.buffer);
    return {
      ...p,
      strings: { buf: names, offsets, hashes: keep(s.hashes) },
      frames: { length: p.frames.length, data: keep(p.frames.data) },
      stacks: { ...p.stacks, frames: keep(p.stacks.frames), start: keep(p.stacks.start), thread: keep(p.stacks.thread), count: keep(p.stacks.count) },
    };
  });
  return { batch: { ...b, profiles }, transfer };
}

export function fromTransfer(b: WireBatch): DecodedBatch {
  return { ...b, profiles: b.profiles.map((p) => ({ ...p, strings: WireStrings.fromParts(p.strings) })) };
}
