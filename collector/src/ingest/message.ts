/** One JetStream message → a decoded, validated batch, or the reason it is refused. */
import { promisify } from "node:util";
import { gunzip, gunzipSync } from "node:zlib";
// The subpath, not the package root: this module runs in the decode workers, which the root
// would make load the logger and the NATS client (about 40 ms and 8 MB more per worker).
import { errorMessage } from "@fleetprof/common/async";
import { ENCODING_HEADER, FORMAT_HEADER, GZIP_ENCODING, IDENTITY_ENCODING, SAMPLE_BATCH_FORMAT } from "@fleetprof/proto";
import { decodeSampleBatch, LimitError, type DecodedBatch, type DecodeLimits } from "../decode/sample-batch.js";
import type { RejectReason, Rejection } from "./reject-reasons.js";
import { validateBatch, type ValidationLimits } from "./validate.js";

const gunzipAsync = promisify(gunzip);

export type IngestLimits = DecodeLimits &
  ValidationLimits & {
    /** Largest decompressed payload, bytes (gunzip stops there: a gzip bomb costs no more). */
    maxDecodedBytes: number;
  };

export type Decoded = { ok: true; batch: DecodedBatch; rows: number; samples: number } | ({ ok: false } & Rejection);

function reject(reason: RejectReason, detail: string): Decoded {
  return { ok: false, reason, detail };
}

/** The headers a payload is read by: `{ format, encoding }` (both may be empty). */
export function payloadHeaders(headers: { get(k: string): string } | undefined): { format: string; encoding: string } {
  return { format: headers?.get(FORMAT_HEADER) ?? "", encoding: headers?.get(ENCODING_HEADER) ?? "" };
}

/** What a failed gunzip means: over the size cap, or not gzip. */
function gunzipFailed(err: unknown, limits: IngestLimits): Decoded {
  if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") return tooLarge(limits);
  return reject("undecodable", `gzip: ${errorMessage(err)}`);
}

function tooLarge(limits: IngestLimits): Decoded {
  return reject("too_large", `max-decoded-bytes exceeded: the payload decompresses to more than ${String(limits.maxDecodedBytes)} bytes`);
}

function checkHeaders(format: string, encoding: string): Decoded | undefined {
  if (format !== "" && format !== SAMPLE_BATCH_FORMAT)
    return reject("unknown_version", `${FORMAT_HEADER} is "${format}" (this collector reads ${SAMPLE_BATCH_FORMAT})`);
  if (encoding !== "" && encoding !== GZIP_ENCODING && encoding !== IDENTITY_ENCODING) return reject("undecodable", `unknown ${ENCODING_HEADER} "${encoding}"`);
  return undefined;
}

/**
 * Decompresses off the main thread (the zlib thread pool), then decodes and validates.
 * `format`, `encoding`: the message's headers (see {@link payloadHeaders}).
 */
export async function decodeMessage(data: Uint8Array, format: string, encoding: string, limits: IngestLimits): Promise<Decoded> {
  // refused headers and uncompressed payloads: nothing to wait for
  if (encoding === IDENTITY_ENCODING || checkHeaders(format, encoding) !== undefined) return decodeMessageSync(data, format, encoding, limits);
  let raw: Buffer;
  try {
    // big output chunks: the default 16 KiB means dozens of thread-pool round trips per message
    raw = await gunzipAsync(data, { maxOutputLength: limits.maxDecodedBytes, chunkSize: 256 * 1024 });
  } catch (err) {
    return gunzipFailed(err, limits);
  }
  return decodePayload(raw, limits);
}

/** {@link decodeMessage} on the calling thread (a decode worker's). */
export function decodeMessageSync(data: Uint8Array, format: string, encoding: string, limits: IngestLimits): Decoded {
  const bad = checkHeaders(format, encoding);
  if (bad !== undefined) return bad;
  let raw: Buffer;
  if (encoding === IDENTITY_ENCODING) {
    if (data.byteLength > limits.maxDecodedBytes) return tooLarge(limits);
    raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  } else {
    try {
      raw = gunzipSync(data, { maxOutputLength: limits.maxDecodedBytes, chunkSize: 256 * 1024 });
    } catch (err) {
      return gunzipFailed(err, limits);
    }
  }
  return decodePayload(raw, limits);
}

function decodePayload(raw: Buffer, limits: IngestLimits): Decoded {
  let batch: DecodedBatch;
  try {
    batch = decodeSampleBatch(raw, limits);
  } catch (err) {
    if (err instanceof LimitError) return reject(err.reason as RejectReason, err.message);
    return reject("undecodable", `protobuf: ${errorMessage(err)}`);
  }
  const bad = validateBatch(batch, limits);
  if (bad !== undefined) return { ok: false, ...bad };
  let rows = 0;
  let samples = 0;
  for (const p of batch.profiles) {
    const st = p.stacks;
    rows += st.length;
    for (let i = 0; i < st.length; i++) samples += st.count[i] as number;
  }
  return { ok: true, batch, rows, samples };
}
