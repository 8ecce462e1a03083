/**
 * Hostile input against the collector, as an attacker with one agent's NATS credentials would
 * send it: each case publishes the bad thing to a real nats-server, with a real collector
 * writing to embedded ClickHouse, then proves that (a) the collector is still up (/healthz),
 * (b) a good batch published right after is queryable within seconds, and (c) the bad one is
 * in the dead-letter stream with its reason. Last, the whole `fleetprof up` process (collector
 * and query API in one process) takes the 65 KB protobuf bomb and still stores a good batch.
 */
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createLogger, loadConfig, SAMPLES_STREAM } from "@fleetprof/common";
import { collectorOptions, startCollector, type CollectorHandle } from "@fleetprof/collector";
import { encodeBatch, type SampleBatch } from "@fleetprof/proto";
import { openStore, type Store } from "@fleetprof/store";
import { freePort, REPO_ROOT, startFleetprofUp, startNats, tempDir, waitUntil, type NatsServer } from "@fleetprof/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Io } from "../../cli/src/io.js";
import { batchTotal } from "../../collector/test/batches.js";
import { DAY, forged, goodBatch, gzipBomb, invalidUtf8, labelFlood, poisonBatch, protobufBomb, subjectOf, timeBatch } from "./attacks.js";
import { deadLetterOf, healthStatus, publishPayload, samplesOfHost } from "./support.js";

const CONSUMER = "fleetprof-collector";

