/**
 * The collector against a real nats-server and a real embedded ClickHouse: totals exact per
 * service/version, duplicates ignored, hostile input dead-lettered, ClickHouse failures ridden
 * out without redeliveries or dead letters, rollups equal to the raw table.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createLogger, DLQ_STREAM, loadConfig, sleep } from "@fleetprof/common";
import { SampleBatchSchema, StackSchema, encodeBatch, samplesSubject } from "@fleetprof/proto";
import { openStore, type Store } from "@fleetprof/store";
import { rows, startNats, tempDir, type NatsServer, waitUntil } from "@fleetprof/test";
import { collectorOptions, startCollector, type CollectorHandle } from "@fleetprof/collector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeBatch, makeProfile } from "./batches.js";
import { publishBatch, publishRaw } from "./publish.js";

const NOW = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
const published = new Map<string, number>(); // "service/version" → samples

function track(b: ReturnType<typeof makeBatch>): ReturnType<typeof makeBatch> {
  for (const p of b.profiles) {
    const k = `${p.service}/${p.version}`;
    let n = 0;
    for (const s of p.stacks) n += Number(s.count);
    published.set(k, (published.get(k) ?? 0) + n);
  }
  return b;
}

function goodBatch(i: number): ReturnType<typeof makeBatch> {
  const service = ["api", "worker", "billing"][i % 3] as string;
  const version = i % 2 === 0 ? "1.4" : "1.5";
  return makeBatch(`good-${String(i)}`, `host-${String(i % 4)}`, [
    makeProfile({ service, version, pid: 100 + i, windowStartUnixMs: NOW + i * 10_000, stacks: 60 }),
    makeProfile({ service, version, pid: 200 + i, windowStartUnixMs: NOW + i * 10_000, stacks: 30 }),
  ]);
}

async function totals(store: Store): Promise<Map<string, number>> {
  const r = await rows<{ k: string; n: string }>(
    store.client,
    `SELECT concat(service, '/', version) AS k, sum(count) AS n FROM ${store.db}.samples GROUP BY k`,
  );
  return new Map(r.map((x) => [x.k, Number(x.n)]));
}

describe("collector", () => {
  let ns: NatsServer;
  let nc: NatsConnection;
  let store: Store;
  let collector: CollectorHandle;
  const publishedTotal = (): number => [...published.values()].reduce((a, b) => a + b, 0);

  beforeAll(async () => {
    ns = await startNats();
    nc = await connect({ servers: ns.url });
    store = await openStore(`chdb://${tempDir("fleetprof-collector-")}`);
    const { config } = loadConfig(collectorOptions, {
      argv: ["--nats-url", ns.url, "--metrics-listen", "127.0.0.1:0", "--flush-interval", "200ms", "--flush-rows", "20000", "--ack-wait", "1s"],
      env: {},
    });
    collector = await startCollector(config, { store, logger: createLogger({ level: "error", format: "json" }) });
  });
  afterAll(async () => {
    await collector?.stop();
    await nc?.close();
    await store?.close();
    await ns?.stop();
  });

  it("writes every published sample exactly once, per service and version", async () => {
    for (let i = 0; i < 30; i++) await publishBatch(nc, track(goodBatch(i)));
    await waitUntil("all samples written", () => collector.metrics.samples >= publishedTotal());
    expect(await totals(store)).toEqual(published);
    const res = await fetch(`http://${collector.httpAddress ?? ""}/metrics`);
    expect(await res.text()).toMatch(/fleetprof_collector_messages_total\{result="ingested"\} 30/);
    expect((await fetch(`http://${collector.httpAddress ?? ""}/healthz`)).status).toBe(200);
  });

  it("ignores the same batches published again (same and new message ids)", async () => {
    const before = collector.metrics.messagesDuplicate;
    for (let i = 0; i < 10; i++) await publishBatch(nc, goodBatch(i), `again-${String(i)}`);
    for (let i = 10; i < 15; i++) await publishBatch(nc, goodBatch(i)); // same Nats-Msg-Id: JetStream drops these
    await waitUntil("duplicates seen", () => collector.metrics.messagesDuplicate >= before + 10);
    expect(await totals(store)).toEqual(published);
  });

  it("dead-letters malformed and hostile messages with their reason while good ones land", async () => {
    const base = 100;
    const bad: [string, Uint8Array, (string | undefined)?, (string | undefined)?][] = [];
    bad.push(["undecodable", new Uint8Array([1, 2, 3, 4, 5])]);
    bad.push(["undecodable", encodeBatch(goodBatch(0)).subarray(0, 100)]);
    bad.push(["unknown_version", encodeBatch(create(SampleBatchSchema, { ...goodBatch(1), batchId: "v9", formatVersion: 9 }))]);
    bad.push(["unknown_version", encodeBatch(goodBatch(2)), "fleetprof.v7.SampleBatch"]);
    const negative = goodBatch(3);
    negative.batchId = "neg";
    negative.profiles[0]!.stacks[0]!.count = 2n ** 64n - 5n; // -5 as an unsigned 64-bit count
    bad.push(["invalid_count", encodeBatch(negative)]);
    const deep = goodBatch(4);
    deep.batchId = "deep";
    deep.profiles[0]!.stacks.push(create(StackSchema, { frameIds: Array.from({ length: 10_000 }, (_, i) => i % 10), count: 1n }));
    bad.push(["stack_too_deep", encodeBatch(deep)]);
    bad.push([
      "too_many_labels",
      encodeBatch(
        makeBatch("labels", "h", [
          makeProfile({
            service: "api",
            version: "1",
            pid: 1,
            windowStartUnixMs: NOW,
            labels: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${String(i)}`, `v${String(i)}`])),
          }),
        ]),
      ),
    ]);
    bad.push([
      "oversized_string",
      encodeBatch(makeBatch("long", "h", [makeProfile({ service: "api", version: "x".repeat(100_000), pid: 1, windowStartUnixMs: NOW })])),
    ]);
    const dangling = goodBatch(5);
    dangling.batchId = "dangling";
    dangling.profiles[0]!.stacks[0]!.frameIds = [999_999];
    bad.push(["invalid_reference", encodeBatch(dangling)]);
    bad.push(["undecodable", new TextEncoder().encode("plain text, not gzip"), undefined, "identity"]);
    bad.push(["undecodable", toBinary(SampleBatchSchema, goodBatch(6)), undefined, "br"]);
    const ingestedBefore = collector.metrics.messagesIngested;
    let k = 0;
    for (const [, payload, format, encoding] of bad) {
      await publishRaw(nc, samplesSubject("api", "evil"), payload, `bad-${String(k++)}`, format, encoding);
      await publishBatch(nc, track(goodBatch(base + k)));
    }
    await waitUntil(
      "good and bad handled",
      () => collector.metrics.messagesIngested >= ingestedBefore + bad.length && collector.metrics.messagesRejected >= bad.length,
    );
    expect(await totals(store)).toEqual(published);
    const expected = new Map<string, number>();
    for (const [reason] of bad) expected.set(reason, (expected.get(reason) ?? 0) + 1);
    for (const [reason, n] of expected) expect(collector.metrics.rejected.get(reason), reason).toBe(n);
    const jsm = await jetstreamManager(nc);
    await waitUntil("dead letters stored", async () => (await jsm.streams.info(DLQ_STREAM)).state.messages === bad.length);
    const seen = new Map<string, number>();
    for (let seq = 1; seq <= bad.length; seq++) {
      const m = await jsm.streams.getMessage(DLQ_STREAM, { seq });
      const reason = m?.header.get("Fleetprof-Dlq-Reason") ?? "";
      expect(m?.subject).toBe(`fleetprof.dlq.${reason}`);
      expect(m?.header.get("Fleetprof-Dlq-Detail")).not.toBe("");
      seen.set(reason, (seen.get(reason) ?? 0) + 1);
    }
    expect(seen).toEqual(expected);
  });

  it("rides out a failing ClickHouse: nothing lost, doubled, redelivered or dead-lettered", async () => {
    const rejected = collector.metrics.messagesRejected;
    const redeliveries = collector.metrics.redeliveries;
    store.faults.failInserts();
    const failuresBefore = collector.metrics.insertFailures;
    for (let i = 200; i < 230; i++) await publishBatch(nc, track(goodBatch(i)));
    await waitUntil("writes failing", () => collector.metrics.insertFailures >= failuresBefore + 3);
    expect((await fetch(`http://${collector.httpAddress ?? ""}/healthz`)).status).toBe(503);
    expect(collector.metrics.clickhouseUp).toBe(0);
    // longer than twice the ack wait: held messages must be kept alive, not redelivered (a fixed
    // wait, as only time passing shows that no redelivery came)
    await sleep(3000);
    store.faults.heal();
    await waitUntil("all samples written after recovery", () => collector.metrics.samples >= publishedTotal());
    expect(await totals(store)).toEqual(published);
    expect(collector.metrics.messagesRejected).toBe(rejected);
    expect(collector.metrics.redeliveries).toBe(redeliveries);
    expect(redeliveries).toBe(0);
    expect(collector.health().ok).toBe(true);
  });

  it("rides out a real ClickHouse failure (the samples table detached mid-stream)", async () => {
    const failures = collector.metrics.insertFailures;
    const rejected = collector.metrics.messagesRejected;
    await store.client.command({ query: `DETACH TABLE ${store.db}.samples` });
    try {
      for (let i = 300; i < 310; i++) await publishBatch(nc, track(goodBatch(i)));
      await waitUntil("writes failing", () => collector.metrics.insertFailures >= failures + 2);
    } finally {
      await store.client.command({ query: `ATTACH TABLE ${store.db}.samples` });
    }
    await waitUntil("all samples written after the table is back", () => collector.metrics.samples >= publishedTotal());
    expect(await totals(store)).toEqual(published);
    expect(collector.metrics.messagesRejected).toBe(rejected);
  });

  it("isolates a batch ClickHouse refuses for good: dead-lettered with the error code, the rest of its write and later writes land", async () => {
    // an operator's constraint the refused batch breaks; it travels in one write with good batches
    await store.client.command({ query: `ALTER TABLE ${store.db}.samples ADD CONSTRAINT no_refused CHECK service != 'refused'` });
    try {
      const refused = makeBatch("refused-1", "host-r", [makeProfile({ service: "refused", version: "1", pid: 1, windowStartUnixMs: NOW, stacks: 40 })]);
      const batches = [
        ...Array.from({ length: 6 }, (_, i) => track(goodBatch(400 + i))),
        refused,
        ...Array.from({ length: 6 }, (_, i) => track(goodBatch(410 + i))),
      ];
      const rejected = collector.metrics.rejected.get("clickhouse_rejected") ?? 0;
      await Promise.all(batches.map((b) => publishBatch(nc, b)));
      await waitUntil(
        "good batches written, the refused one dead-lettered",
        () => collector.metrics.samples >= publishedTotal() && collector.metrics.rejected.get("clickhouse_rejected") === rejected + 1,
      );
      for (let i = 0; i < 3; i++) await publishBatch(nc, track(goodBatch(420 + i)));
      await waitUntil("later batches written", () => collector.metrics.samples >= publishedTotal());
      expect(await totals(store)).toEqual(published);
      const jsm = await jetstreamManager(nc);
      const copy = await jsm.streams.getMessage(DLQ_STREAM, { last_by_subj: "fleetprof.dlq.clickhouse_rejected" });
      expect(copy?.header.get("Fleetprof-Dlq-Subject")).toBe(samplesSubject("refused", "host-r"));
      expect(copy?.header.get("Fleetprof-Dlq-Detail")).toMatch(/^ClickHouse refused the rows: error 469 \(VIOLATED_CONSTRAINT\): Constraint `no_refused`/);
      const missing = await rows<{ n: string }>(
        store.client,
        `SELECT count() AS n FROM ${store.db}.samples WHERE stack_id NOT IN (SELECT stack_id FROM ${store.db}.stacks)`,
      );
      expect(Number(missing[0]?.n)).toBe(0);
      expect(collector.health().ok).toBe(true);
    } finally {
      await store.client.command({ query: `ALTER TABLE ${store.db}.samples DROP CONSTRAINT no_refused` });
    }
  });

  it("writes a batch whose windows straddle midnight (two daily partitions in one write)", async () => {
    const midnight = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    const b = track(
      makeBatch("midnight-1", "host-m", [
        makeProfile({ service: "api", version: "1.4", pid: 7001, windowStartUnixMs: midnight - 10_000, stacks: 20 }),
        makeProfile({ service: "api", version: "1.4", pid: 7001, windowStartUnixMs: midnight, stacks: 20 }),
      ]),
    );
    await publishBatch(nc, b);
    await waitUntil("the midnight batch written", () => collector.metrics.samples >= publishedTotal());
    const days = await rows<{ n: string }>(store.client, `SELECT uniqExact(toDate(time, 'UTC')) AS n FROM ${store.db}.samples WHERE host = 'host-m'`);
    expect(Number(days[0]?.n)).toBe(2);
    expect(await totals(store)).toEqual(published);
  });

  it("keeps the rollups equal to the raw table", async () => {
    for (const table of ["samples_1m", "samples_1h"]) {
      const r = await rows<{ k: string; n: string }>(
        store.client,
        `SELECT concat(service, '/', version) AS k, sum(count) AS n FROM ${store.db}.${table} GROUP BY k`,
      );
      expect(new Map(r.map((x) => [x.k, Number(x.n)])), table).toEqual(published);
    }
    const cmp = await rows<{ raw: string; m: string }>(
      store.client,
      `SELECT (SELECT sum(count) FROM ${store.db}.samples WHERE time >= toDateTime({a:UInt32}) AND time < toDateTime({b:UInt32})) AS raw,
              (SELECT sum(count) FROM ${store.db}.samples_1m WHERE time >= toDateTime({a:UInt32}) AND time < toDateTime({b:UInt32})) AS m`,
      { a: NOW / 1000 + 60, b: NOW / 1000 + 600 },
    );
    expect(Number(cmp[0]?.raw)).toBeGreaterThan(0);
    expect(cmp[0]?.m).toBe(cmp[0]?.raw);
  });
});
