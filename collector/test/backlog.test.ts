/**
 * A backlog of full-size batches (a collector that was down, or fell behind): tens of megabytes
 * waiting in the stream must be consumed at full speed, without the connection being cut as a
 * slow consumer (which would strand every message in flight until its ack wait runs out).
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createLogger, ensureStreams, loadConfig } from "@fleetprof/common";
import { encodeBatch } from "@fleetprof/proto";
import { openStore, type Store } from "@fleetprof/store";
import { rows, startNats, tempDir, type NatsServer, waitUntil } from "@fleetprof/test";
import { collectorOptions, startCollector, type CollectorHandle } from "@fleetprof/collector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeBatch, makeProfile } from "./batches.js";
import { publishBatch } from "./publish.js";

const T0 = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;

describe("collector with a large backlog", () => {
  let ns: NatsServer;
  let nc: NatsConnection;
  let store: Store;
  let collector: CollectorHandle | undefined;

  beforeAll(async () => {
    ns = await startNats();
    nc = await connect({ servers: ns.url });
    await ensureStreams(nc);
    store = await openStore(`chdb://${tempDir("fleetprof-backlog-")}`);
  });
  afterAll(async () => {
    await collector?.stop();
    await nc?.close();
    await store?.close();
    await ns?.stop();
  });

  it("drains 60 MB of waiting batches without a disconnect or a redelivery", async () => {
    let samples = 0;
    let bytes = 0;
    for (let i = 0; i < 560; i++) {
      const h = i % 28;
      const b = makeBatch(
        `backlog-${String(i)}`,
        `host-${String(h)}`,
        Array.from({ length: 8 }, (_, j) =>
          makeProfile({
            service: `svc-${String(h % 7)}`,
            version: "1",
            pid: 1000 + j,
            windowStartUnixMs: T0 + Math.floor(i / 28) * 10_000,
            stacks: 300,
            seed: i * 10 + j,
          }),
        ),
      );
      for (const p of b.profiles) for (const s of p.stacks) samples += Number(s.count);
      bytes += encodeBatch(b).byteLength;
      await publishBatch(nc, b);
    }
    expect(bytes).toBeGreaterThan(55 * 1024 * 1024);
    const { config } = loadConfig(collectorOptions, { argv: ["--nats-url", ns.url, "--metrics-listen", ""], env: {} });
    collector = await startCollector(config, { store, logger: createLogger({ level: "error", format: "json" }) });
    const c = collector;
    // well inside the default ack wait (60 s): a stranded message would only come back after it
    await waitUntil("the backlog written", () => c.metrics.samples >= samples, 40_000);
    expect(c.metrics.redeliveries).toBe(0);
    expect(c.metrics.natsUp).toBe(1);
    const [r] = await rows<{ n: string }>(store.client, `SELECT sum(count) AS n FROM ${store.db}.samples`);
    expect(Number(r?.n)).toBe(samples);
    // Stopping ends the decode workers; the embedded engine must not notice (a worker that
    // loaded chDB left it unable to run OPTIMIZE afterwards).
    await c.stop();
    collector = undefined;
    const optimize = store.client.command({ query: `OPTIMIZE TABLE ${store.db}.frames FINAL` });
    const stuck = new Promise((_, reject) => setTimeout(() => reject(new Error("OPTIMIZE still running after 30 s")), 30_000).unref());
    await Promise.race([optimize, stuck]);
  }, 120_000);
});