describe("hostile input against a collector", () => {
  let ns: NatsServer;
  let nc: NatsConnection;
  let store: Store;
  let collector: CollectorHandle | undefined;
  let cases = 0;

  const start = async (...args: string[]): Promise<CollectorHandle> => {
    const argv = ["--nats-url", ns.url, "--metrics-listen", "127.0.0.1:0", "--flush-interval", "200ms", ...args];
    collector = await startCollector(loadConfig(collectorOptions, { argv, env: {} }).config, {
      store,
      logger: createLogger({ level: "fatal", format: "json" }),
    });
    return collector;
  };
  const stop = async (): Promise<void> => {
    await collector?.stop();
    collector = undefined;
  };

  /**
   * Publishes the bad payload on `subject` and a good batch right after (from a host of its own),
   * then checks health, the good batch's samples, and the bad one's dead-letter copy.
   */
  const survives = async (bad: { subject: string; payload: Uint8Array; encoding?: string }, reason: string, detail: RegExp): Promise<void> => {
    const c = collector;
    if (c === undefined) throw new Error("no collector running");
    const n = cases++;
    const seq = await publishPayload(nc, bad.subject, bad.payload, `bad-${String(n)}`, bad.encoding);
    const good = goodBatch(`good-${String(n)}`, "shop", `web-good-${String(n)}`);
    await publishPayload(nc, subjectOf("shop", good.host), encodeBatch(good), good.batchId);
    const stored = await waitUntil(
      `the good batch after case ${String(n)}`,
      async () => ((await samplesOfHost(store, good.host)) === batchTotal(good) ? true : undefined),
      15_000,
    );
    expect(stored).toBe(true);
    expect(await healthStatus(c.httpAddress ?? "")).toBe(200);
    const dl = await deadLetterOf(nc, seq);
    expect(dl.reason).toBe(reason);
    expect(dl.subject).toBe(`fleetprof.dlq.${reason}`);
    expect(dl.from).toBe(bad.subject);
    expect(dl.detail).toMatch(detail);
    expect(dl.bytes).toBe(bad.payload.length);
  };

  beforeAll(async () => {
    ns = await startNats();
    nc = await connect({ servers: ns.url });
    store = await openStore(`chdb://${tempDir("fleetprof-hostile-")}`);
    await start();
  });
  afterAll(async () => {
    await stop();
    await nc?.close();
    await store?.close();
    await ns?.stop();
  });

  it("refuses the 65 KB protobuf bomb (33 M empty profiles) at the profile cap", async () => {
    const bomb = protobufBomb();
    expect(bomb.length).toBeLessThan(66_000);
    await survives(
      { subject: subjectOf("shop", "web-evil"), payload: bomb },
      "too_many_profiles",
      /^max-profiles exceeded: more than 10000 profiles in one message$/,
    );
  });

  it("refuses a gzip bomb (256 MiB of zeros in 260 KB) at the decompressed-size cap", async () => {
    await survives(
      { subject: subjectOf("shop", "web-evil"), payload: gzipBomb() },
      "too_large",
      /max-decoded-bytes exceeded: the payload decompresses to more than 67108864 bytes/,
    );
  });

  it("refuses a batch of 101 profiles whose windows are a day apart (one daily partition each)", async () => {
    await survives(
      { subject: subjectOf("shop", "web-evil"), payload: encodeBatch(poisonBatch("poison-1", "shop", "web-evil")) },
      "invalid_time",
      /max-window-age exceeded: window start \S+ is [\d.]+ days old \(more than 7\.00 days\)/,
    );
  });

  it("refuses a batch whose host is not the subject's (one agent writing as another host)", async () => {
    await survives(
      { subject: subjectOf("shop", "web-evil"), payload: encodeBatch(forged("forged-host", "shop", "web-victim")) },
      "subject_mismatch",
      /host "web-victim" in the payload does not match the subject fleetprof\.samples\.shop\.web-evil/,
    );
    expect(await samplesOfHost(store, "web-victim")).toBe(0);
  });

  it("refuses a batch whose service is not the subject's", async () => {
    await survives(
      { subject: subjectOf("shop", "web-evil"), payload: encodeBatch(forged("forged-service", "billing", "web-evil")) },
      "subject_mismatch",
      /service "billing", which does not match the subject fleetprof\.samples\.shop\.web-evil/,
    );
  });

  it("refuses windows twenty years in the past and ten years in the future", async () => {
    const past = timeBatch("past-1", Date.now() - 20 * 365 * DAY, "shop", "web-evil");
    await survives({ subject: subjectOf("shop", "web-evil"), payload: encodeBatch(past) }, "invalid_time", /max-window-age exceeded/);
    const future = timeBatch("future-1", Date.now() + 10 * 365 * DAY, "shop", "web-evil");
    await survives({ subject: subjectOf("shop", "web-evil"), payload: encodeBatch(future) }, "invalid_time", /max-window-ahead exceeded/);
  });

  it("refuses 100 000 distinct label values in one message", async () => {
    await survives(
      { subject: subjectOf("shop", "web-evil"), payload: encodeBatch(labelFlood("labels-1", 100_000, 50, "shop", "web-evil")) },
      "too_many_label_values",
      /^max-label-values exceeded: more than 10000 distinct label values in one message$/,
    );
  });

  it("refuses a function name that is not UTF-8", async () => {
    await survives(
      { subject: subjectOf("shop", "web-evil"), payload: invalidUtf8("utf8-1", "shop", "web-evil") },
      "invalid_utf8",
      /a function, file or thread name is not valid UTF-8/,
    );
  });

  it("dead-letters the message a decode worker died of, and never decodes it on the main thread", async () => {
    // a collector whose caps let the bomb through to a worker with a 48 MiB heap: the worker dies of it
    await stop();
    const c = await start("--decode-threads", "1", "--decode-worker-heap", "48", "--max-profiles", "100000000");
    try {
      await survives(
        { subject: subjectOf("shop", "web-evil"), payload: protobufBomb() },
        "decoder_crashed",
        /a decode worker died decoding this message \(ERR_WORKER_OUT_OF_MEMORY\)/,
      );
      expect(c.metrics.rejected.get("decoder_crashed")).toBe(1);
    } finally {
      await stop();
      await start();
    }
  });

  it("copies a message to the dead-letter stream on its last delivery (max_deliver), and the stream moves on", async () => {
    // Two collectors took the bomb and died before answering (a client that pulls and never acknowledges).
    await stop();
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.update(SAMPLES_STREAM, CONSUMER, { ack_wait: 1_500_000_000, max_deliver: 3 });
    const bomb = protobufBomb();
    const seq = await publishPayload(nc, subjectOf("shop", "web-evil"), bomb, "stuck-1");
    const doomed = await jetstream(nc).consumers.get(SAMPLES_STREAM, CONSUMER);
    // each pull waits until the ack wait of the delivery before has passed and JetStream delivers it again
    for (let delivery = 1; delivery <= 2; delivery++) {
      const m = await doomed.next({ expires: 10_000 });
      expect(m?.seq).toBe(seq);
      expect(m?.info.deliveryCount).toBe(delivery);
    }
    try {
      const again = await start("--max-deliver", "3", "--ack-wait", "1500ms");
      const dl = await deadLetterOf(nc, seq);
      expect(dl).toMatchObject({ reason: "max_deliver", bytes: bomb.length });
      expect(dl.detail).toMatch(/delivered 3 times without being stored or refused \(max-deliver 3\)/);
      expect(again.metrics.rejected.get("max_deliver")).toBe(1);
      const good = goodBatch("good-after-max-deliver", "shop", "web-good-md");
      await publishPayload(nc, subjectOf("shop", good.host), encodeBatch(good), good.batchId);
      await waitUntil(
        "the good batch after max_deliver",
        async () => ((await samplesOfHost(store, good.host)) === batchTotal(good) ? true : undefined),
        15_000,
      );
      expect(await healthStatus(again.httpAddress ?? "")).toBe(200);
    } finally {
      await stop();
      await start();
    }
  });
});

