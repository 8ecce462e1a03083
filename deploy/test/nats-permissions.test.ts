/**
 * deploy/nats/auth.conf, loaded by a real nats-server: each role can do its job and the
 * server refuses everything else — above all, an agent cannot publish as another host or
 * read the samples stream.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { dlqStreamConfig, samplesStreamConfig, SAMPLES_STREAM } from "@fleetprof/common";
import { captureDoneSubject, CONTROL_SUBJECT_PREFIX, controlSubject, fleetStatusSubject, samplesSubject } from "@fleetprof/proto";
import { tempDir } from "@fleetprof/test";
import { DEPLOY_DIR } from "./support/manifests.js";
import { connectAs, copyNatsConfigs, makePasswords, nodeEnv, startConfigured, type ConfiguredServer, type User } from "./support/nats-configs.js";
import { watchErrors } from "./support/status-errors.js";

const PERMISSION = /Permissions Violation/;

describe("nats-server permissions (deploy/nats/auth.conf)", () => {
  let server: ConfiguredServer;
  let passwords: Record<User, string>;
  let admin: NatsConnection;
  let jsm: JetStreamManager;
  const open: NatsConnection[] = [];
  const as = async (user: User): Promise<NatsConnection> => {
    const nc = await connectAs(server.url, user, passwords[user]);
    open.push(nc);
    return nc;
  };
  const messagesInStream = async (): Promise<number> => (await jsm.streams.info(SAMPLES_STREAM)).state.messages;

  beforeAll(async () => {
    // auth.conf is included by nats-server.conf and cluster.conf; here it is included by a
    // minimal plain-TCP server so that the permissions are tested on their own (TLS below).
    const dir = copyNatsConfigs();
    const { port, env } = await nodeEnv("perm");
    const conf = join(dir, "permissions-only.conf");
    writeFileSync(conf, `listen: $FLEETPROF_NATS_LISTEN\njetstream { store_dir: $FLEETPROF_NATS_STORE_DIR }\ninclude ./auth.conf\n`);
    const made = makePasswords();
    passwords = made.byUser;
    server = await startConfigured(conf, port, { ...env, ...made.env });
    admin = await as("admin");
    jsm = await jetstreamManager(admin);
    await jsm.streams.add(samplesStreamConfig());
    await jsm.streams.add(dlqStreamConfig());
  });

  afterAll(async () => {
    await Promise.all(open.map((nc) => nc.close()));
  });

  it("rejects a client without a password", async () => {
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow(/Authorization Violation/i);
    await expect(connect({ servers: server.url, user: "agent-web-1", pass: "wrong", reconnect: false })).rejects.toThrow(/Authorization Violation/i);
  });

  it("lets an agent publish its own host's samples, and refuses another host's subject", async () => {
    const nc = await as("agent-web-1");
    const js = jetstream(nc, { timeout: 5000 });
    const before = await messagesInStream();

    const ack = await js.publish(samplesSubject("api", "web-1"), "batch", { msgID: "own-1" });
    expect(ack.stream).toBe(SAMPLES_STREAM);

    const refused = await js.publish(samplesSubject("api", "web-2"), "batch", { msgID: "spoof-1" }).then(
      () => "accepted",
      (err: Error) => err.message,
    );
    console.log(`agent-web-1 → ${samplesSubject("api", "web-2")}: ${refused}`);
    expect(refused).toMatch(PERMISSION);
    // a core publish (no ack wanted) is refused by the server too, and never reaches the stream
    const { waitFor } = watchErrors(nc);
    nc.publish(samplesSubject("billing", "web-2"), "batch");
    console.log(`server said: ${await waitFor(/fleetprof\.samples\.billing\.web-2/)}`);
    expect(await messagesInStream()).toBe(before + 1);
  });

  it("refuses an agent every way of reading the samples stream", async () => {
    const nc = await as("agent-web-1");
    const { waitFor } = watchErrors(nc);
    const ajsm = await jetstreamManager(nc);

    // a durable consumer of its own
    const durable = await ajsm.consumers.add(SAMPLES_STREAM, { durable_name: "agent-reads", ack_policy: AckPolicy.Explicit }).then(
      () => "created",
      (err: Error) => err.message,
    );
    expect(durable).toMatch(PERMISSION);
    // an ordered (ephemeral) consumer
    const ordered = await jetstream(nc, { timeout: 5000 })
      .consumers.get(SAMPLES_STREAM)
      .then(
        async (c) => (await c.next({ expires: 2000 }))?.subject ?? "nothing",
        (err: Error) => err.message,
      );
    expect(ordered).toMatch(PERMISSION);
    // the collectors' shared consumer, by name
    const next = await nc.request(`$JS.API.CONSUMER.MSG.NEXT.${SAMPLES_STREAM}.collectors`, JSON.stringify({ batch: 1 }), { timeout: 3000 }).then(
      () => "answered",
      (err: Error) => err.message,
    );
    expect(next).toMatch(PERMISSION);
    // the live subjects, and every inbox (where pull consumers deliver to collectors)
    nc.subscribe("fleetprof.samples.>");
    nc.subscribe("_INBOX.>");
    nc.subscribe("_INBOX_collector.>");
    await waitFor(/Subscription to "fleetprof\.samples\.>"/);
    await waitFor(/Subscription to "_INBOX\.>"/);
    await waitFor(/Subscription to "_INBOX_collector\.>"/);
    console.log(`agent-web-1 reading the stream: ${durable}; ${ordered}; ${next}`);
  });

  it("lets an agent answer its own control requests only", async () => {
    const agent = await as("agent-web-1");
    const queryApi = await as("query-api");
    const { waitFor } = watchErrors(agent);
    agent.subscribe(controlSubject("web-1", "status"), {
      callback: (err, msg) => {
        if (err === null) msg.respond("web-1 ok");
      },
    });
    agent.subscribe(controlSubject("web-2", "status"), {
      callback: (err, msg) => {
        if (err === null) msg.respond("impostor");
      },
    });
    await agent.flush();
    await waitFor(/Subscription to "fleetprof\.ctl\.web-2\.status"/);

    const reply = await queryApi.request(controlSubject("web-1", "status"), "", { timeout: 5000 });
    expect(reply.string()).toBe("web-1 ok");
    // the fleet-wide status request reaches every agent
    agent.subscribe(fleetStatusSubject(), {
      callback: (err, msg) => {
        if (err === null) msg.respond("web-1 status");
      },
    });
    await agent.flush();
    expect((await queryApi.request(fleetStatusSubject(), "", { timeout: 5000 })).string()).toBe("web-1 status");
    // nobody may answer for web-2 but web-2's agent
    const other = await queryApi.request(controlSubject("web-2", "status"), "", { timeout: 2000 }).then(
      (m) => m.string(),
      (err: Error) => err.message,
    );
    expect(other).not.toBe("impostor");
    // and an agent may not send control requests to other hosts
    agent.publish(controlSubject("web-2", "dump"), "");
    await waitFor(/Publish to "fleetprof\.ctl\.web-2\.dump"/);

    // Capture outcomes: the query API hears its own host's agent, and nobody can forge another's.
    const done = (host: string): string => captureDoneSubject(host, "c42");
    const outcomes = queryApi.subscribe(`${CONTROL_SUBJECT_PREFIX}.*.capture.*.done`);
    const qErrors = watchErrors(queryApi);
    await queryApi.flush();
    agent.publish(done("web-1"), "DONE from web-1");
    agent.publish(done("web-2"), "forged by web-1");
    queryApi.publish(done("web-1"), "forged by the query API");
    await waitFor(/Publish to "fleetprof\.ctl\.web-2\.capture\.c42\.done"/);
    await qErrors.waitFor(/Publish to "fleetprof\.ctl\.web-1\.capture\.c42\.done"/);
    const first = await outcomes[Symbol.asyncIterator]().next();
    expect((first.value as { string: () => string }).string()).toBe("DONE from web-1");
    await queryApi.flush();
    expect(outcomes.getReceived()).toBe(1);
    outcomes.unsubscribe();
  });

  it("lets collectors only consume, and the query API only send control requests", async () => {
    const collector = await as("collector");
    const cjsm = await jetstreamManager(collector);
    await cjsm.consumers.add(SAMPLES_STREAM, { durable_name: "collectors", ack_policy: AckPolicy.Explicit });
    const consumer = await jetstream(collector).consumers.get(SAMPLES_STREAM, "collectors");
    const first = await consumer.next({ expires: 5000 });
    expect(first?.subject).toBe(samplesSubject("api", "web-1"));
    first?.ack();

    const collectorErrors = watchErrors(collector);
    const published = await jetstream(collector, { timeout: 3000 })
      .publish(samplesSubject("api", "web-1"), "forged")
      .then(
        () => "accepted",
        (err: Error) => err.message,
      );
    expect(published).toMatch(PERMISSION);
    const deleted = await cjsm.streams.delete(SAMPLES_STREAM).then(
      () => "deleted",
      (err: Error) => err.message,
    );
    expect(deleted).toMatch(PERMISSION);
    collector.subscribe(controlSubject("web-1", "status"));
    await collectorErrors.waitFor(/Subscription to "fleetprof\.ctl\.web-1\.status"/);

    const queryApi = await as("query-api");
    const qErrors = watchErrors(queryApi);
    queryApi.publish(samplesSubject("api", "web-1"), "forged");
    queryApi.subscribe("fleetprof.samples.>");
    await qErrors.waitFor(/Publish to "fleetprof\.samples\.api\.web-1"/);
    await qErrors.waitFor(/Subscription to "fleetprof\.samples\.>"/);
  });
});

describe("NATS Helm values (deploy/k8s/nats-values.yaml)", () => {
  it("load in nats-server as the chart renders them, and keep the shared agent credential from reading the stream", async () => {
    // The chart writes `config.merge` into nats.conf as JSON, with `<< x >>` left unquoted.
    const values = parse(readFileSync(join(DEPLOY_DIR, "k8s/nats-values.yaml"), "utf8")) as { config: { merge: Record<string, unknown> } };
    const merged = JSON.stringify(values.config.merge, null, 2).replace(/"<< (.*?) >>"/g, "$1");
    const dir = tempDir("fleetprof-helm-");
    const conf = join(dir, "nats.conf");
    writeFileSync(conf, `listen: $FLEETPROF_NATS_LISTEN\njetstream { store_dir: $FLEETPROF_NATS_STORE_DIR }\n${merged.trim().slice(1, -1)}\n`);
    const { port, env } = await nodeEnv("helm");
    const pw = { admin: "a-secret", collector: "c-secret", queryApi: "q-secret", agent: "g-secret" };
    const server = await startConfigured(conf, port, {
      ...env,
      NATS_ADMIN_PASSWORD: `"${pw.admin}"`,
      NATS_COLLECTOR_PASSWORD: `"${pw.collector}"`,
      NATS_QUERY_API_PASSWORD: `"${pw.queryApi}"`,
      NATS_AGENT_PASSWORD: `"${pw.agent}"`,
    });
    const admin = await connect({ servers: server.url, user: "admin", pass: pw.admin });
    await (await jetstreamManager(admin)).streams.add(samplesStreamConfig());
    const agent = await connect({ servers: server.url, user: "agent", pass: pw.agent, inboxPrefix: "_INBOX_agent" });
    const js = jetstream(agent, { timeout: 3000 });
    expect((await js.publish(samplesSubject("api", "node-a"), "batch", { msgID: "h1" })).seq).toBe(1);
    expect((await js.publish(samplesSubject("api", "node-b"), "batch", { msgID: "h2" })).seq).toBe(2);
    const read = await (await jetstreamManager(agent)).consumers.add(SAMPLES_STREAM, { durable_name: "x", ack_policy: AckPolicy.Explicit }).then(
      () => "created",
      (err: Error) => err.message,
    );
    expect(read).toMatch(PERMISSION);
    const collector = await connect({ servers: server.url, user: "collector", pass: pw.collector, inboxPrefix: "_INBOX_collector" });
    await (await jetstreamManager(collector)).consumers.add(SAMPLES_STREAM, { durable_name: "fleetprof-collector", ack_policy: AckPolicy.Explicit });
    const got = await (await jetstream(collector).consumers.get(SAMPLES_STREAM, "fleetprof-collector")).next({ expires: 5000 });
    expect(got?.subject).toBe(samplesSubject("api", "node-a"));
    await Promise.all([agent.close(), collector.close(), admin.close()]);
  });
});

const hasOpenssl = ((): boolean => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("nats-server.conf with TLS", () => {
  it.skipIf(!hasOpenssl)("serves TLS clients with the CA, refuses plain-text ones, and applies auth.conf", async () => {
    const dir = copyNatsConfigs();
    const tls = makeCertificates(tempDir("fleetprof-tls-"));
    const { port, env } = await nodeEnv("tls");
    const made = makePasswords();
    const server = await startConfigured(join(dir, "nats-server.conf"), port, {
      ...env,
      ...made.env,
      FLEETPROF_NATS_TLS_CERT: tls.cert,
      FLEETPROF_NATS_TLS_KEY: tls.key,
      FLEETPROF_NATS_TLS_CA: tls.ca,
    });
    await expect(connect({ servers: server.url, user: "admin", pass: made.byUser.admin, reconnect: false, tls: null })).rejects.toThrow();

    const admin = await connectAs(server.url, "admin", made.byUser.admin, { tls: { caFile: tls.ca } });
    await (await jetstreamManager(admin)).streams.add(samplesStreamConfig());
    const agent = await connectAs(server.url, "agent-web-2", made.byUser["agent-web-2"], { tls: { caFile: tls.ca } });
    const ack = await jetstream(agent).publish(samplesSubject("api", "web-2"), "batch", { msgID: "tls-1" });
    expect(ack.seq).toBe(1);
    const refused = await jetstream(agent, { timeout: 3000 })
      .publish(samplesSubject("api", "web-1"), "batch")
      .then(
        () => "accepted",
        (err: Error) => err.message,
      );
    expect(refused).toMatch(PERMISSION);
    await agent.close();
    await admin.close();
  });
});

/** A throwaway CA and a server certificate for 127.0.0.1 / localhost, made with openssl. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const p = (name: string): string => join(dir, name);
  const run = (...args: string[]): void => {
    execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  };
  run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=fleetprof test CA", "-keyout", p("ca.key"), "-out", p("ca.crt"));
  run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", p("server.key"), "-out", p("server.csr"));
  writeFileSync(p("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  run(
    "x509",
    "-req",
    "-in",
    p("server.csr"),
    "-CA",
    p("ca.crt"),
    "-CAkey",
    p("ca.key"),
    "-CAcreateserial",
    "-days",
    "1",
    "-extfile",
    p("san.ext"),
    "-out",
    p("server.crt"),
  );
  if (!existsSync(p("server.crt"))) throw new Error("openssl made no certificate");
  return { ca: p("ca.crt"), cert: p("server.crt"), key: p("server.key") };
}
