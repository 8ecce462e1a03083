import { createLogger } from "@fleetprof/common";
import { gzipSync } from "node:zlib";
import { DEFAULT_BATCH_LIMITS, encodeBatch, ENCODING_HEADER, FORMAT_HEADER, SAMPLE_BATCH_FORMAT } from "@fleetprof/proto";
import { afterEach, describe, expect, it } from "vitest";
import { makeBatch, makeProfile } from "../../test/batches.js";
import type { Decoded } from "../ingest/message.js";
import { DecodePool } from "./pool.js";

const LIMITS = { ...DEFAULT_BATCH_LIMITS, maxSampleCount: 10_000_000, maxWindowAge: 7 * 86_400_000, maxWindowAhead: 86_400_000 };
const log = createLogger({ level: "silent" });
const gzip = { get: (k: string): string => (k === FORMAT_HEADER ? SAMPLE_BATCH_FORMAT : k === ENCODING_HEADER ? "gzip" : "") };
const T = Date.now() - 60_000;

function payload(i: number): Uint8Array {
  return encodeBatch(
    makeBatch(
      `p-${String(i)}`,
      "h",
      [0, 1, 2].map((j) => makeProfile({ service: "svc", version: "1", pid: 10 + j, windowStartUnixMs: T, stacks: 50, seed: i * 10 + j })),
    ),
  );
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
    const inline = new DecodePool({ threads: 0, limits: LIMITS, log });
    pool = new DecodePool({ threads: 1, limits: LIMITS, log });
    const inputs = [payload(1), payload(2), new Uint8Array([1, 2, 3])];
    for (const data of inputs) {
      const copy = new Uint8Array(data);
      const [a, b] = await Promise.all([pool.decode(data, gzip), inline.decode(data, gzip)]);
      expect(summary(a)).toEqual(summary(b));
      expect(Buffer.compare(data, copy)).toBe(0); // the caller's bytes are left alone
    }
    expect((await pool.decode(new Uint8Array([1, 2, 3]), gzip)).ok).toBe(false);
  });

  it("refuses the message a worker died of (never decoding it again), and decodes the others on the next worker", async () => {
    // a worker with a small heap and no profile cap: 2 M empty profiles take it over its heap limit
    pool = new DecodePool({ threads: 1, limits: { ...LIMITS, maxProfiles: 1e9 }, heapMb: 48, log });
    const raw = Buffer.alloc(5 + 2_000_000 * 2);
    Buffer.from([0x0a, 0x01, 0x78, 0x20, 0x01]).copy(raw);
    raw.fill(Buffer.from([0x2a, 0x00]), 5);
    const bomb = gzipSync(raw);
    const data = [payload(1), payload(2), bomb, payload(3), payload(4)];
    const results = await Promise.all(data.map((d) => pool?.decode(d, gzip) as Promise<Decoded>));
    expect(results.map((r) => (r.ok ? "ok" : r.reason))).toEqual(["ok", "ok", "decoder_crashed", "ok", "ok"]);
    expect(results[2]?.ok === false && results[2].detail).toMatch(/ERR_WORKER_OUT_OF_MEMORY/);
    expect(results.reduce((a, r) => a + (r.ok ? r.samples : 0), 0)).toBe(4 * 3 * 1000);
    await expect.poll(() => pool?.live, { timeout: 10_000 }).toBe(1);
    expect((await pool.decode(payload(99), gzip)).ok).toBe(true);
  }, 60_000);
});
