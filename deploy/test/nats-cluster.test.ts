/**
 * deploy/nats/cluster.conf as a real three-node cluster on loopback, the samples stream with
 * three replicas: agents publish while the stream leader is killed (kill -9) and later
 * restarted; the real collector consumes throughout into an embedded ClickHouse; the sample
 * totals in ClickHouse equal what was published, and the restarted node catches its replica up.
 * First with publishers that behave like agents (known batches, so exact totals), then with
 * real agents (deploy/docker/agent-entry.mjs, py-spy on Python workloads).
 *
 * The nodes run without `include ./auth.conf`: the collector has no option for NATS
 * credentials yet (see deploy/README.md, "Security checklist"); the users and permissions of
 * auth.conf are tested on their own in nats-permissions.test.ts.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger, dlqStreamConfig, loadConfig, samplesStreamConfig, SAMPLES_STREAM, sleep } from "@fleetprof/common";
import { collectorOptions, startCollector, type CollectorHandle } from "@fleetprof/collector";
import { decodeBatch, ENCODING_HEADER, samplesSubject, type ProcessProfile } from "@fleetprof/proto";
import { openStore, type Store } from "@fleetprof/store";
import { freePort, rows, spawnTracked, startWorkload, tempDir, type Tracked } from "@fleetprof/test";
import { encodeForWire, makeBatch } from "./support/batches.js";
import { copyNatsConfigs, nodeEnv, startConfigured, type ConfiguredServer } from "./support/nats-configs.js";

const BATCHES_PER_AGENT = 90;
const REPO_DIR = fileURLToPath(new URL("../../", import.meta.url));
const AGENT_ENTRY = fileURLToPath(new URL("../docker/agent-entry.mjs", import.meta.url));
const AGENTS = ["web-1", "web-2"] as const;
const COLLECTOR_CONSUMER = "fleetprof-collector";

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(250);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms (last error: ${String(last)})`);
}

/**
 * Every message of the stream delivered to the collector's consumer and acknowledged (the
 * collector acknowledges after its write): no redelivery, so no late duplicate, can follow.
 */
async function consumerSettled(jsm: JetStreamManager): Promise<void> {
  await until("every delivery acknowledged", 60_000, async () => {
    const info = await jsm.consumers.info(SAMPLES_STREAM, COLLECTOR_CONSUMER);
    return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
  });
}

/** Starts three nodes from deploy/nats/cluster.conf; returns them by server name. */
async function startCluster(): Promise<{ nodes: Map<string, ConfiguredServer>; urls: string[] }> {
  const dir = copyNatsConfigs();
  const conf = join(dir, "cluster.conf");
  const text = readFileSync(conf, "utf8");
  expect(text).toMatch(/^include \.\/auth\.conf$/m);
  writeFileSync(conf, text.replace(/^include \.\/auth\.conf$/m, "# (auth.conf left out by the test: see the file comment)"));

  const routePassword = randomBytes(12).toString("hex");
  const names = ["nats-1", "nats-2", "nats-3"];
  const clusterPorts = await Promise.all(names.map(() => freePort()));
  const routes = Object.fromEntries(
    clusterPorts.map((p, i) => [`FLEETPROF_NATS_ROUTE_${String(i + 1)}`, `"nats-route://route:${routePassword}@127.0.0.1:${String(p)}"`]),
  );
  const envs = await Promise.all(names.map((n) => nodeEnv(n)));
  const started = await Promise.all(
    names.map((_, i) => {
      const { port, env } = envs[i] as { port: number; env: Record<string, string> };
      return startConfigured(conf, port, {
        ...env,
        ...routes,
        FLEETPROF_NATS_CLUSTER_LISTEN: `127.0.0.1:${String(clusterPorts[i])}`,
        FLEETPROF_NATS_ROUTE_PASSWORD: `"${routePassword}"`,
      });
    }),
  );
  return { nodes: new Map(names.map((n, i) => [n, started[i] as ConfiguredServer])), urls: started.map((s) => s.url) };
}

async function sampleTotals(store: Store): Promise<Map<string, number>> {
  const r = await rows<{ k: string; n: string }>(store.client, `SELECT concat(host, '/', service) AS k, sum(count) AS n FROM ${store.db}.samples GROUP BY k`);
  return new Map(r.map((x) => [x.k, Number(x.n)]));
}

