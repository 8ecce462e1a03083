/**
 * Ingest benchmark: NATS JetStream → collector → embedded ClickHouse, next to a floor measured in
 * the same run (the same inserts, pre-encoded, straight into the same chDB: no NATS, no
 * decoding, no encoding). Prints medians of several runs, bytes on disk per sample after
 * OPTIMIZE … FINAL, and freshness (publish → queryable) p50/p95.
 *
 *   npm run bench -- collector            (FLEETPROF_BENCH_RUNS=5 for more runs)
 */
import { jetstream } from "@nats-io/jetstream";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { createLogger, ensureStreams, loadConfig } from "@fleetprof/common";
import { ENCODING_HEADER, encodeBatch, FORMAT_HEADER, SAMPLE_BATCH_FORMAT, samplesSubject } from "@fleetprof/proto";
import { hashFrame, hashStack, hashString, hashStringToBigInt, openStore, u64String, type Store } from "@fleetprof/store";
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { killAllTracked, removeTempDirs, rows, startNats, tempDir } from "@fleetprof/test";
import { collectorOptions, decodeSampleBatch, startCollector } from "@fleetprof/collector";
import { makeBatch, makeProfile } from "../test/batches.js";

const RUNS = Number(process.env["FLEETPROF_BENCH_RUNS"] ?? 3);
const BATCHES = Number(process.env["FLEETPROF_BENCH_BATCHES"] ?? 300);
const PROFILES_PER_BATCH = 8; // processes per host window
const STACKS = 300; // distinct stacks per process window
const SAMPLES = 1000; // 100 Hz × 10 s
const FLUSH_ROWS = 500_000;
const LIMITS = { maxStackDepth: 2048, maxLabels: 64, maxStringLength: 8192 };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] as number;
const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(2));

const HOSTS = 30; // 10 services × 3 versions, one host each; every host publishes one batch per 10 s window

function dataset(tag: string, count: number, windowStart: number): { payloads: { subject: string; id: string; data: Uint8Array }[]; samples: number; rows: number } {
  const payloads = [];
  let samples = 0;
  let rowsN = 0;
  for (let i = 0; i < count; i++) {
    const h = i % HOSTS;
    const w = Math.floor(i / HOSTS);
    const service = `svc-${String(h % 10)}`;
    const host = `host-${String(h)}`;
    const b = makeBatch(
      `${tag}-${String(i)}`,
      host,
      Array.from({ length: PROFILES_PER_BATCH }, (_, j) =>
        makeProfile({ service, version: `1.${String(Math.floor(h / 10))}`, pid: 1000 + h * 10 + j, windowStartUnixMs: windowStart + w * 10_000, stacks: STACKS, samples: SAMPLES, seed: i * 100 + j }),
      ),
    );
    for (const p of b.profiles) {
      rowsN += p.stacks.length;
      for (const s of p.stacks) samples += Number(s.count);
    }
    payloads.push({ subject: samplesSubject(service, host), id: b.batchId, data: encodeBatch(b) });
  }
  return { payloads, samples, rows: rowsN };
}

async function publish(nc: NatsConnection, payloads: { subject: string; id: string; data: Uint8Array }[], onPublished?: (id: string) => void): Promise<void> {
  const js = jetstream(nc);
  const h = headers();
  h.set(FORMAT_HEADER, SAMPLE_BATCH_FORMAT);
  h.set(ENCODING_HEADER, "gzip");
  for (const p of payloads) {
    await js.publish(p.subject, p.data, { headers: h, msgID: p.id });
    onPublished?.(p.id);
  }
}

let lastBreakdown = "";
let lastColumns = "";

