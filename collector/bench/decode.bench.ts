/**
 * Decode benchmark: the collector's hand-written SampleBatch reader (`decodeSampleBatch`) on
 * the ingest benchmark's batches (8 processes × 300 stacks of 20–60 frames), next to the floor
 * of protobuf-es's `fromBinary` on the same bytes, measured in the same run. Both read the
 * uncompressed protobuf (gunzip is outside either). Rates are per CPU second of this process
 * (steadier than wall time on a shared machine), medians of several interleaved rounds.
 *
 *   npm run bench -- decode       FLEETPROF_BENCH_RUNS (default 5), FLEETPROF_BENCH_BATCHES (default 240)
 */
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { DEFAULT_BATCH_LIMITS, SampleBatchSchema } from "@fleetprof/proto";
import { decodeSampleBatch } from "@fleetprof/collector";
import { makeBatch, makeProfile } from "../test/batches.js";

const RUNS = Number(process.env["FLEETPROF_BENCH_RUNS"] ?? 5);
const BATCHES = Number(process.env["FLEETPROF_BENCH_BATCHES"] ?? 240);
const HOSTS = 30;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(2));

function payloads(): { bufs: Buffer[]; stacks: number } {
  const t0 = Date.now() - 3_600_000;
  const bufs: Buffer[] = [];
  let stacks = 0;
  for (let i = 0; i < BATCHES; i++) {
    const h = i % HOSTS;
    const service = `svc-${String(h % 10)}`;
    const b = makeBatch(
      `decode-${String(i)}`,
      `host-${String(h)}`,
      Array.from({ length: 8 }, (_, j) =>
        makeProfile({
          service,
          version: `1.${String(Math.floor(h / 10))}`,
          pid: 1000 + h * 10 + j,
          windowStartUnixMs: t0 + Math.floor(i / HOSTS) * 10_000,
          stacks: 300,
          samples: 1000,
          seed: i * 100 + j,
        }),
      ),
    );
    stacks += b.profiles.reduce((n, p) => n + p.stacks.length, 0);
    bufs.push(Buffer.from(toBinary(SampleBatchSchema, b)));
  }
  return { bufs, stacks };
}

/** Stacks per CPU second decoding every buffer once with `decode`. */
function rate(bufs: readonly Buffer[], stacks: number, decode: (b: Buffer) => unknown): number {
  const t = process.cpuUsage();
  for (const b of bufs) decode(b);
  const used = process.cpuUsage(t);
  return stacks / ((used.user + used.system) / 1e6);
}

function main(): void {
  const { bufs, stacks } = payloads();
  const mb = bufs.reduce((n, b) => n + b.length, 0) / 1e6;
  const ours = (b: Buffer): unknown => decodeSampleBatch(b, DEFAULT_BATCH_LIMITS);
  const theirs = (b: Buffer): unknown => fromBinary(SampleBatchSchema, b);
  // warm both up before measuring
  rate(bufs, stacks, ours);
  rate(bufs, stacks, theirs);
  const a: number[] = [];
  const f: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    a.push(rate(bufs, stacks, ours));
    f.push(rate(bufs, stacks, theirs));
  }
  const s = median(a);
  const floor = median(f);
  console.log(`\nbenchmark | figure | floor | ratio`);
  console.log(
    `decode stacks per CPU second, ${String(BATCHES)} batches (${mb.toFixed(1)} MB), median of ${String(RUNS)} vs protobuf-es fromBinary | ${fmt(s)} | ${fmt(floor)} | ${(s / floor).toFixed(1)}×`,
  );
  console.log(`decode MB per CPU second | ${((mb * s) / stacks).toFixed(0)} | ${((mb * floor) / stacks).toFixed(0)} |`);
}

main();