describe("three-node NATS cluster (deploy/nats/cluster.conf)", () => {
  const open: NatsConnection[] = [];
  let collector: CollectorHandle | undefined;
  let store: Store | undefined;
  /** chDB holds one data path per process: each test stops its collector and store. */
  const stopCollector = async (): Promise<void> => {
    await collector?.stop();
    await store?.close();
    collector = undefined;
    store = undefined;
  };
  afterAll(async () => {
    await stopCollector();
    await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
  });
  const startCollectorOn = async (urls: string[]): Promise<{ collector: CollectorHandle; store: Store }> => {
    store = await openStore(`chdb://${tempDir("fleetprof-deploy-chdb-")}`);
    const { config } = loadConfig(collectorOptions, {
      argv: ["--nats-url", urls.join(","), "--metrics-listen", "", "--flush-interval", "200ms", "--ack-wait", "5s"],
      env: {},
    });
    collector = await startCollector(config, { store, logger: createLogger({ level: "warn", format: "json" }) });
    return { collector, store };
  };
  /** The operator's setup step: both streams with three replicas. */
  const createStreams = async (nc: NatsConnection): Promise<JetStreamManager> => {
    const jsm: JetStreamManager = await until("JetStream cluster ready", 30_000, async () => jetstreamManager(nc));
    await until("samples stream created", 30_000, async () => jsm.streams.add(samplesStreamConfig({ replicas: 3 })));
    await until("dead-letter stream created", 30_000, async () => jsm.streams.add(dlqStreamConfig({ replicas: 3 })));
    expect((await jsm.streams.info(SAMPLES_STREAM)).config.num_replicas).toBe(3);
    return jsm;
  };

  it("loses and double-counts nothing while the stream leader is killed and restarted", async () => {
    const cluster = await startCluster();
    const connectAll = async (): Promise<NatsConnection> => {
      const nc = await connect({ servers: cluster.urls, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
      open.push(nc);
      return nc;
    };

    const jsm = await createStreams(await connectAll());
    // The real collector, given every node, writing to an embedded ClickHouse.
    const { collector: c, store: st } = await startCollectorOn(cluster.urls);

    // Agents: publish with the batch id as Nats-Msg-Id, and republish the same batch until
    // acknowledged (the agent's spool does the same) through the node's kill and restart.
    const published = new Map<string, number>(); // "host/service" → samples
    let sent = 0;
    let retries = 0;
    const agent = async (host: (typeof AGENTS)[number]): Promise<void> => {
      const js = jetstream(await connectAll(), { timeout: 3000 });
      for (let seq = 0; seq < BATCHES_PER_AGENT; seq++) {
        const service = seq % 2 === 0 ? "api" : "worker";
        const { batch, samples } = makeBatch(host, seq, service);
        const { data, headers } = encodeForWire(batch);
        for (;;) {
          try {
            await js.publish(samplesSubject(service, host), data, { msgID: batch.batchId, headers });
            break;
          } catch {
            retries++;
            await sleep(200); // the agent's spool retries with a pause too
          }
        }
        const key = `${host}/${service}`;
        published.set(key, (published.get(key) ?? 0) + samples);
        sent++;
        await sleep(15); // paced like agents, so the kill lands mid-stream
      }
    };
    const publishing = Promise.all(AGENTS.map((h) => agent(h)));

    const total = AGENTS.length * BATCHES_PER_AGENT;
    await until("a third published", 60_000, () => (sent >= total / 3 ? true : undefined));
    const leader = (await jsm.streams.info(SAMPLES_STREAM)).cluster?.leader ?? "nats-1";
    const victim = cluster.nodes.get(leader) as ConfiguredServer;
    await victim.kill();
    const sentAtKill = sent;
    console.log(`killed ${leader} (the stream leader) after ${String(sentAtKill)} of ${String(total)} batches`);

    await until("a second third published without it", 90_000, () => (sent >= (2 * total) / 3 ? true : undefined));
    await victim.restart();
    console.log(`restarted ${leader} after ${String(sent)} batches`);

    await publishing;
    const publishedSamples = [...published.values()].reduce((a, b) => a + b, 0);
    await until("collector wrote every sample", 120_000, () => (c.metrics.samples >= publishedSamples ? true : undefined));
    // a (wrong) late duplicate would come from a redelivery: wait until none can follow
    await consumerSettled(jsm);

    const stored = await sampleTotals(st);
    console.log(
      `published ${String(total)} batches / ${String(publishedSamples)} samples (${String(retries)} publish retries); ` +
        `ClickHouse holds ${String([...stored.values()].reduce((a, b) => a + b, 0))} samples; ` +
        `collector saw ${String(c.metrics.messagesDuplicate)} duplicate deliveries`,
    );
    expect(stored).toEqual(published);

    // The stream stored each batch once (retries deduplicated by Nats-Msg-Id), and the
    // restarted node is a current replica again.
    const info = await until("all three replicas current", 60_000, async () => {
      const i = await jsm.streams.info(SAMPLES_STREAM);
      const replicas = i.cluster?.replicas ?? [];
      return replicas.length === 2 && replicas.every((r) => r.current && r.offline !== true) ? i : undefined;
    });
    expect(info.state.messages).toBe(total);
    console.log(`stream leader now ${String(info.cluster?.leader)}; replicas ${(info.cluster?.replicas ?? []).map((r) => r.name).join(", ")} current`);
    await stopCollector();
  }, 240_000);

  it("real agents (the agent image's entry point) lose no window while the stream leader is killed and restarted", async () => {
    const cluster = await startCluster();
    const nc = await connect({ servers: cluster.urls, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    open.push(nc);
    const jsm = await createStreams(nc);
    const { collector: c, store: st } = await startCollectorOn(cluster.urls);

    // Two agents, each profiling its own Python workload (picked by a marker on its command line).
    const agents: { host: string; workload: Tracked; agent: Tracked }[] = [];
    for (const host of ["agent-a", "agent-b"]) {
      const tag = `9${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
      const workload = await startWorkload("cpu_split", { args: ["--alpha", "20", "--beta", "10", "--gamma", "0", "--seconds", tag] });
      const agent = spawnTracked(
        process.execPath,
        [
          "--conditions=@fleetprof/source",
          "--import",
          "tsx",
          AGENT_ENTRY,
          "--nats-url",
          cluster.urls.join(","),
          "--host",
          host,
          "--include",
          `--seconds ${tag}`,
          "--window",
          "2s",
          "--interval",
          "500ms",
          "--min-age",
          "300ms",
          "--spool-dir",
          tempDir("fleetprof-spool-"),
        ],
        { cwd: REPO_DIR, env: { ...process.env, FLEETPROF_LOG_FORMAT: "json", FLEETPROF_LOG_LEVEL: "info" } },
      );
      agents.push({ host, workload, agent });
    }
    const windowsOf = async (): Promise<Map<string, ProcessProfile[]>> => {
      const byHost = new Map<string, ProcessProfile[]>();
      const info = await jsm.streams.info(SAMPLES_STREAM);
      for (let seq = info.state.first_seq; info.state.messages > 0 && seq <= info.state.last_seq; seq++) {
        const m = await jsm.streams.getMessage(SAMPLES_STREAM, { seq });
        if (m === null) continue;
        const batch = decodeBatch(m.data, m.header.get(ENCODING_HEADER));
        for (const a of agents) {
          const mine = batch.profiles.filter((p) => batch.host === a.host && p.pid === a.workload.pid);
          byHost.set(a.host, [...(byHost.get(a.host) ?? []), ...mine]);
        }
      }
      for (const list of byHost.values()) list.sort((x, y) => Number(x.windowStartUnixMs - y.windowStartUnixMs));
      return byHost;
    };

    await until("two windows from each agent", 60_000, async () => {
      const w = await windowsOf();
      return agents.every((a) => (w.get(a.host)?.length ?? 0) >= 2) ? true : undefined;
    });
    const leader = (await jsm.streams.info(SAMPLES_STREAM)).cluster?.leader ?? "nats-1";
    const victim = cluster.nodes.get(leader) as ConfiguredServer;
    const killedAt = Date.now();
    await victim.kill();
    // down until each agent has published a window that began after the kill
    await until("a window from each agent started while the leader was down", 60_000, async () => {
      const w = await windowsOf();
      return agents.every((a) => (w.get(a.host) ?? []).some((p) => Number(p.windowStartUnixMs) > killedAt)) ? true : undefined;
    });
    await victim.restart();
    const restartedAt = Date.now();
    console.log(`killed ${leader} (the stream leader) for ${String(restartedAt - killedAt)} ms`);
    await until("windows from after the restart", 60_000, async () => {
      const w = await windowsOf();
      return agents.every((a) => (w.get(a.host) ?? []).some((p) => Number(p.windowStartUnixMs) > restartedAt + 1000)) ? true : undefined;
    });
    // SIGTERM: each agent flushes its current window and exits.
    for (const a of agents) a.agent.proc.kill("SIGTERM");
    for (const a of agents) expect(await a.agent.exited).toBe(0);

    const windows = await windowsOf();
    const published = new Map<string, number>();
    for (const a of agents) {
      const list = windows.get(a.host) ?? [];
      // every window once, each starting where the previous ended, spanning the outage
      const starts = list.map((p) => p.windowStartUnixMs);
      expect(new Set(starts).size).toBe(starts.length);
      for (let i = 1; i < list.length; i++) expect(list[i]?.windowStartUnixMs).toBe(list[i - 1]?.windowEndUnixMs);
      expect(Number(list[0]?.windowStartUnixMs)).toBeLessThan(killedAt);
      expect(Number(list.at(-1)?.windowEndUnixMs)).toBeGreaterThan(restartedAt);
      for (const p of list) {
        const key = `${a.host}/${p.service}`;
        published.set(key, (published.get(key) ?? 0) + p.stacks.reduce((n, s) => n + Number(s.count), 0));
      }
      console.log(`${a.host}: ${String(list.length)} windows, ${String(published.get(`${a.host}/${list[0]?.service ?? ""}`))} samples`);
    }
    const publishedSamples = [...published.values()].reduce((x, y) => x + y, 0);
    expect(publishedSamples).toBeGreaterThan(0);
    await until("collector wrote every published sample", 120_000, () => (c.metrics.samples >= publishedSamples ? true : undefined));
    await consumerSettled(jsm);
    expect(await sampleTotals(st)).toEqual(published);
    for (const a of agents) await a.workload.stop();
    await stopCollector();
  }, 240_000);
});
