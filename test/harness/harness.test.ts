/**
 * The harness itself, against the real things: a nats-server with JetStream, an embedded
 * ClickHouse, and a Python workload that py-spy can read.
 */
import { execFileSync } from "node:child_process";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { openChdb, pySpyPath, rows, startNats, startWorkload } from "./index.js";

describe("test harness", () => {
  it("starts a real nats-server with JetStream that survives a restart on the same store", async () => {
    const ns = await startNats();
    console.log(`nats-server ${ns.version} with JetStream at ${ns.url}`);
    let nc = await connect({ servers: ns.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "H", subjects: ["h.>"] });
    const ack = await jetstream(nc).publish("h.one", "hello", { msgID: "m1" });
    expect(ack.seq).toBe(1);
    const dup = await jetstream(nc).publish("h.one", "hello", { msgID: "m1" });
    expect(dup.duplicate).toBe(true);
    await nc.close();

    await ns.stop();
    expect(ns.running()).toBe(false);
    await ns.start();
    nc = await connect({ servers: ns.url });
    const info = await (await jetstreamManager(nc)).streams.info("H");
    expect(info.state.messages).toBe(1);
    await nc.close();
    await ns.stop();
  });

  it("opens a fresh embedded ClickHouse through @clickhouse/client", async () => {
    const ch = openChdb();
    try {
      const [v] = await rows<{ v: string }>(ch.client, "SELECT version() AS v");
      console.log(`chDB ClickHouse ${String(v?.v)} at ${ch.path}`);
      await ch.client.command({ query: "CREATE TABLE t (n UInt64) ENGINE = MergeTree ORDER BY n" });
      await ch.client.insert({ table: "t", values: [{ n: 1 }, { n: 2 }], format: "JSONEachRow" });
      const [s] = await rows<{ s: string }>(ch.client, "SELECT sum(n) AS s FROM t WHERE n >= {min:UInt64}", { min: 1 });
      expect(Number(s?.s)).toBe(3);
    } finally {
      await ch.close();
    }
  });

  it("runs a real Python workload that py-spy can read, and stops it", async () => {
    const w = await startWorkload("cpu_split", { args: ["--alpha", "90", "--beta", "10", "--gamma", "0"] });
    const dump = execFileSync(pySpyPath(), ["dump", "--pid", String(w.pid)], { encoding: "utf8" });
    console.log(`python workload pid ${String(w.pid)}; py-spy dump:\n${dump}`);
    expect(dump).toMatch(/spin|alpha|beta|cycle/);
    expect(dump).toContain("cpu_split.py");
    await w.stop();
    expect(w.proc.exitCode ?? w.proc.signalCode).not.toBeNull();
  });
});
