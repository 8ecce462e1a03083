/**
 * The known workload of the integration tests: service "shop", versions 1.0 and 2.0 on two
 * hosts, ten one-minute windows each. Per window and host:
 *   1.0: main;handle;alpha 60, main;handle;beta 30, main;handle;gamma 6, main;legacy_cache 4
 *   2.0: alpha doubled (120), beta 30, gamma 6, main;new_feature 4 (legacy_cache gone)
 */
import { jetstream } from "@nats-io/jetstream";
import { connect, headers } from "@nats-io/transport-node";
import { create } from "@bufbuild/protobuf";
import { collectorOptions, startCollector } from "@fleetprof/collector";
import { createLogger, loadConfig } from "@fleetprof/common";
import {
  ENCODING_HEADER,
  encodeBatch,
  FORMAT_HEADER,
  FORMAT_VERSION,
  ProfileMode,
  SAMPLE_BATCH_FORMAT,
  SampleBatchSchema,
  samplesSubject,
  type SampleBatch,
} from "@fleetprof/proto";
import { isFrameTable, openStore, queryRows, type BatchInput, type FrameTable, type Store } from "@fleetprof/store";
import { startNats, tempDir, waitUntil } from "@fleetprof/test";
import { batchOf, type ProfileSpec } from "./fixtures.js";

export const WORKLOAD = {
  service: "shop",
  v1: { "main;handle;alpha": 60, "main;handle;beta": 30, "main;handle;gamma": 6, "main;legacy_cache": 4 },
  v2: { "main;handle;alpha": 120, "main;handle;beta": 30, "main;handle;gamma": 6, "main;new_feature": 4 },
  hosts: [
    { host: "web-1", region: "eu" },
    { host: "web-2", region: "us" },
  ],
  windows: 10,
} as const;

export interface Ingested {
  store: Store;
  /** A range covering every sample. */
  startMs: number;
  endMs: number;
  totals: { v1: number; v2: number };
  close(): Promise<void>;
}

/** The workload's batches, starting at `startMs` (windows 7 s past each minute). */
export function workloadBatches(startMs: number): BatchInput[] {
  const batches: BatchInput[] = [];
  for (let w = 0; w < WORKLOAD.windows; w++) {
    for (const [i, h] of WORKLOAD.hosts.entries()) {
      const timeMs = startMs + w * 60_000 + 7000;
      const common = { service: WORKLOAD.service, thread: "MainThread", labels: { region: h.region }, timeMs };
      const profiles: ProfileSpec[] = [
        { ...common, version: "1.0", pid: 100 + i, stacks: withFile(WORKLOAD.v1) },
        { ...common, version: "2.0", pid: 200 + i, stacks: withFile(WORKLOAD.v2) },
      ];
      batches.push(batchOf(h.host, ...profiles));
    }
  }
  return batches;
}

/** Frames are `shop.<fn>` so the fixture builder files them under shop.py; names drop the module. */
function withFile(stacks: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(stacks).map(([k, v]) => [
      k
        .split(";")
        .map((f) => `shop:${f}`)
        .join(";"),
      v,
    ]),
  );
}

function sum(stacks: Record<string, number>): number {
  return Object.values(stacks).reduce((a, b) => a + b, 0);
}

/** The wire form of a store batch: what an agent publishes. */
export function toSampleBatch(b: BatchInput): SampleBatch {
  return create(SampleBatchSchema, {
    batchId: b.batchId,
    host: b.host,
    agentVersion: "test",
    formatVersion: FORMAT_VERSION,
    part: 0,
    parts: 1,
    profiles: b.profiles.map((p) => {
      const windowStart = BigInt(p.windowStartUnixMs);
      const stacks = [];
      for (let i = 0; i < p.stacks.length; i++) {
        const from = p.stacks.start[i] as number;
        const to = p.stacks.start[i + 1] as number;
        stacks.push({
          frameIds: Array.from({ length: to - from }, (_, j) => p.stacks.frames[from + j] as number),
          thread: p.stacks.thread[i] as number,
          count: BigInt(p.stacks.count[i] as number),
        });
      }
      return {
        pid: p.pid,
        processStartUnixMs: windowStart - 3_600_000n,
        service: p.service,
        version: p.version,
        labels: { ...p.labels },
        mode: ProfileMode.CPU,
        sampleRateHz: 100,
        windowStartUnixMs: windowStart,
        windowEndUnixMs: windowStart + 10_000n,
        strings: Array.isArray(p.strings)
          ? [...(p.strings as readonly string[])]
          : Array.from({ length: p.strings.length }, (_, i) => (p.strings as { get(i: number): string }).get(i)),
        frames: isFrameTable(p.frames)
          ? Array.from({ length: p.frames.length }, (_, i) => {
              const d = (p.frames as FrameTable).data;
              return { function: d[i * 3] as number, file: d[i * 3 + 1] as number, line: d[i * 3 + 2] as number };
            })
          : p.frames.map((f) => ({ function: f.function, file: f.file, line: f.line })),
        stacks,
        captureId: p.captureId,
      };
    }),
  });
}

/**
 * Starts a real nats-server and the real collector on a fresh embedded store, publishes the
 * workload the way an agent does (gzip SampleBatch, format headers, batch id as Nats-Msg-Id),
 * and waits until the collector has written every sample.
 */
export async function ingestWorkload(): Promise<Ingested> {
  const ns = await startNats();
  const store = await openStore(`chdb://${tempDir("fleetprof-query-")}`);
  const { config } = loadConfig(collectorOptions, { argv: ["--nats-url", ns.url, "--metrics-listen", "", "--flush-interval", "100ms"], env: {} });
  const collector = await startCollector(config, { store, logger: createLogger({ level: "warn", format: "json" }) });
  const nc = await connect({ servers: ns.url });
  const startMs = Math.floor(Date.now() / 60_000) * 60_000 - 20 * 60_000;
  const n = WORKLOAD.windows * WORKLOAD.hosts.length;
  const totals = { v1: sum(WORKLOAD.v1) * n, v2: sum(WORKLOAD.v2) * n };
  try {
    const js = jetstream(nc);
    for (const b of workloadBatches(startMs)) {
      const h = headers();
      h.set(FORMAT_HEADER, SAMPLE_BATCH_FORMAT);
      h.set(ENCODING_HEADER, "gzip");
      await js.publish(samplesSubject(WORKLOAD.service, b.host), encodeBatch(toSampleBatch(b)), { headers: h, msgID: b.batchId });
    }
    const want = totals.v1 + totals.v2;
    const written = async (): Promise<number> => Number((await queryRows<[number]>(store, `SELECT sum(count) FROM ${store.db}.samples`, {}))[0]?.[0] ?? 0);
    await waitUntil("the collector to write the workload", async () => (await written()) >= want, 60_000, 100);
  } finally {
    await nc.close();
  }
  return {
    store,
    startMs,
    endMs: startMs + (WORKLOAD.windows + 1) * 60_000,
    totals,
    close: async () => {
      await collector.stop();
      await store.close();
      await ns.stop();
    },
  };
}
