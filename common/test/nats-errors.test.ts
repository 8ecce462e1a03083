/**
 * The streams every component agrees on, against a real nats-server: created when missing, an
 * operator's tuning left alone, and the server's refusals told apart by class and code.
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNats, type NatsServer } from "@fleetprof/test";
import { DLQ_STREAM, ensureStreams, isJetStreamError, isNoResponders, JetStreamErrorCode, SAMPLES_STREAM, samplesStreamConfig } from "../src/index.js";

const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (err: unknown) => err,
  );

describe("JetStream streams and errors", () => {
  let ns: NatsServer;
  beforeAll(async () => {
    ns = await startNats();
  });
  afterAll(async () => {
    await ns.stop();
  });

  it("tells a missing stream, a name in use and a subject nobody stores by class and code", async () => {
    const nc = await connect({ servers: ns.url });
    try {
      const jsm = await jetstreamManager(nc);
      const missing = await rejection(jsm.streams.info("NO_SUCH_STREAM"));
      expect(isJetStreamError(missing, JetStreamErrorCode.StreamNotFound)).toBe(true);
      expect(isJetStreamError(missing, JetStreamErrorCode.StreamNameInUse)).toBe(false);

      await jsm.streams.add({ name: "TAKEN", subjects: ["taken.>"] });
      const inUse = await rejection(jsm.streams.add({ name: "TAKEN", subjects: ["other.>"] }));
      expect(isJetStreamError(inUse, JetStreamErrorCode.StreamNameInUse)).toBe(true);
      expect(isJetStreamError(inUse, JetStreamErrorCode.StreamNotFound)).toBe(false);
      expect(isNoResponders(inUse)).toBe(false);

      const unstored = await rejection(jetstream(nc, { timeout: 2000 }).publish("nobody.stores.this", new Uint8Array([1])));
      expect(isNoResponders(unstored)).toBe(true);
      expect(isJetStreamError(unstored, JetStreamErrorCode.StreamNotFound)).toBe(false);
      expect(isNoResponders(new Error("no responders"))).toBe(false);
    } finally {
      await nc.close();
    }
  });

  it("creates both streams when missing, leaves an operator's tuning alone, and lets two components race", async () => {
    const [a, b] = await Promise.all([connect({ servers: ns.url }), connect({ servers: ns.url })]);
    try {
      // two components start at the same moment, with different settings: one creates each stream
      await Promise.all([ensureStreams(a), ensureStreams(b, { maxAgeMs: 3_600_000 })]);
      const jsm = await jetstreamManager(a);
      expect((await jsm.streams.info(DLQ_STREAM)).config.name).toBe(DLQ_STREAM);

      const tuned = { ...samplesStreamConfig(), max_age: 2 * samplesStreamConfig().max_age! };
      await jsm.streams.update(SAMPLES_STREAM, tuned);
      await ensureStreams(b);
      expect((await jsm.streams.info(SAMPLES_STREAM)).config.max_age).toBe(tuned.max_age);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
