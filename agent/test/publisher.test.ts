/**
 * The agent's publisher against a real nats-server, when the samples stream goes away under it
 * (an operator deleted it, or the server lost its store): the stream is created again and the
 * batches spooled meanwhile arrive.
 */
import { create } from "@bufbuild/protobuf";
import { createLogger, SAMPLES_STREAM, sleep } from "@fleetprof/common";
import { FORMAT_VERSION, ProcessProfileSchema, SampleBatchSchema } from "@fleetprof/proto";
import { startNats, tempDir } from "@fleetprof/test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { AgentMetrics } from "../src/metrics/agent-metrics.js";
import { Publisher } from "../src/publish/publisher.js";
import { Spool } from "../src/publish/spool.js";

const batch = (id: string) =>
  create(SampleBatchSchema, {
    batchId: id,
    host: "h-publisher",
    agentVersion: "test",
    formatVersion: FORMAT_VERSION,
    profiles: [create(ProcessProfileSchema, { pid: 1, service: "api" })],
  });

/** Resolves what `p` resolves, or `undefined` after `ms` (so a lost message fails an assertion instead of the timeout). */
const within = <T>(p: Promise<T>, ms: number): Promise<T | undefined> => Promise.race([p, sleep(ms).then(() => undefined)]);

describe("publisher", () => {
  it("creates the samples stream again when it was deleted, and delivers what was spooled meanwhile", async () => {
    const ns = await startNats();
    const nc = await connect({ servers: ns.url });
    const publisher = new Publisher({
      natsUrl: ns.url,
      spool: new Spool(tempDir("agent-publisher-"), 1 << 20),
      metrics: new AgentMetrics(),
      log: createLogger({ level: "silent" }),
    });
    try {
      publisher.start();
      expect(await within(publisher.whenPublished(publisher.enqueue(batch("before"))), 20_000)).toBe(true);
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(SAMPLES_STREAM);
      expect(await within(publisher.whenPublished(publisher.enqueue(batch("after"))), 20_000)).toBe(true);
      const info = await jsm.streams.info(SAMPLES_STREAM);
      expect(info.state.messages).toBe(1);
    } finally {
      await publisher.stop(1000);
      await nc.close();
      await ns.stop();
    }
  });
});
