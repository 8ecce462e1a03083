/**
 * `kill -9` of a collector process in the middle of a stream, twice, then a restart that
 * finishes the job; the same batches are also published a second time with new message ids.
 * The collector child owns the chDB directory while it runs; totals are read after it is gone.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { SAMPLES_STREAM } from "@fleetprof/common";
import { openStore } from "@fleetprof/store";
import { rows, spawnTracked, startNats, tempDir, type Tracked, waitUntil } from "@fleetprof/test";
import { describe, expect, it } from "vitest";
import { makeBatch, makeProfile } from "./batches.js";
import { publishBatch } from "./publish.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const CONSUMER = "fleetprof-collector";

function collectorArgs(natsUrl: string, dataDir: string): string[] {
  return [
    "--conditions=@fleetprof/source",
    "--import",
    "tsx",
    join(here, "collector-main.ts"),
    "--nats-url",
    natsUrl,
    "--clickhouse-url",
    `chdb://${dataDir}`,
    "--metrics-listen",
    "",
    "--flush-rows",
    "3000",
    "--flush-interval",
    "50ms",
    "--ack-wait",
    "2s",
  ];
}

describe("collector process lifecycle", () => {
  it("on SIGTERM mid-stream finishes what it received, acknowledges it, and exits 0", async () => {
    const ns = await startNats();
    const nc = await connect({ servers: ns.url });
    const c = spawnTracked(process.execPath, collectorArgs(ns.url, tempDir("fleetprof-term-")), {
      cwd: root,
      env: { FLEETPROF_LOG_LEVEL: "info", FLEETPROF_LOG_FORMAT: "json" },
    });
    await c.waitFor(/collector started/, 60_000);
    const jsm = await jetstreamManager(nc);
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 600_000;
    const n = 300;
    for (let i = 0; i < n; i++)
      await publishBatch(
        nc,
        makeBatch(`term-${String(i)}`, "h", [makeProfile({ service: "api", version: "1", pid: i, windowStartUnixMs: t0 + i * 1000, stacks: 100 })]),
      );
    await waitUntil("some progress", async () => (await jsm.consumers.info(SAMPLES_STREAM, CONSUMER)).ack_floor.stream_seq >= 10, 90_000);
    const before = await jsm.consumers.info(SAMPLES_STREAM, CONSUMER);
    await c.stop(20_000);
    console.log(
      `SIGTERM with ${String(before.num_ack_pending)} messages delivered and not yet acknowledged, ${String(before.ack_floor.stream_seq)} of ${String(n)} done`,
    );
    expect(c.proc.exitCode).toBe(0);
    expect(c.stdout()).toMatch(/"collector stopped"/);
    const info = await jsm.consumers.info(SAMPLES_STREAM, CONSUMER);
    expect(before.num_ack_pending).toBeGreaterThan(0);
    expect(info.num_ack_pending).toBe(0);
    await nc.close();
    await ns.stop();
  });
});

describe("collector killed with SIGKILL mid-stream", () => {
  it("counts every sample exactly once after restarts and republishing", async () => {
    const ns = await startNats();
    const nc = await connect({ servers: ns.url });
    const dataDir = tempDir("fleetprof-kill-");
    const start = (): Tracked =>
      spawnTracked(process.execPath, collectorArgs(ns.url, dataDir), { cwd: root, env: { FLEETPROF_LOG_LEVEL: "info", FLEETPROF_LOG_FORMAT: "json" } });
    const published = new Map<string, number>();
    const batches = [];
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 7_200_000;
    for (let i = 0; i < 160; i++) {
      const service = ["api", "worker"][i % 2] as string;
      const version = ["1.4", "1.5", "1.6"][i % 3] as string;
      const b = makeBatch(`kill-${String(i)}`, `host-${String(i % 5)}`, [
        makeProfile({ service, version, pid: 1000 + i, windowStartUnixMs: t0 + i * 10_000, stacks: 40 }),
        makeProfile({ service, version, pid: 2000 + i, windowStartUnixMs: t0 + i * 10_000, stacks: 25 }),
      ]);
      for (const p of b.profiles)
        for (const s of p.stacks) published.set(`${service}/${version}`, (published.get(`${service}/${version}`) ?? 0) + Number(s.count));
      batches.push(b);
    }
    const jsm = await jetstreamManager(nc);
    const acked = async (): Promise<number> => {
      try {
        return (await jsm.consumers.info(SAMPLES_STREAM, CONSUMER)).ack_floor.stream_seq;
      } catch {
        return 0;
      }
    };

    // first run: killed once 20 batches are acknowledged while others are delivered and held.
    // The batches are published at a pace, so the stream is still flowing at the kill (all at
    // once, a fast collector could finish them between two polls and leave nothing in flight).
    let c = start();
    await c.waitFor(/collector started/, 60_000);
    const publishing = (async () => {
      for (const [i, b] of batches.entries()) {
        await publishBatch(nc, b);
        if (i % 4 === 3) await new Promise((r) => setTimeout(r, 40));
      }
    })();
    await waitUntil(
      "some progress with messages in flight",
      async () => {
        const info = await jsm.consumers.info(SAMPLES_STREAM, CONSUMER);
        return info.ack_floor.stream_seq >= 20 && info.num_ack_pending > 0;
      },
      90_000,
      20,
    );
    c.proc.kill("SIGKILL");
    await c.exited;
    await publishing;
    // the kill landed mid-stream: messages were delivered to the dead process and not acknowledged
    expect((await jsm.consumers.info(SAMPLES_STREAM, CONSUMER)).num_ack_pending).toBeGreaterThan(0);

    // second run: killed again once it made progress; the first 40 batches are published again
    // under new ids, half while it runs and half after the kill, so the last run has work left
    // however fast this one was (a fast collector can finish its backlog between two polls)
    const floor = await acked();
    c = start();
    await c.waitFor(/collector started/, 60_000);
    for (const b of batches.slice(0, 20)) await publishBatch(nc, b, `${b.batchId}-again`);
    await waitUntil("more progress", async () => (await acked()) > floor, 90_000, 20);
    c.proc.kill("SIGKILL");
    await c.exited;
    for (const b of batches.slice(20, 40)) await publishBatch(nc, b, `${b.batchId}-again`);

    // third run: finishes (redeliveries after ack wait), then stops cleanly
    c = start();
    await c.waitFor(/collector started/, 60_000);
    await waitUntil(
      "everything acknowledged",
      async () => {
        const info = await jsm.consumers.info(SAMPLES_STREAM, CONSUMER);
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      120_000,
    );
    await c.stop(10_000);
    expect({ exit: c.proc.exitCode, signal: c.proc.signalCode, stderr: c.stderr().slice(-3000) }).toMatchObject({ exit: 0 });
    const summary = JSON.parse(/\{[^\n]*"collector stopped"[^\n]*\}/.exec(c.stdout())?.[0] ?? "{}") as Record<string, number>;
    console.log("last run:", summary);
    // the 20 batches published after the second kill were the last run's to write
    expect((summary["messages"] ?? 0) + (summary["duplicates"] ?? 0)).toBeGreaterThanOrEqual(20);
    await nc.close();
    await ns.stop();

    const store = await openStore(`chdb://${dataDir}`);
    try {
      const r = await rows<{ k: string; n: string }>(
        store.client,
        `SELECT concat(service, '/', version) AS k, sum(count) AS n FROM ${store.db}.samples GROUP BY k`,
      );
      expect(new Map(r.map((x) => [x.k, Number(x.n)]))).toEqual(published);
      const stacks = await rows<{ n: string }>(
        store.client,
        `SELECT count() AS n FROM ${store.db}.samples WHERE stack_id NOT IN (SELECT stack_id FROM ${store.db}.stacks)`,
      );
      expect(Number(stacks[0]?.n)).toBe(0);
      // Rollups are written after the raw rows: a kill between the two can leave them short,
      // never counting more than raw (a retry after a kill must not double them).
      for (const t of ["samples_1m", "samples_1h"]) {
        const roll = await rows<{ k: string; n: string }>(
          store.client,
          `SELECT concat(service, '/', version) AS k, sum(count) AS n FROM ${store.db}.${t} GROUP BY k`,
        );
        for (const x of roll) expect(Number(x.n)).toBeLessThanOrEqual(published.get(x.k) ?? 0);
      }
    } finally {
      await store.close();
    }
  });
});