describe("hostile input against `fleetprof up`", () => {
  it("keeps the whole process (collector and query API) up through the protobuf bomb while a good batch lands", async () => {
    const dataDir = join(tempDir("fleetprof-up-hostile-"), "data");
    const [natsPort, apiPort] = [await freePort(), await freePort()];
    const api = `127.0.0.1:${String(apiPort)}`;
    const up = startFleetprofUp(["--no-agent", "--data-dir", dataDir, "--nats-port", String(natsPort), "--api-port", String(apiPort)], {
      nodeArgs: ["--max-old-space-size=1024"],
    });
    await up.waitFor(/fleetprof up: ready/, 90_000);
    const nc = await connect({ servers: `nats://127.0.0.1:${String(natsPort)}` });
    try {
      const bomb = protobufBomb();
      const seq = await publishPayload(nc, subjectOf("upshop", "web-evil"), bomb, "up-bomb");
      const good: SampleBatch = goodBatch("up-good-1", "upshop", "web-up");
      await publishPayload(nc, subjectOf("upshop", "web-up"), encodeBatch(good), good.batchId);
      const { main } = await import("../../cli/src/main.js");
      const { connectQueryApi } = await import("../../cli/src/client/connect.js");
      const total = async (): Promise<number> => {
        let out = "";
        const io: Io = {
          stdout: { write: (s: string | Uint8Array) => (out += String(s)) },
          stderr: { write: () => true },
          env: {},
          cwd: REPO_ROOT,
          now: () => Date.now(),
        };
        const code = await main(["series", "upshop", "--since", "3h", "--api", api, "--json"], { io, connect: connectQueryApi });
        if (code !== 0) return -1;
        const parsed = JSON.parse(out) as { series?: { total?: string }[] };
        return (parsed.series ?? []).reduce((n, s) => n + Number(s.total ?? 0), 0);
      };
      await waitUntil("the good batch queryable through the query API", async () => ((await total()) === batchTotal(good) ? true : undefined), 20_000, 500);
      const dl = await deadLetterOf(nc, seq);
      expect(dl.reason).toBe("too_many_profiles");
      expect(up.proc.exitCode).toBeNull();
      expect(up.proc.signalCode).toBeNull();
    } finally {
      await nc.close();
      up.proc.kill("SIGINT");
      expect(await up.exited).toBe(0);
    }
  }, 180_000);
});
