/**
 * Hostile input against the query API: real embedded ClickHouse, the real gRPC server and
 * clients, a real nats-server. Each case makes the bad call, then proves that (a) the query
 * API still answers, (b) a normal query right after answers correctly, and (c) the bad call
 * was refused with the right gRPC code and a message saying what to do (or, where the input is
 * data rather than a call, kept out of what users see).
 */
import { status, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, ErrorCode, FleetprofError } from "@fleetprof/common";
import { grpcHealthV1 } from "@fleetprof/proto";
import { createQueryClient, createServiceClient, startQueryApi, type QueryApi, type QueryClient } from "@fleetprof/query-api";
import { openStore, type Store } from "@fleetprof/store";
import { errorOf, startNats, tempDir, type NatsServer } from "@fleetprof/test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { batch, HEAVY, hostileAgent, profile, thisMinute, writeHeavyDataset } from "./query-fixtures.js";

let store: Store;
let ns: NatsServer;
let nc: NatsConnection;
let api: QueryApi;
let client: QueryClient;
let heavy: { startMs: number; total: number };
const normal = { service: "normal", perWindow: 10, windows: 20 };

/** The gRPC status code a FleetprofError came back with. */
function grpcCode(err: FleetprofError): number | undefined {
  return (err.cause as Partial<ServiceError> | undefined)?.code;
}

/** A normal query, with the answer the data says it must give. */
async function normalQueryAnswers(): Promise<void> {
  const now = Date.now();
  const { flameGraph } = await client.flameGraph(
    { selector: `{service="${normal.service}"}`, range: { startUnixMs: BigInt(now - 30 * 60_000), endUnixMs: BigInt(now + 60_000) } },
    { deadlineMs: 30_000 },
  );
  expect(flameGraph?.total).toBe(BigInt(normal.perWindow * normal.windows));
}

async function healthAnswers(): Promise<void> {
  const health = createServiceClient(grpcHealthV1.Health, api.address, { deadlineMs: 10_000 });
  try {
    expect((await health.check({})).status).toBe(grpcHealthV1.HealthCheckResponse_ServingStatus.SERVING);
  } finally {
    health.close();
  }
}

beforeAll(async () => {
  store = await openStore(`chdb://${tempDir("fleetprof-hostile-query-")}`);
  ns = await startNats();
  nc = await connect({ servers: ns.url });
  const minute = thisMinute();
  const windows = Array.from({ length: normal.windows }, (_, i) =>
    profile({ service: normal.service, timeMs: minute - (i + 1) * 60_000 + 5000, stacks: { "main;serve": normal.perWindow } }),
  );
  await store.writeBatches([batch("normal-1", windows)]);
  heavy = await writeHeavyDataset(store, Date.now());
  api = await startQueryApi({ host: "127.0.0.1", port: 0, natsUrl: ns.url }, { store, logger: createLogger({ level: "silent" }) });
  client = createQueryClient(api.address, { deadlineMs: 120_000 });
}, 120_000);

afterAll(async () => {
  client?.close();
  await api?.stop();
  await nc?.close();
  await ns?.stop();
  await store?.close();
});

