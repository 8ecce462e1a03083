/**
 * Ingest benchmark: NATS JetStream → collector → embedded ClickHouse (chDB), next to floors
 * measured in the same run on the same rows:
 *
 * - floor (a): the collector's own inserts, pre-encoded, committed straight into the same chDB:
 *   no NATS, no decompression, no decoding, no encoding — only ClickHouse's share.
 * - floor (b): the raw sample rows alone, one row per stack, as RowBinary straight into
 *   `samples` (no rollups: less work than the collector does), plus the same dictionary rows.
 *
 * Throughput is the steady rate (samples landed between 10 % and 90 % of the run, a
 * collector that is up and running) and end to end (from start, workers and consumer
 * included). CPU counts this process (JavaScript, decode workers, zlib, chDB) and the
 * nats-server. Bytes on disk are after OPTIMIZE … FINAL, for the benchmark's own data (16 windows of 10 s of the fleet)
 * (dictionaries dominate) and for a longer stretch of the same fleet, where stacks repeat as
 * they do in production. Freshness: publish → queryable, p50 / p95. Medians of several runs.
 *
 *   npm run bench -- collector     FLEETPROF_BENCH_RUNS (default 3), FLEETPROF_BENCH_LONG_MINUTES (default 20)
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { jetstream } from "@nats-io/jetstream";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { createLogger, ensureStreams, loadConfig, sleep, type Logger } from "@fleetprof/common";
import { DEFAULT_BATCH_LIMITS, ENCODING_HEADER, encodeBatch, FORMAT_HEADER, SAMPLE_BATCH_FORMAT, samplesSubject, type ProcessProfile } from "@fleetprof/proto";
import {
  hashFrame,
  hashStack,
  hashString,
  hashStringToBigInt,
  openStore,
  RowBinaryWriter,
  stacksFromList,
  type BatchInput,
  type Store,
} from "@fleetprof/store";
import { killAllTracked, removeTempDirs, rows, startNats, tempDir, type NatsServer } from "@fleetprof/test";
import { collectorOptions, decodeSampleBatch, startCollector, type DecodedBatch } from "@fleetprof/collector";
import { makeBatch, makeProfile } from "../test/batches.js";

const RUNS = Number(process.env["FLEETPROF_BENCH_RUNS"] ?? 3);
const BATCHES = Number(process.env["FLEETPROF_BENCH_BATCHES"] ?? 480);
const LONG_MINUTES = Number(process.env["FLEETPROF_BENCH_LONG_MINUTES"] ?? 20);
const PROFILES_PER_BATCH = 8; // processes per host window
const STACKS = 300; // distinct stacks per process window
const SAMPLES = 1000; // 100 Hz × 10 s
const FLUSH_ROWS = 500_000;
const HOSTS = 30; // 10 services × 3 versions, one host each; every host publishes one batch per 10 s window
const LIMITS = DEFAULT_BATCH_LIMITS;

/** Progress on stderr (the figures go to stdout). */
const progress = (msg: string): void => {
  process.stderr.write(`  … ${msg}\n`);
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] as number;
const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(2));

interface Payload {
  subject: string;
  id: string;
  data: Uint8Array;
}

function batchAt(tag: string, i: number, windowStart: number): { service: string; host: string; b: ReturnType<typeof makeBatch> } {
  const h = i % HOSTS;
  const w = Math.floor(i / HOSTS);
  const service = `svc-${String(h % 10)}`;
  const host = `host-${String(h)}`;
  const b = makeBatch(
    `${tag}-${String(i)}`,
    host,
    Array.from({ length: PROFILES_PER_BATCH }, (_, j) =>
      makeProfile({
        service,
        version: `1.${String(Math.floor(h / 10))}`,
        pid: 1000 + h * 10 + j,
        windowStartUnixMs: windowStart + w * 10_000,
        stacks: STACKS,
        samples: SAMPLES,
        seed: i * 100 + j,
      }),
    ),
  );
  return { service, host, b };
}

function dataset(tag: string, count: number, windowStart: number): { payloads: Payload[]; samples: number; rows: number } {
  const payloads: Payload[] = [];
  let samples = 0;
  let rowsN = 0;
  for (let i = 0; i < count; i++) {
    const { service, host, b } = batchAt(tag, i, windowStart);
    for (const p of b.profiles) {
      rowsN += p.stacks.length;
      for (const s of p.stacks) samples += Number(s.count);
    }
    payloads.push({ subject: samplesSubject(service, host), id: b.batchId, data: encodeBatch(b) });
  }
  return { payloads, samples, rows: rowsN };
}

