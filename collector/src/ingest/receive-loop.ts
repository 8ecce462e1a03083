/**
 * Receiving from the durable pull consumer: pulls bounded by bytes (`CONSUME_BYTES`), every
 * delivered message held (kept alive) at once. The last delivery JetStream will make of a
 * message is dead-lettered unread (`max_deliver`); the others go to decoding. When consuming
 * fails the loop logs once and pulls again a second later, until the collector stops.
 */
import type { JsMsg } from "@nats-io/jetstream";
import { type Clock, type Logger, type LogOnce } from "@fleetprof/common";
import type { CollectorMetrics } from "../metrics.js";
import type { HeldMessages } from "./held-messages.js";
import { isLastDelivery, maxDeliverDetail } from "./max-deliver.js";
import type { RejectReason } from "./reject-reasons.js";

/**
 * Bytes one pull asks JetStream for. Bounded by bytes, not messages: batches are up to a
 * megabyte each, and a pull of hundreds of them overflows nats-server's per-connection
 * outbound buffer while the collector is busy, which cuts the connection as a slow consumer.
 */
export const CONSUME_BYTES = 8 * 1024 * 1024;
/** Pause before pulling again after consuming failed. */
const CONSUME_RETRY_MS = 1000;

/** Messages of one `consume()` (JetStream's `ConsumerMessages`). */
export interface MessageStream extends AsyncIterable<JsMsg> {
  status(): AsyncIterable<unknown>;
  close(): Promise<unknown>;
}

/** The durable consumer (JetStream's `Consumer`). */
export interface PullConsumer {
  consume(options: { max_bytes: number }): Promise<MessageStream>;
}

export interface ReceiveLoopDeps {
  /** Looks the durable consumer up (`js.consumers.get(stream, name)`). */
  consumer: () => Promise<PullConsumer>;
  maxDeliver: number;
  held: HeldMessages<JsMsg>;
  metrics: CollectorMetrics;
  log: Logger;
  once: LogOnce;
  clock: Clock;
  /** Aborted when the collector stops. */
  stopping: AbortSignal;
  reject: (m: JsMsg, reason: RejectReason, detail: string) => Promise<void>;
  /** Hands a message on to decoding. */
  receive: (m: JsMsg) => void;
}

export class ReceiveLoop {
  readonly #d: ReceiveLoopDeps;
  #messages: MessageStream | undefined;

  constructor(deps: ReceiveLoopDeps) {
    this.#d = deps;
  }

  /** Receives until the collector stops. */
  async run(): Promise<void> {
    const { log, once, stopping } = this.#d;
    const consumer = await this.#d.consumer();
    while (!stopping.aborted) {
      try {
        this.#messages = await consumer.consume({ max_bytes: CONSUME_BYTES });
        this.#logStatus(this.#messages);
        for await (const m of this.#messages) this.#take(m);
      } catch (err) {
        if (stopping.aborted) break;
        if (once.first("consume")) log.error({ err }, "consuming from JetStream failed; retrying");
        await this.#d.clock.sleep(CONSUME_RETRY_MS, stopping);
      }
    }
  }

  /** Stops the current pull (the loop then ends once the collector is stopping). */
  async close(): Promise<void> {
    await this.#messages?.close();
  }

  #take(m: JsMsg): void {
    const { metrics, held, maxDeliver } = this.#d;
    if (m.redelivered) metrics.redeliveries++;
    held.hold(m);
    if (isLastDelivery(m, maxDeliver)) {
      void this.#d.reject(m, "max_deliver", maxDeliverDetail(m.info.deliveryCount, maxDeliver));
      return;
    }
    this.#d.receive(m);
  }

  #logStatus(messages: MessageStream): void {
    void (async () => {
      for await (const st of messages.status()) this.#d.log.debug({ status: st }, "JetStream consumer status");
    })().catch(() => undefined);
  }
}
