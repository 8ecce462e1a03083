import { createLogger } from "@fleetprof/common";
import { DEFAULT_BATCH_LIMITS, encodeBatch, ENCODING_HEADER, FORMAT_HEADER, SAMPLE_BATCH_FORMAT } from "@fleetprof/proto";
import { afterEach, describe, expect, it } from "vitest";
import { makeBatch, makeProfile } from "../../test/batches.js";
import type { Decoded } from "../ingest/message.js";
import { DecodePool } from "./pool.js";

const LIMITS = { ...DEFAULT_BATCH_LIMITS, maxSampleCount: 10_000_000, maxWindowAge: 7 * 86_400_000, maxWindowAhead: 86_400_000 };
const gzip = { get: (k: string): string => (k === FORMAT_HEADER ? SAMPLE_BATCH_FORMAT : k === ENCODING_HEADER ? "gzip" : "") };
const T = Date.now() - 60_000;

function payload(i: number): Uint8Array {
  return encodeBatch(makeBatch(`p-${String(i)}`, "h", [0, 1, 2].map((j) => makeProfile({ service: "svc", version: "1", pid: 10 + j, windowStartUnixMs: T, stacks: 50, seed: i * 10 + j }))));
}

/** What a decoded batch says, as plain data (the string table read out). */
function summary(d: Decoded): unknown {
  if (!d.ok) return d;
  return {
    rows: d.rows,
    samples: d.samples,
    profiles: d.batch.profiles.map((p) => ({
      pid: p.pid,
      labels: p.labels,
      strings: Array.from({ length: p.strings.length }, (_, i) => p.strings.get(i)),
      hashes: [...p.strings.hashes],
      frames: [...p.frames.data],
      stacks: [[...p.stacks.frames], [...p.stacks.start], [...p.stacks.thread], [...p.stacks.count], p.stacks.maxFrame],
    })),
  };
}

let pool: DecodePool | undefined;
afterEach(async () => {
  await pool?.close();
});

describe("decode worker pool", () => {
  it("decodes on a worker exactly what the main thread decodes, and refuses the same bad input", async () => {
    const inline = new DecodePool(0, LIMITS, createLogger({ level: "silent" }));
    pool = new DecodePool(1, LIMITS, createLogger({ level: "silent" }));
    const inputs = [payload(1), payload(2), new Uint8Array([1, 2, 3])];
    for (const data of inputs) {
      const copy = new Uint8Array(data);
      const [a, b] = await Promise.all([pool.decode(data, gzip), inline.decode(data, gzip)]);
      expect(summary(a)).toEqual(summary(b));
      expect(Buffer.compare(data, copy)).toBe(0); // the caller's bytes are left alone
    }
    expect((await pool.decode(new Uint8Array([1, 2, 3]), gzip)).ok).toBe(false);
  });

  it("finishes a dead worker's messages on the main thread and starts a new worker later", async () => {
    pool = new DecodePool(1, LIMITS, createLogger({ level: "silent" }));
    const data = Array.from({ length: 20 }, (_, i) => payload(i));
    const pendingResults = data.map((d) => pool?.decode(d, gzip) as Promise<Decoded>);
    await pool.killWorker(0);
    const results = await Promise.all(pendingResults);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.reduce((a, r) => a + (r.ok ? r.samples : 0), 0)).toBe(20 * 3 * 1000);
    expect(pool.live).toBe(0);
    // decoded inline meanwhile
    expect((await pool.decode(payload(99), gzip)).ok).toBe(true);
    await expect.poll(() => pool?.live, { timeout: 5000 }).toBe(1);
  });
});