describe("hostile calls to the query API", () => {
  it("50 concurrent heavy flame graphs: a bounded number run, the rest are refused RESOURCE_EXHAUSTED at once", async () => {
    const range = { startUnixMs: BigInt(heavy.startMs), endUnixMs: BigInt(Date.now() + 60_000) };
    const started = performance.now();
    const calls = Array.from({ length: 50 }, () =>
      client.flameGraph({ selector: `{service="${HEAVY.service}"}`, range }).then(
        (r) => ({ ok: r.flameGraph?.total, ms: performance.now() - started }),
        (err: unknown) => ({ err: FleetprofError.from(err), ms: performance.now() - started }),
      ),
    );
    // (a) health checks are not counted against the limit
    await healthAnswers();
    const outcomes = await Promise.all(calls);
    const answered = outcomes.filter((o) => "ok" in o);
    const refused = outcomes.flatMap((o) => ("err" in o ? [o.err] : []));
    // (c) some were refused, each RESOURCE_EXHAUSTED saying which limit and what to do
    expect(refused.length).toBeGreaterThan(0);
    for (const err of refused) {
      expect(err.code, err.message).toBe(ErrorCode.ResourceExhausted);
      expect(grpcCode(err)).toBe(status.RESOURCE_EXHAUSTED);
      expect(err.message).toMatch(/max-concurrent-calls/);
      expect(err.message).toMatch(/retry/);
    }
    // every call that ran answered correctly
    expect(answered.length).toBeGreaterThan(0);
    for (const o of answered) expect(o.ok).toBe(BigInt(heavy.total));
    // (a) and (b)
    await healthAnswers();
    await normalQueryAnswers();
  });

  it("a ReDoS selector against a 30-character hostile host name answers promptly", async () => {
    // An agent (a stolen credential) reports a host name built for catastrophic backtracking.
    const hostName = `${"a".repeat(29)}!`;
    const agent = hostileAgent(nc, hostName, [4242]);
    try {
      // The longest the process stands still (no timer runs: no call, no ingest in `fleetprof up`).
      let last = performance.now();
      let stall = 0;
      const tick = setInterval(() => {
        stall = Math.max(stall, performance.now() - last);
        last = performance.now();
      }, 10);
      const err = await errorOf(client.dump({ selector: '{host=~"(a+)+$"}' }, { deadlineMs: 30_000 })).finally(() => clearInterval(tick));
      // (c) nothing matches ("!" ends the name): NOT_FOUND, saying where it looked
      expect(err.code, err.message).toBe(ErrorCode.NotFound);
      expect(grpcCode(err)).toBe(status.NOT_FOUND);
      expect(err.message).toMatch(/no process/);
      // a hang detector, generous: backtracking held the event loop for ~16 s at 30 characters
      expect(stall).toBeLessThan(3000);
      // the same regex in a flame graph selector runs in ClickHouse's RE2 and matches nothing
      const { flameGraph } = await client.flameGraph({ selector: '{host=~"(a+)+$"}' });
      expect(flameGraph?.total).toBe(0n);
    } finally {
      agent.stop();
    }
    await healthAnswers();
    await normalQueryAnswers();
  });

  it("TimeSeries grouped by a label with 100 000 distinct values: top series, the rest folded into other, said in the response", async () => {
    const minute = thisMinute();
    const values = 100_000;
    const profiles = Array.from({ length: values }, (_, i) =>
      // tenant-00000 is the heaviest, then falling: the top 10 are known
      profile({
        service: "tenants",
        pid: i,
        timeMs: minute - (1 + (i % 5)) * 60_000 + 5000,
        labels: { tenant: `tenant-${String(i).padStart(5, "0")}` },
        stacks: { "main;serve": i < 10 ? 1000 - i : 1 },
      }),
    );
    for (let i = 0; i < profiles.length; i += 10_000) await store.writeBatches([batch(`tenants-${String(i)}`, profiles.slice(i, i + 10_000))]);
    const range = { startUnixMs: BigInt(minute - 10 * 60_000), endUnixMs: BigInt(minute + 60_000) };
    const r = await client.timeSeries({ selector: '{service="tenants"}', range, groupBy: "tenant", stepMs: 60_000n });
    const kept = r.series.filter((s) => !s.folded);
    expect(kept.map((s) => s.group)).toEqual(Array.from({ length: 10 }, (_, i) => `tenant-${String(i).padStart(5, "0")}`));
    const other = r.series.filter((s) => s.folded);
    expect(other).toHaveLength(1);
    expect(other[0]?.group).toBe("other");
    expect(other[0]?.total).toBe(BigInt(values - 10));
    expect(r.foldedGroups).toBe(BigInt(values - 10));
    const all = r.series.reduce((sum, s) => sum + s.total, 0n);
    expect(all).toBe(BigInt(values - 10) + BigInt(Array.from({ length: 10 }, (_, i) => 1000 - i).reduce((a, b) => a + b, 0)));
    // a call whose query needs more memory than the server allows one call is refused, naming the limit
    const tight = await startQueryApi({ host: "127.0.0.1", port: 0, maxQueryMemoryMib: 4 }, { store, logger: createLogger({ level: "silent" }) });
    const tightClient = createQueryClient(tight.address, { deadlineMs: 60_000 });
    try {
      const err = await errorOf(tightClient.listLabelValues({ name: "tenant", selector: '{service="tenants"}', range, limit: 10_000 }));
      expect(err.code, err.message).toBe(ErrorCode.ResourceExhausted);
      expect(grpcCode(err)).toBe(status.RESOURCE_EXHAUSTED);
      expect(err.message).toMatch(/max-query-memory-mib/);
      // the same tight server answers a normal query
      const { flameGraph } = await tightClient.flameGraph({
        selector: `{service="${normal.service}"}`,
        range: { startUnixMs: BigInt(minute - 30 * 60_000), endUnixMs: BigInt(minute + 60_000) },
      });
      expect(flameGraph?.total).toBe(BigInt(normal.perWindow * normal.windows));
    } finally {
      tightClient.close();
      await tight.stop();
    }
    await healthAnswers();
    await normalQueryAnswers();
  });

  it("a 60 s capture at 1 kHz does not inflate its service's fleet figures; asked for by capture_id it is all there", async () => {
    const minute = thisMinute();
    const service = "pay";
    const continuous = Array.from({ length: 150 }, (_, i) => ({ timeMs: minute - (i + 1) * 60_000 + 5000, count: 100 }));
    await store.writeBatches([
      batch(
        "pay-1",
        continuous.map((w) => profile({ service, pid: 10, timeMs: w.timeMs, stacks: { "main;charge": w.count } })),
      ),
    ]);
    const captureMinute = minute - 30 * 60_000;
    await store.writeBatches([
      batch("pay-1", [profile({ service, pid: 10, timeMs: captureMinute + 2000, captureId: "cap-1", stacks: { "main;charge": 60_000 } })]),
    ]);

    for (const [what, startMs] of [
      ["raw", minute - 40 * 60_000],
      ["rollups", minute - 2 * 3_600_000],
    ] as const) {
      const range = { startUnixMs: BigInt(startMs), endUnixMs: BigInt(minute + 60_000) };
      const expected = BigInt(continuous.filter((w) => w.timeMs >= startMs).reduce((s, w) => s + w.count, 0));
      const selector = `{service="${service}"}`;
      const { flameGraph } = await client.flameGraph({ selector, range });
      expect(flameGraph?.total, `flame graph over ${what}`).toBe(expected);
      expect((await client.topFunctions({ selector, range })).total, `top over ${what}`).toBe(expected);
      const diff = await client.diffFlameGraph({ baseSelector: selector, selector, range });
      expect([diff.flameGraph?.baseTotal, diff.flameGraph?.total], `diff over ${what}`).toEqual([expected, expected]);
      const services = (await client.listServices({ range })).services.find((s) => s.name === service);
      expect(services?.samples, `services over ${what}`).toBe(expected);
      const series = await client.timeSeries({ selector, range, stepMs: 60_000n });
      const point = series.series[0]?.points.find((p) => p.timeUnixMs === BigInt(captureMinute));
      expect(point?.samples, `the capture's minute over ${what}`).toBe(100n);
    }
    // asked for by its id, the capture is all there
    const captured = await client.flameGraph({
      selector: '{capture_id="cap-1"}',
      range: { startUnixMs: BigInt(minute - 40 * 60_000), endUnixMs: BigInt(minute + 60_000) },
    });
    expect(captured.flameGraph?.total).toBe(60_000n);
    expect(
      (await client.listLabelValues({ name: "capture_id", range: { startUnixMs: BigInt(minute - 40 * 60_000), endUnixMs: BigInt(minute + 60_000) } })).values,
    ).toEqual(["cap-1"]);
    await healthAnswers();
    await normalQueryAnswers();
  });

  it("a bad selector is INVALID_ARGUMENT naming the column and what was expected", async () => {
    const err = await errorOf(client.flameGraph({ selector: '{service=="api"}' }));
    expect(err.code).toBe(ErrorCode.InvalidArgument);
    expect(grpcCode(err)).toBe(status.INVALID_ARGUMENT);
    expect(err.message).toBe('selector: at column 9: "==" is not an operator: expected "=", "!=", "=~" or "!~" after label service');
    await healthAnswers();
    await normalQueryAnswers();
  });

  it("a dump over a large fleet asks a bounded number of hosts and processes per host, and says what it left out", async () => {
    const hosts = 100;
    for (let h = 0; h < hosts; h++) {
      await store.writeBatches([
        batch(
          `fan-${String(h).padStart(3, "0")}`,
          [1, 2, 3, 4].map((pid) => profile({ service: "fan", pid, timeMs: Date.now() - 20_000, stacks: { "main;wait": 1 } })),
        ),
      ]);
    }
    const agent = hostileAgent(nc, "unrelated-host", []);
    try {
      const r = await client.dump({ selector: '{service="fan"}' }, { deadlineMs: 60_000 });
      expect(agent.asked.size).toBeLessThan(hosts);
      const skippedHosts = r.skipped.filter((s) => s.pids.length === 4);
      expect(agent.asked.size + skippedHosts.length).toBe(hosts);
      for (const s of r.skipped) expect(s.reason).toMatch(/dump-max-hosts/);

      agent.asked.clear();
      const pids = Array.from({ length: 500 }, (_, i) => i + 1);
      const one = await client.dump({ host: "fan-000", pids }, { deadlineMs: 60_000 });
      const asked = agent.asked.get("fan-000") ?? [];
      expect(asked.length).toBeGreaterThan(0);
      expect(asked.length).toBeLessThan(pids.length);
      expect(one.processes.map((p) => p.pid)).toEqual(asked);
      expect(one.skipped).toEqual([expect.objectContaining({ host: "fan-000", pids: pids.filter((p) => !asked.includes(p)) })]);
      expect(one.skipped[0]?.reason).toMatch(/dump-max-processes-per-host/);
      const few = await client.dump({ host: "fan-000", pids: [1, 2, 3, 4] });
      expect(few.skipped).toEqual([]);
      expect(few.processes).toHaveLength(4);
    } finally {
      agent.stop();
    }
    await healthAnswers();
    await normalQueryAnswers();
  });
});
