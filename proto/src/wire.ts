/**
 * The ingest payload codec: how a SampleBatch travels as one NATS message.
 *
 * A payload is the protobuf encoding of a SampleBatch, gzip-compressed, with two headers:
 * `Fleetprof-Format` names the message and wire version, `Content-Encoding` the compression.
 * Batches larger than NATS max_payload are split into parts by {@link splitBatch}.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ProcessProfileSchema, SampleBatchSchema, type ProcessProfile, type SampleBatch, type Stack } from "./gen/fleetprof/v1/samples_pb.js";

/** The wire version this code writes and reads. Bumped on incompatible changes. */
export const FORMAT_VERSION = 1;
/** Header naming what the payload is. */
export const FORMAT_HEADER = "Fleetprof-Format";
/** Value of {@link FORMAT_HEADER} for sample batches. */
export const SAMPLE_BATCH_FORMAT = "fleetprof.v1.SampleBatch";
/** Header naming the payload compression: {@link GZIP_ENCODING} or {@link IDENTITY_ENCODING}. */
export const ENCODING_HEADER = "Content-Encoding";
/** Value of {@link ENCODING_HEADER} for a gzip-compressed payload (what agents send). */
export const GZIP_ENCODING = "gzip";
/** Value of {@link ENCODING_HEADER} for an uncompressed payload. */
export const IDENTITY_ENCODING = "identity";
/** Largest decompressed payload a reader accepts (a gzip bomb guard). */
export const MAX_DECODED_BYTES = 64 * 1024 * 1024;

/** Compresses an encoded batch for the wire. */
export function encodeBatch(batch: SampleBatch): Uint8Array {
  return gzipSync(toBinary(SampleBatchSchema, batch), { level: 6 });
}

/**
 * Decodes a payload. Throws on anything that is not a SampleBatch of a known format version,
 * with a message that says which.
 */
export function decodeBatch(payload: Uint8Array, encoding = GZIP_ENCODING): SampleBatch {
  let raw: Uint8Array;
  if (encoding === GZIP_ENCODING) {
    raw = gunzipSync(payload, { maxOutputLength: MAX_DECODED_BYTES });
  } else if (encoding === IDENTITY_ENCODING || encoding === "") {
    raw = payload;
  } else {
    throw new Error(`unknown content encoding "${encoding}"`);
  }
  const batch = fromBinary(SampleBatchSchema, raw);
  if (batch.formatVersion !== FORMAT_VERSION) {
    throw new Error(`unknown format version ${String(batch.formatVersion)} (this build reads ${String(FORMAT_VERSION)})`);
  }
  return batch;
}

/**
 * Splits a batch so that every part's encoded size is at most `maxBytes`. Whole profiles are
 * kept together where they fit; a profile too large alone is split by stacks, each part with
 * only the strings and frames its stacks use. Parts get ids `<batchId>.<part>` and
 * part/parts set; a batch that fits is returned as is (part 0 of 1).
 */
export function splitBatch(batch: SampleBatch, maxBytes: number): SampleBatch[] {
  const whole = encodeBatch(batch);
  if (whole.byteLength <= maxBytes) {
    return [create(SampleBatchSchema, { ...batch, part: 0, parts: 1 })];
  }
  const groups: ProcessProfile[][] = [];
  const pending = [...batch.profiles];
  while (pending.length > 0) {
    const profile = pending.shift() as ProcessProfile;
    const alone = encodeBatch(create(SampleBatchSchema, { ...batch, profiles: [profile] }));
    if (alone.byteLength > maxBytes) {
      if (profile.stacks.length <= 1) {
        throw new Error(`one stack of pid ${String(profile.pid)} encodes to ${String(alone.byteLength)} bytes, over the ${String(maxBytes)} byte limit`);
      }
      const half = Math.ceil(profile.stacks.length / 2);
      pending.unshift(subsetProfile(profile, profile.stacks.slice(0, half)), subsetProfile(profile, profile.stacks.slice(half)));
      continue;
    }
    const last = groups.at(-1);
    if (last !== undefined) {
      const together = encodeBatch(create(SampleBatchSchema, { ...batch, profiles: [...last, profile] }));
      if (together.byteLength <= maxBytes) {
        last.push(profile);
        continue;
      }
    }
    groups.push([profile]);
  }
  return groups.map((profiles, part) =>
    create(SampleBatchSchema, { ...batch, batchId: `${batch.batchId}.${String(part)}`, profiles, part, parts: groups.length }),
  );
}

/** A copy of `profile` holding only `stacks`, with its string table and frames compacted. */
export function subsetProfile(profile: ProcessProfile, stacks: Stack[]): ProcessProfile {
  const strings: string[] = [];
  const stringIndex = new Map<number, number>();
  const str = (i: number): number => {
    let j = stringIndex.get(i);
    if (j === undefined) {
      j = strings.length;
      strings.push(profile.strings[i] ?? "");
      stringIndex.set(i, j);
    }
    return j;
  };
  const frames: ProcessProfile["frames"] = [];
  const frameIndex = new Map<number, number>();
  const frame = (i: number): number => {
    let j = frameIndex.get(i);
    if (j === undefined) {
      const f = profile.frames[i];
      j = frames.length;
      frames.push({ ...(f ?? { function: 0, file: 0, line: 0, $typeName: "fleetprof.v1.Frame" }), function: str(f?.function ?? 0), file: str(f?.file ?? 0) });
      frameIndex.set(i, j);
    }
    return j;
  };
  const newStacks = stacks.map((s) => ({ ...s, frameIds: s.frameIds.map(frame), thread: str(s.thread) }));
  return create(ProcessProfileSchema, { ...profile, strings, frames, stacks: newStacks });
}
