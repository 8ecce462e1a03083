/**
 * deploy/nats/cluster.conf as a real three-node cluster on loopback, the samples stream with
 * three replicas: agents publish while the stream leader is killed (kill -9) and later
 * restarted; a collector consumes throughout; what it counts equals what was published, and
 * the restarted node catches its replica up.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { dlqStreamConfig, samplesStreamConfig, SAMPLES_STREAM } from "@fleetprof/common";
import { decodeBatch, samplesSubject } from "@fleetprof/proto";
import { freePort } from "@fleetprof/test";
import { encodeForWire, makeBatch, samplesIn } from "./support/batches.js";
import { connectAs, copyNatsConfigs, makePasswords, nodeEnv, startConfigured, type ConfiguredServer, type User } from "./support/nats-configs.js";

const BATCHES_PER_AGENT = 90;
const AGENTS = ["web-1", "web-2"] as const;
const DURABLE = "collectors";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
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

interface Cluster {
  nodes: Map<string, ConfiguredServer>;
  urls: string[];
  passwords: Record<User, string>;
}

async function startCluster(): Promise<Cluster> {
  const dir = copyNatsConfigs();
  const made = makePasswords();
  const routePassword = randomBytes(12).toString("hex");
  const names = ["nats-1", "nats-2", "nats-3"];
  const clusterPorts = await Promise.all(names.map(() => freePort()));
  const routes = Object.fromEntries(
    clusterPorts.map((p, i) => [`FLEETPROF_NATS_ROUTE_${String(i + 1)}`, `"nats-route://route:${routePassword}@127.0.0.1:${String(p)}"`]),
  );
  const envs = await Promise.all(names.map((n) => nodeEnv(n)));
  const started = await Promise.all(
    names.map((name, i) => {
      const { port, env } = envs[i] as { port: number; env: Record<string, string> };
      return startConfigured(join(dir, "cluster.conf"), port, {
        ...env,
        ...made.env,
        ...routes,
        FLEETPROF_NATS_CLUSTER_LISTEN: `127.0.0.1:${String(clusterPorts[i])}`,
        FLEETPROF_NATS_ROUTE_PASSWORD: `"${routePassword}"`,
      });
    }),
  );
  const nodes = new Map(names.map((n, i) => [n, started[i] as ConfiguredServer]));
  return { nodes, urls: started.map((s) => s.url), passwords: made.byUser };
}

describe("three-node NATS cluster (deploy/nats/cluster.conf)", () => {
  const open: NatsConnection[] = [];
  afterAll(async () => {
    await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
  });

  it("loses and double-counts nothing while a node is killed and restarted", async () => {
    const cluster = await startCluster();
    const as = async (user: User): Promise<NatsConnection> => {
      const nc = await connectAs(cluster.urls, user, cluster.passwords[user], { maxReconnectAttempts: -1, reconnectTimeWait: 250 });
      open.push(nc);
      return nc;
    };

    // The operator's setup step: streams with three replicas (admin user).
    const admin = await as("admin");
    const jsm: JetStreamManager = await until("JetStream cluster ready", 30_000, async () => jetstreamManager(admin));
    await until("samples stream created", 30_000, async () => jsm.streams.add(samplesStreamConfig({ replicas: 3 })));
    await until("dead-letter stream created", 30_000, async () => jsm.streams.add(dlqStreamConfig({ replicas: 3 })));
    expect((await jsm.streams.info(SAMPLES_STREAM)).config.num_replicas).toBe(3);

    // A collector: the shared durable pull consumer, fetching in a loop that rides out the
    // node going away; counts each batch once (a redelivery after a lost ack is no new batch).
    const collector = await as("collector");
    const cjsm = await jetstreamManager(collector);
    await cjsm.consumers.add(SAMPLES_STREAM, { durable_name: DURABLE, ack_policy: AckPolicy.Explicit, ack_wait: 5_000_000_000 });
    const received = new Map<string, number>();
    let deliveries = 0;
    let stopCollector = false;
    const collecting = (async () => {
      const js = jetstream(collector, { timeout: 5000 });
      while (!stopCollector) {
        try {
          const consumer = await js.consumers.get(SAMPLES_STREAM, DURABLE);
          const msgs = await consumer.fetch({ max_messages: 50, expires: 1000 });
          for await (const m of msgs) {
            const batch = decodeBatch(m.data, m.headers?.get("Content-Encoding") ?? "gzip");
            deliveries++;
            received.set(batch.batchId, samplesIn(batch));
            m.ack();
          }
        } catch {
          await sleep(250); // leader election or reconnect in progress: try again
        }
      }
    })();

    // Agents: publish with the batch id as Nats-Msg-Id, and republish the same batch until
    // acknowledged (the agent's spool does the same), pausing for the node's kill and restart.
    const published = new Map<string, number>();
    let sent = 0;
    let retries = 0;
    const agent = async (host: (typeof AGENTS)[number]): Promise<void> => {
      const nc = await as(`agent-${host}`);
      const js = jetstream(nc, { timeout: 3000 });
      for (let seq = 0; seq < BATCHES_PER_AGENT; seq++) {
        const { batch, samples } = makeBatch(host, seq, seq % 2 === 0 ? "api" : "worker");
        const { data, headers } = encodeForWire(batch);
        for (;;) {
          try {
            await js.publish(samplesSubject(batch.profiles[0]?.service ?? "api", host), data, { msgID: batch.batchId, headers });
            break;
          } catch {
            retries++;
            await sleep(200);
          }
        }
        published.set(batch.batchId, samples);
        sent++;
        await sleep(15);
      }
    };
    const publishing = Promise.all(AGENTS.map((h) => agent(h)));

    const total = AGENTS.length * BATCHES_PER_AGENT;
    await until("a third published", 60_000, async () => (sent >= total / 3 ? true : undefined));
    const leader = (await jsm.streams.info(SAMPLES_STREAM)).cluster?.leader ?? "nats-1";
    const victim = cluster.nodes.get(leader) as ConfiguredServer;
    await victim.kill();
    const sentAtKill = sent;
    console.log(`killed ${leader} (the stream leader) after ${String(sentAtKill)} of ${String(total)} batches`);

    await until("a second third published without it", 90_000, async () => (sent >= (2 * total) / 3 ? true : undefined));
    expect(sent).toBeGreaterThan(sentAtKill);
    await victim.restart();
    console.log(`restarted ${leader} after ${String(sent)} batches`);

    await publishing;
    await until("collector has every batch", 90_000, async () => (received.size >= total ? true : undefined));
    stopCollector = true;
    await collecting;

    const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
    console.log(
      `published ${String(published.size)} batches / ${String(sum(published))} samples (${String(retries)} publish retries); ` +
        `collected ${String(received.size)} batches / ${String(sum(received))} samples in ${String(deliveries)} deliveries`,
    );
    expect([...received.keys()].sort()).toEqual([...published.keys()].sort());
    expect(sum(received)).toBe(sum(published));

    // The stream stored each batch once (the retries were deduplicated by Nats-Msg-Id), and
    // the restarted node is a current replica again.
    const info = await until("all three replicas current", 60_000, async () => {
      const i = await jsm.streams.info(SAMPLES_STREAM);
      const replicas = i.cluster?.replicas ?? [];
      return replicas.length === 2 && replicas.every((r) => r.current && !r.offline) ? i : undefined;
    });
    expect(info.state.messages).toBe(total);
    console.log(`stream leader now ${String(info.cluster?.leader)}, replicas ${(info.cluster?.replicas ?? []).map((r) => `${r.name}${r.current ? " (current)" : ""}`).join(", ")}`);
  });
});
