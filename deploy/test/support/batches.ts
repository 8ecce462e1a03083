/** Sample batches as an agent publishes them, with known totals. */
import { create } from "@bufbuild/protobuf";
import { headers, type MsgHdrs } from "@nats-io/transport-node";
import {
  ENCODING_HEADER,
  encodeBatch,
  FORMAT_HEADER,
  FORMAT_VERSION,
  ProfileMode,
  SAMPLE_BATCH_FORMAT,
  SampleBatchSchema,
  type SampleBatch,
} from "@fleetprof/proto";

const FUNCTIONS = ["handle_request", "parse_json", "render", "query_db", "compress"];

/** A batch of one process profile with `stacks` stacks; its sample total is returned too. */
export function makeBatch(host: string, seq: number, service = "api", stacks = 5): { batch: SampleBatch; samples: number } {
  const now = BigInt(Date.now());
  let samples = 0;
  const stackList = Array.from({ length: stacks }, (_, i) => {
    const count = 1 + ((seq * 7 + i * 13) % 50);
    samples += count;
    return { frameIds: [0, 1 + (i % (FUNCTIONS.length - 1))], thread: FUNCTIONS.length + 1, threadId: 1n, count: BigInt(count) };
  });
  const batch = create(SampleBatchSchema, {
    batchId: `${host}-${String(seq)}`,
    host,
    agentVersion: "deploy-test",
    formatVersion: FORMAT_VERSION,
    part: 0,
    parts: 1,
    profiles: [
      {
        pid: 1000 + seq,
        processStartUnixMs: now - 60_000n,
        service,
        version: "1.0.0",
        mode: ProfileMode.CPU,
        sampleRateHz: 100,
        windowStartUnixMs: now - 10_000n,
        windowEndUnixMs: now,
        strings: [...FUNCTIONS, "app.py", "MainThread"],
        frames: FUNCTIONS.map((_, f) => ({ function: f, file: FUNCTIONS.length, line: 10 + f })),
        stacks: stackList,
        expectedSamples: BigInt(samples),
      },
    ],
  });
  return { batch, samples };
}

/** The payload and headers an agent sends for `batch`. */
export function encodeForWire(batch: SampleBatch): { data: Uint8Array; headers: MsgHdrs } {
  const h = headers();
  h.set(FORMAT_HEADER, SAMPLE_BATCH_FORMAT);
  h.set(ENCODING_HEADER, "gzip");
  return { data: encodeBatch(batch), headers: h };
}

/** Sum of stack counts in a batch. */
export function samplesIn(batch: SampleBatch): number {
  let n = 0;
  for (const p of batch.profiles) for (const s of p.stacks) n += Number(s.count);
  return n;
}
