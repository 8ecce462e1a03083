/**
 * The backstop for max_deliver, against a real nats-server: when JetStream gives up on a
 * message whose last delivery nobody answered (the collector holding it died), the message is
 * read back from the stream and copied to the dead-letter stream — once, however many
 * collectors watch.
 */
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { createLogger, DLQ_STREAM, ensureStreams, SAMPLES_STREAM } from "@fleetprof/common";
import { encodeBatch, samplesSubject } from "@fleetprof/proto";
import { startNats, waitUntil } from "@fleetprof/test";
import { describe, expect, it } from "vitest";
import { watchMaxDeliveries } from "../src/ingest/max-deliver.js";
import { makeBatch, makeProfile } from "./batches.js";
import { publishRaw } from "./publish.js";

describe("max_deliver backstop", () => {
  it("copies a message JetStream gives up on to the dead-letter stream, once for two watching collectors", async () => {
    const ns = await startNats();
    const nc = await connect({ servers: ns.url });
    try {
      await ensureStreams(nc);
      const jsm = await jetstreamManager(nc);
      const js = jetstream(nc);
      await jsm.consumers.add(SAMPLES_STREAM, { durable_name: "doomed", ack_policy: AckPolicy.Explicit, ack_wait: 1_000_000_000, max_deliver: 2 });
      let copies = 0;
      const log = createLogger({ level: "silent" });
      const watch = { nc, js, jsm, stream: SAMPLES_STREAM, consumer: "doomed", maxDeliver: 2, log, copied: () => copies++ };
      const subs = [watchMaxDeliveries(watch), watchMaxDeliveries(watch)];
      await nc.flush();
      const payload = encodeBatch(
        makeBatch("stuck-1", "h", [makeProfile({ service: "api", version: "1", pid: 1, windowStartUnixMs: Date.now() - 60_000, stacks: 5 })]),
      );
      await publishRaw(nc, samplesSubject("api", "h"), payload, "stuck-1");
      const consumer = await js.consumers.get(SAMPLES_STREAM, "doomed");
      // two deliveries, neither answered: a collector that died holding each
      for (let delivery = 1; delivery <= 2; delivery++) {
        const m = await consumer.next({ expires: 5000 });
        expect(m?.info.deliveryCount).toBe(delivery);
      }
      // the next pull, waiting past the second delivery's ack wait, finds the message out of
      // deliveries: nats-server gives up on it and says so
      expect(await consumer.next({ expires: 3000 })).toBeNull();
      await waitUntil("the dead-letter copy", () => copies === 2, 20_000);
      const info = await jsm.streams.info(DLQ_STREAM);
      expect(info.state.messages).toBe(1);
      const copy = await jsm.streams.getMessage(DLQ_STREAM, { seq: info.state.first_seq });
      expect(copy?.subject).toBe("fleetprof.dlq.max_deliver");
      expect(copy?.header.get("Fleetprof-Dlq-Subject")).toBe(samplesSubject("api", "h"));
      expect(copy?.header.get("Fleetprof-Dlq-Detail")).toMatch(/delivered 2 times without being stored or refused \(max-deliver 2\)/);
      expect(Buffer.compare(Buffer.from(copy?.data ?? []), Buffer.from(payload))).toBe(0);
      for (const s of subs) s.unsubscribe();
    } finally {
      await nc.close();
      await ns.stop();
    }
  });
});
