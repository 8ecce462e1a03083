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

/** An array that owns its whole buffer (transferring a shared pool buffer would detach other data). */
function own<T extends Uint8Array | Uint32Array | Float64Array>(a: T): T {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : (a.slice() as T);
}

export function toTransfer(b: DecodedBatch): { batch: WireBatch; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  const keep = <T extends Uint8Array | Uint32Array | Float64Array>(a: T): T => {
    const o = own(a);
    transfer.add(o.buffer as ArrayBuffer);
    return o;
  };
  // the payload buffer is shared by every profile's strings: moved once
  const bufs = new Map<ArrayBufferLike, Uint8Array>();
  const profiles = b.profiles.map((p): WireProfile => {
    const s = p.strings.parts();
    let buf = bufs.get(s.buf.buffer);
    if (buf === undefined) {
      buf = keep(new Uint8Array(s.buf.buffer, s.buf.byteOffset, s.buf.byteLength));
      bufs.set(s.buf.buffer, buf);
    }
    return {
      ...p,
      strings: { buf, offsets: keep(s.offsets), hashes: keep(s.hashes) },
      frames: { length: p.frames.length, data: keep(p.frames.data) },
      stacks: { ...p.stacks, frames: keep(p.stacks.frames), start: keep(p.stacks.start), thread: keep(p.stacks.thread), count: keep(p.stacks.count) },
    };
  });
  return { batch: { ...b, profiles }, transfer: [...transfer] };
}

export function fromTransfer(b: WireBatch): DecodedBatch {
  return { ...b, profiles: b.profiles.map((p) => ({ ...p, strings: WireStrings.fromParts(p.strings) })) };
}