async function publish(nc: NatsConnection, payloads: Payload[], onPublished?: (id: string) => void): Promise<void> {
  const js = jetstream(nc);
  const h = headers();
  h.set(FORMAT_HEADER, SAMPLE_BATCH_FORMAT);
  h.set(ENCODING_HEADER, "gzip");
  for (const p of payloads) {
    await js.publish(p.subject, p.data, { headers: h, msgID: p.id });
    onPublished?.(p.id);
  }
}

/** Decoded batches grouped as the collector would flush them. */
function flushGroups(payloads: Payload[]): DecodedBatch[][] {
  const groups: DecodedBatch[][] = [];
  let cur: DecodedBatch[] = [];
  let n = 0;
  for (const p of payloads) {
    const b = decodeSampleBatch(gunzipSync(p.data), LIMITS);
    const r = b.profiles.reduce((a, x) => a + x.stacks.length, 0);
    if (n + r > FLUSH_ROWS && cur.length > 0) {
      groups.push(cur);
      cur = [];
      n = 0;
    }
    cur.push(b);
    n += r;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

/** `samples` rows, one per stack, in the table's column order. */
function flatSamples(batches: DecodedBatch[]): Buffer {
  const out = new RowBinaryWriter(1 << 24);
  const fh = new Uint32Array(1 << 14);
  const st = new Uint32Array(2);
  const bh = new Uint32Array(2);
  for (const b of batches) {
    hashString(b.batchId, bh, 0);
    for (const p of b.profiles) {
      const sh = p.strings.hashes;
      const fd = p.frames.data;
      for (let i = 0; i < p.frames.length; i++) hashFrame(sh, (fd[i * 3] as number) * 2, sh, (fd[i * 3 + 1] as number) * 2, fd[i * 3 + 2] as number, fh, i * 2);
      const labels = Object.entries(p.labels);
      for (let i = 0; i < p.stacks.length; i++) {
        hashStack(p.stacks.frames, p.stacks.start[i] as number, p.stacks.start[i + 1] as number, fh, st, 0);
        out.u32(Math.floor(p.windowStartUnixMs / 1000));
        out.string(p.service);
        out.string(p.version);
        out.string(b.host);
        out.u32(p.pid);
        out.string(p.mode);
        out.string(p.strings.get(p.stacks.thread[i] as number));
        out.varint(labels.length);
        for (const [k, v] of labels) {
          out.string(k);
          out.string(v);
        }
        out.u64(st[0] as number, st[1] as number);
        out.u64n(p.stacks.count[i] as number);
        out.string(p.captureId);
        out.u64(bh[0] as number, bh[1] as number);
      }
    }
  }
  return out.bytes();
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** CPU time of another process, ms (utime + stime from /proc; clock ticks of 10 ms). */
function procCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const st = readFileSync(`/proc/${String(pid)}/stat`, "utf8");
  const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

interface Disk {
  perSample: number;
  tables: string;
}

async function onDisk(store: Store, samples: number): Promise<Disk> {
  for (const t of ["frames", "stacks", "samples", "samples_1m", "samples_1h", "ingested_batches"])
    await store.client.command({ query: `OPTIMIZE TABLE ${store.db}.${t} FINAL` });
  const per = await rows<{ t: string; b: string }>(
    store.client,
    "SELECT table AS t, sum(bytes_on_disk) AS b FROM system.parts WHERE database = {d:String} AND active AND table != 'schema_migrations' GROUP BY t ORDER BY t",
    { d: store.database },
  );
  return {
    perSample: per.reduce((a, r) => a + Number(r.b), 0) / samples,
    tables: per.map((r) => `${r.t} ${(Number(r.b) / samples).toFixed(3)}`).join(", "),
  };
}

/** The store's input shape straight from a generated profile (no protobuf round trip). */
function toInput(p: ProcessProfile): BatchInput["profiles"][number] {
  return {
    pid: p.pid,
    service: p.service,
    version: p.version,
    labels: p.labels,
    mode: "cpu",
    windowStartUnixMs: Number(p.windowStartUnixMs),
    captureId: "",
    strings: p.strings,
    frames: p.frames.map((f) => ({ function: f.function, file: f.file, line: f.line })),
    stacks: stacksFromList(p.stacks.map((s) => ({ frameIds: s.frameIds, thread: s.thread, count: s.count }))),
  };
}

/** What every step shares: the NATS server with the messages published, the chDB path, the data set. */
interface Bench {
  logger: Logger;
  ns: NatsServer;
  nc: NatsConnection;
  url: string;
  /** Start of the data set's first window (ms). */
  window0: number;
  data: ReturnType<typeof dataset>;
}

/** The figures of every run, medians taken at the end. */
interface Figures {
  steady: number[];
  e2e: number[];
  firstWrite: number[];
  floorA: number[];
  floorB: number[];
  cpuPipe: number[];
  cpuNats: number[];
  cpuFloor: number[];
  disk: Disk | undefined;
}

/** Starts nats-server, builds the data set and publishes it once (every run consumes it with a fresh consumer). */
async function setUp(): Promise<Bench> {
  const logger = createLogger({ level: "error", format: "json" });
  const ns = await startNats();
  const nc = await connect({ servers: ns.url });
  await ensureStreams(nc);
  const url = `chdb://${tempDir("fleetprof-bench-")}`;
  const window0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
  const data = dataset("bench", BATCHES, window0);
  const wire = data.payloads.reduce((a, p) => a + p.data.byteLength, 0) / data.samples;
  console.log(
    `dataset: ${String(BATCHES)} batches × ${String(PROFILES_PER_BATCH)} processes × ${String(STACKS)} stacks (depth 20–60), ${fmt(data.samples)} samples, ${fmt(data.rows)} rows, ${wire.toFixed(1)} wire bytes/sample (gzip); ${String(RUNS)} runs`,
  );
  await publish(nc, data.payloads);
  return { logger, ns, nc, url, window0, data };
}

/** Floor (a): the collector's own inserts, pre-encoded, committed straight into chDB. */
async function floorOwnInserts(b: Bench, run: number, groups: DecodedBatch[][], f: Figures): Promise<void> {
  const store = await openStore(b.url, { database: `floor_${String(run)}` });
  const prepared = groups.map((g) => store.prepareWrite(g));
  const c0 = cpuMs();
  const t = performance.now();
  for (const p of prepared) await store.commitWrite(p);
  f.floorA.push(b.data.samples / ((performance.now() - t) / 1000));
  f.cpuFloor.push((cpuMs() - c0) / (b.data.samples / 1e6));
  await store.close();
}

/** Floor (b): flat raw rows straight into `samples`, and the same dictionary rows. */
async function floorFlatRows(b: Bench, run: number, groups: DecodedBatch[][], f: Figures): Promise<void> {
  const store = await openStore(b.url, { database: `flat_${String(run)}` });
  const dict = groups.map((g) => store.prepareWrite(g).enc);
  const flat = groups.map(flatSamples);
  const t = performance.now();
  for (let i = 0; i < groups.length; i++) {
    await store.insertRowBinary("frames", dict[i]?.frames.bytes() ?? Buffer.alloc(0));
    await store.insertRowBinary("stacks", dict[i]?.stacks.bytes() ?? Buffer.alloc(0));
    await store.insertRowBinary("samples", flat[i] ?? Buffer.alloc(0));
  }
  f.floorB.push(b.data.samples / ((performance.now() - t) / 1000));
  await store.close();
}

/** (time, samples landed, CPU ms of this process, CPU ms of nats-server) */
type TracePoint = [number, number, number, number];

/** The pipeline: messages already in the stream; a fresh consumer and database per run. */
async function pipeline(b: Bench, run: number, f: Figures): Promise<void> {
  const store = await openStore(b.url, { database: `pipe_${String(run)}` });
  const { config } = loadConfig(collectorOptions, {
    argv: [
      "--nats-url",
      b.ns.url,
      "--consumer-name",
      `bench-${String(run)}`,
      "--metrics-listen",
      "",
      "--flush-rows",
      String(FLUSH_ROWS),
      "--flush-interval",
      "250ms",
    ],
    env: {},
  });
  const t0 = performance.now();
  const c = await startCollector(config, { store, logger: b.logger });
  const trace: TracePoint[] = [];
  while (c.metrics.samples < b.data.samples) {
    trace.push([performance.now(), c.metrics.samples, cpuMs(), procCpuMs(b.ns.pid())]);
    await sleep(5);
  }
  const t1 = performance.now();
  trace.push([t1, c.metrics.samples, cpuMs(), procCpuMs(b.ns.pid())]);
  steadyFigures(trace, b.data.samples, f);
  f.e2e.push(b.data.samples / ((t1 - t0) / 1000));
  f.firstWrite.push((trace.find(([, s]) => s > 0)?.[0] ?? t1) - t0);
  await c.stop();
  if (run === 0) {
    progress("bytes on disk");
    f.disk = await onDisk(store, b.data.samples);
  }
  await store.close();
}

/** Rate and CPU between 10 % and 90 % of the samples landed (startup, worker start and the tail not counted). */
function steadyFigures(trace: TracePoint[], samples: number, f: Figures): void {
  const at = (share: number): TracePoint => trace.find(([, s]) => s >= share * samples) ?? (trace.at(-1) as TracePoint);
  const [ta, sa, ca, na] = at(0.1);
  const [tb, sb, cb, nb] = at(0.9);
  f.steady.push((sb - sa) / ((tb - ta) / 1000));
  f.cpuPipe.push((cb - ca) / ((sb - sa) / 1e6));
  f.cpuNats.push((nb - na) / ((sb - sa) / 1e6));
}

/** One run: both floors, then the pipeline. */
async function measureRun(b: Bench, run: number, f: Figures): Promise<void> {
  progress(`run ${String(run + 1)}: floor (a)`);
  const groups = flushGroups(b.data.payloads);
  await floorOwnInserts(b, run, groups, f);
  progress(`run ${String(run + 1)}: floor (b)`);
  await floorFlatRows(b, run, groups, f);
  progress(`run ${String(run + 1)}: pipeline`);
  await pipeline(b, run, f);
  console.log(
    `run ${String(run + 1)}: pipeline steady ${fmt(f.steady.at(-1) as number)} samples/s (end to end ${fmt(f.e2e.at(-1) as number)}), floor (a) ${fmt(f.floorA.at(-1) as number)}, floor (b) ${fmt(f.floorB.at(-1) as number)}`,
  );
}

/** Bytes on disk over a longer stretch of the same fleet, written through the same encoder and tables. */
async function longStretchOnDisk(b: Bench): Promise<Disk & { samples: number }> {
  progress(`bytes on disk over ${String(LONG_MINUTES)} min of the fleet`);
  const store = await openStore(b.url, { database: "long" });
  const n = LONG_MINUTES * 6 * HOSTS;
  let samples = 0;
  let w = store.beginWrite();
  for (let i = 0; i < n; i++) {
    const { b: batch } = batchAt("long", i, b.window0 - LONG_MINUTES * 60_000);
    const profiles = batch.profiles.map(toInput);
    for (const p of profiles) for (let k = 0; k < p.stacks.length; k++) samples += p.stacks.count[k] as number;
    w.add({ batchId: batch.batchId, host: batch.host, profiles });
    if (w.rows >= FLUSH_ROWS) {
      await store.commitWrite(w.finish());
      w = store.beginWrite();
    }
  }
  await store.commitWrite(w.finish());
  const d = await onDisk(store, samples);
  await store.close();
  return { samples, ...d };
}

/** Polls `samples` until `stop()` says so; each batch seen queryable records publish → queryable ms into `fresh`. */
async function pollQueryable(
  store: Store,
  since: number,
  sent: Map<string, number>,
  hashes: Map<string, string>,
  fresh: number[],
  stop: () => boolean,
): Promise<void> {
  while (!stop()) {
    const r = await rows<{ b: string }>(store.client, `SELECT DISTINCT toString(batch) AS b FROM ${store.db}.samples WHERE time >= toDateTime({t:UInt32})`, {
      t: since / 1000,
    });
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
    await sleep(10);
  }
}

/** Freshness: a steady trickle of batches, each polled until queryable (ms per batch). */
async function freshness(b: Bench): Promise<number[]> {
  progress("freshness");
  const fresh: number[] = [];
  const store = await openStore(b.url, { database: "fresh" });
  const { config } = loadConfig(collectorOptions, {
    argv: ["--nats-url", b.ns.url, "--consumer-name", "bench-fresh", "--metrics-listen", "", "--flush-interval", "100ms"],
    env: {},
  });
  const c = await startCollector(config, { store, logger: b.logger });
  while (c.metrics.samples < b.data.samples) await sleep(10);
  const trickleStart = b.window0 + 2 * 3_600_000;
  const trickle = dataset("fresh", 60, trickleStart).payloads;
  const sent = new Map<string, number>();
  const hashes = new Map<string, string>();
  for (const p of trickle) hashes.set(hashStringToBigInt(p.id).toString(), p.id);
  let done = false;
  const poll = pollQueryable(store, trickleStart, sent, hashes, fresh, () => done);
  for (const p of trickle) {
    await publish(b.nc, [p], (id) => sent.set(id, performance.now()));
    await sleep(50);
  }
  const until = Date.now() + 20_000;
  while (hashes.size > 0 && Date.now() < until) await sleep(20);
  done = true;
  await poll;
  await c.stop();
  await store.close();
  return fresh;
}

/** The figures table on stdout. */
function report(b: Bench, f: Figures, long: Disk & { samples: number }, fresh: number[]): void {
  const s = median(f.steady);
  const a = median(f.floorA);
  const fb = median(f.floorB);
  const rowsPer = b.data.rows / b.data.samples;
  console.log(`\nbenchmark | figure | floor | ratio`);
  console.log(
    `ingest samples/s, steady (median of ${String(RUNS)}) vs floor (a): the same inserts pre-encoded into chDB | ${fmt(s)} | ${fmt(a)} | ${((s / a) * 100).toFixed(0)}%`,
  );
  console.log(`ingest samples/s, steady vs floor (b): flat raw rows into samples, no rollups | ${fmt(s)} | ${fmt(fb)} | ${((s / fb) * 100).toFixed(0)}%`);
  console.log(`ingest rows/s, steady | ${fmt(s * rowsPer)} | ${fmt(a * rowsPer)} | ${((s / a) * 100).toFixed(0)}%`);
  console.log(
    `ingest samples/s, end to end (start, first fetch and the tail included) | ${fmt(median(f.e2e))} | ${fmt(a)} | ${((median(f.e2e) / a) * 100).toFixed(0)}%`,
  );
  console.log(`time to the first write after start (ms) | ${median(f.firstWrite).toFixed(0)} | |`);
  const cp = median(f.cpuPipe);
  const cn = median(f.cpuNats);
  const cf = median(f.cpuFloor);
  console.log(
    `CPU ms per million samples, steady: collector process (JS, decode workers, zlib, chDB) + nats-server | ${cp.toFixed(0)} + ${cn.toFixed(0)} | ${cf.toFixed(0)} (floor a) | ${((cf / (cp + cn)) * 100).toFixed(0)}%`,
  );
  console.log(
    `bytes on disk per sample, all tables, after OPTIMIZE FINAL: this dataset (160 s of fleet data) | ${f.disk?.perSample.toFixed(3) ?? "?"} | goal ≤ 1 |`,
  );
  console.log(`  per table: ${f.disk?.tables ?? ""}`);
  console.log(
    `bytes on disk per sample, all tables: ${String(LONG_MINUTES)} min of the same fleet (${fmt(long.samples)} samples) | ${long.perSample.toFixed(3)} | goal ≤ 1 |`,
  );
  console.log(`  per table: ${long.tables}`);
  console.log(
    `freshness publish → queryable p50 / p95 (ms, ${String(fresh.length)} batches, flush interval 100 ms) | ${pct(fresh, 0.5).toFixed(0)} / ${pct(fresh, 0.95).toFixed(0)} | |`,
  );
}

async function main(): Promise<void> {
  const b = await setUp();
  const f: Figures = { steady: [], e2e: [], firstWrite: [], floorA: [], floorB: [], cpuPipe: [], cpuNats: [], cpuFloor: [], disk: undefined };
  for (let run = 0; run < RUNS; run++) await measureRun(b, run, f);
  const long = await longStretchOnDisk(b);
  const fresh = await freshness(b);
  report(b, f, long, fresh);
  await b.nc.close();
  await b.ns.stop();
  await killAllTracked();
  removeTempDirs();
}

await main();