/** The same sample rows as the collector writes, flat (one line per stack), pre-serialized. */
function flatRows(batches: ReturnType<typeof decodeSampleBatch>[]): string {
  const lines: string[] = [];
  const sh = new Uint32Array(4096);
  const fh = new Uint32Array(8192);
  const st = new Uint32Array(2);
  const b2 = new Uint32Array(2);
  for (const b of batches) {
    hashString(b.batchId, b2, 0);
    const batch = u64String(b2[0] as number, b2[1] as number);
    for (const p of b.profiles) {
      sh.set(p.strings.hashes.subarray(0, Math.min(p.strings.hashes.length, sh.length)));
      const fd = p.frames.data;
      for (let i = 0; i < p.frames.length; i++) hashFrame(sh, (fd[i * 3] as number) * 2, sh, (fd[i * 3 + 1] as number) * 2, fd[i * 3 + 2] as number, fh, i * 2);
      const head = `[${String(Math.floor(p.windowStartUnixMs / 1000))},${JSON.stringify(p.service)},${JSON.stringify(p.version)},${JSON.stringify(b.host)},${String(p.pid)},${JSON.stringify(p.mode)},`;
      const tail = `,${JSON.stringify(p.captureId)},${batch}]`;
      const labels = JSON.stringify(p.labels);
      for (let i = 0; i < p.stacks.length; i++) {
        hashStack(p.stacks.frames, p.stacks.start[i] as number, p.stacks.start[i + 1] as number, fh, st, 0);
        lines.push(`${head}${JSON.stringify(p.strings.get(p.stacks.thread[i] as number))},${labels},${u64String(st[0] as number, st[1] as number)},${String(p.stacks.count[i])}${tail}`);
      }
    }
  }
  return lines.join("\n") + "\n";
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

async function insertText(store: Store, table: string, text: string): Promise<void> {
  if (text === "") return;
  const r = await store.client.exec({ query: `INSERT INTO ${store.db}.${table} FORMAT JSONCompactEachRow`, values: Readable.from([text]) });
  for await (const _ of r.stream) {
    // drain
  }
}

async function onDisk(store: Store, database: string): Promise<number> {
  for (const t of ["frames", "stacks", "samples", "samples_1m", "samples_1h", "ingested_batches"]) {
    await store.client.command({ query: `OPTIMIZE TABLE \`${database}\`.${t} FINAL` });
  }
  const per = await rows<{ t: string; b: string }>(store.client, "SELECT table AS t, sum(bytes_on_disk) AS b FROM system.parts WHERE database = {d:String} AND active GROUP BY t ORDER BY t", { d: database });
  lastBreakdown = per.map((r) => `${r.t} ${(Number(r.b) / 1024).toFixed(0)} KiB`).join(", ");
  const cols = await rows<{ c: string; b: string }>(store.client, "SELECT column AS c, sum(column_data_compressed_bytes) AS b FROM system.parts_columns WHERE database = {d:String} AND table = 'samples' AND active GROUP BY c ORDER BY toUInt64(b) DESC", { d: database });
  lastColumns = cols.map((r) => `${r.c} ${(Number(r.b) / 1024).toFixed(0)} KiB`).join(", ");
  return per.reduce((a, r) => a + Number(r.b), 0);
}

async function main(): Promise<void> {
  const logger = createLogger({ level: "error", format: "json" });
  const ns = await startNats();
  const nc = await connect({ servers: ns.url });
  await ensureStreams(nc);
  const url = `chdb://${tempDir("fleetprof-bench-")}`;
  const window0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
  const data = dataset("bench", BATCHES, window0);
  const bytesPerSample = data.payloads.reduce((a, p) => a + p.data.byteLength, 0) / data.samples;
  console.log(
    `dataset: ${String(BATCHES)} batches × ${String(PROFILES_PER_BATCH)} processes × ${String(STACKS)} stacks (depth 20–60), ${fmt(data.samples)} samples, ${fmt(data.rows)} rows, ${bytesPerSample.toFixed(1)} wire bytes/sample; ${String(RUNS)} runs`,
  );
  await publish(nc, data.payloads);

  const pipe: number[] = [];
  const floor: number[] = [];
  const flatFloor: number[] = [];
  const pipeCpu: number[] = [];
  const floorCpu: number[] = [];
  const disk: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    // floors: the same rows straight into chDB, no NATS, no decoding, no hashing
    const decoded = data.payloads.map((p) => decodeSampleBatch(gunzipSync(p.data), LIMITS));
    const groups: (typeof decoded)[] = [];
    {
      let cur: typeof decoded = [];
      let rowsIn = 0;
      for (const b of decoded) {
        const r = b.profiles.reduce((a, p) => a + p.stacks.length, 0);
        if (rowsIn + r > FLUSH_ROWS && cur.length > 0) {
          groups.push(cur);
          cur = [];
          rowsIn = 0;
        }
        cur.push(b);
        rowsIn += r;
      }
      if (cur.length > 0) groups.push(cur);
    }
    {
      // (a) exactly the collector's inserts, pre-encoded (per-profile staging rows)
      const store = await openStore(url, { database: `floor_${String(run)}` });
      const prepared = groups.map((g) => store.prepareWrite(g));
      const t = performance.now();
      const cpu0 = process.cpuUsage();
      for (const p of prepared) await store.commitWrite(p);
      floor.push(data.samples / ((performance.now() - t) / 1000));
      floorCpu.push(cpuSeconds(cpu0) / (data.samples / 1e6));
      await store.close();
    }
    {
      // (b) the literal floor: flat sample rows (one per stack) into `samples`, plus the same dictionary rows
      const store = await openStore(url, { database: `flat_${String(run)}` });
      const dict = groups.map((g) => store.prepareWrite(g).enc);
      const flat = groups.map(flatRows);
      const t = performance.now();
      for (let i = 0; i < groups.length; i++) {
        const d = dict[i];
        if (d === undefined) continue;
        await insertText(store, "samples", flat[i] ?? "");
      }
      flatFloor.push(data.samples / ((performance.now() - t) / 1000));
      await store.close();
    }
    // pipeline: messages already in the stream; a fresh consumer and database per run
    {
      const database = `pipe_${String(run)}`;
      const store = await openStore(url, { database });
      const { config } = loadConfig(collectorOptions, {
        argv: ["--nats-url", ns.url, "--consumer-name", `bench-${String(run)}`, "--metrics-listen", "", "--flush-rows", String(FLUSH_ROWS), "--flush-interval", "250ms"],
        env: {},
      });
      const t = performance.now();
      const cpu0 = process.cpuUsage();
      const c = await startCollector(config, { store, logger });
      while (c.metrics.samples < data.samples) await new Promise((r) => setTimeout(r, 5));
      pipe.push(data.samples / ((performance.now() - t) / 1000));
      pipeCpu.push(cpuSeconds(cpu0) / (data.samples / 1e6));
      await c.stop();
      disk.push((await onDisk(store, database)) / data.samples);
      await store.close();
    }
    console.log(`run ${String(run + 1)}: pipeline ${fmt(pipe.at(-1) as number)} samples/s, floor (same inserts) ${fmt(floor.at(-1) as number)}, floor (flat rows) ${fmt(flatFloor.at(-1) as number)}`);
  }

  // freshness: a steady trickle of batches, each polled until queryable
  const fresh: number[] = [];
  {
    const database = "fresh";
    const store = await openStore(url, { database });
    const { config } = loadConfig(collectorOptions, { argv: ["--nats-url", ns.url, "--consumer-name", "bench-fresh", "--metrics-listen", "", "--flush-interval", "100ms"], env: {} });
    // only new messages for this consumer: publish after it exists, on a fresh id range
    const c = await startCollector({ ...config }, { store, logger });
    while (c.metrics.samples < data.samples) await new Promise((r) => setTimeout(r, 10));
    const trickle = dataset("fresh", 60, window0 + 600_000).payloads;
    const sent = new Map<string, number>();
    const hashes = new Map<string, string>();
    for (const p of trickle) hashes.set(hashStringToBigInt(p.id).toString(), p.id);
    let done = false;
    const poll = (async () => {
      while (!done) {
        const r = await rows<{ b: string }>(store.client, `SELECT DISTINCT toString(batch) AS b FROM \`${database}\`.samples WHERE time >= toDateTime({t:UInt32})`, { t: (window0 + 600_000) / 1000 });
        const now = performance.now();
        for (const { b } of r) {
          const id = hashes.get(b);
          const at = id === undefined ? undefined : sent.get(id);
          if (id !== undefined && at !== undefined) {
            fresh.push(now - at);
            sent.delete(id);
            hashes.delete(b);
          }
        }
        await new Promise((res) => setTimeout(res, 10));
      }
    })();
    for (const p of trickle) {
      await publish(nc, [p], (id) => sent.set(id, performance.now()));
      await new Promise((r) => setTimeout(r, 50));
    }
    const until = Date.now() + 20_000;
    while (hashes.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    done = true;
    await poll;
    await c.stop();
    await store.close();
  }

  const p = median(pipe);
  const f = median(floor);
  console.log("\nbenchmark | figure | floor | ratio");
  const ff = median(flatFloor);
  console.log(`ingest samples/s (median of ${String(RUNS)}) vs the collector's own inserts pre-encoded | ${fmt(p)} | ${fmt(f)} | ${((p / f) * 100).toFixed(0)}%`);
  console.log(`ingest samples/s vs flat rows pre-serialized into samples | ${fmt(p)} | ${fmt(ff)} | ${((p / ff) * 100).toFixed(0)}%`);
  console.log(`ingest rows/s | ${fmt((p * data.rows) / data.samples)} | ${fmt((f * data.rows) / data.samples)} | ${((p / f) * 100).toFixed(0)}%`);
  const pc = median(pipeCpu);
  const fc = median(floorCpu);
  console.log(`CPU seconds per million samples, this process (all threads: JS, zlib, chDB) | ${pc.toFixed(2)} | ${fc.toFixed(2)} | ${((fc / pc) * 100).toFixed(0)}%`);
  console.log(`  → throughput if 2 idle cores were all ours: pipeline ~${fmt((2 / pc) * 1e6)} samples/s, floor ~${fmt((2 / fc) * 1e6)} samples/s (CPU-bound estimate, NATS server not counted)`);
  console.log(`bytes on disk per sample, all tables, after OPTIMIZE FINAL | ${median(disk).toFixed(3)} | goal ≤ 1 |`);
  console.log(`  on disk by table: ${lastBreakdown}`);
  console.log(`  samples by column: ${lastColumns}`);
  console.log(`freshness publish → queryable p50 / p95 (ms, ${String(fresh.length)} batches, flush interval 100 ms) | ${pct(fresh, 0.5).toFixed(0)} / ${pct(fresh, 0.95).toFixed(0)} | |`);
  await nc.close();
  await ns.stop();
  await killAllTracked();
  removeTempDirs();
}


await main();
