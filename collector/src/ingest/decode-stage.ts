/**
 * Received messages waiting to be decoded, and their decoding: up to `DECODE_CONCURRENCY` at
 * once (on the decode workers), each checked against its subject and encoded into the pending
 * write, or dead-lettered. Decoding pauses while the pending write holds a flush's worth of rows
 * (`flushRows`), so about one write waits while the previous one commits; the received messages
 * wait meanwhile (held and kept alive).
 */
import type { JsMsg } from "@nats-io/jetstream";
import type { Decoded } from "./message.js";
import type { PendingWrite } from "./pending-write.js";
import type { RejectReason } from "./reject-reasons.js";
import { checkSubject } from "./subject-binding.js";

/** Messages decoding at once. */
export const DECODE_CONCURRENCY = 4;

export interface DecodeStageDeps<P> {
  /** The decode worker pool (`DecodePool`). */
  decoder: { decode(data: Uint8Array, headers: JsMsg["headers"]): Promise<Decoded> };
  pending: PendingWrite<P>;
  flushRows: number;
  /** Dead-letters a message (resolves once it is let go, or left to JetStream at shutdown). */
  reject: (m: JsMsg, reason: RejectReason, detail: string) => Promise<void>;
  /** Called after each message is done (the write loop re-checks whether a write is due). */
  done: () => void;
}

export class DecodeStage<P> {
  readonly #d: DecodeStageDeps<P>;
  readonly #received: JsMsg[] = [];
  #decoding = 0;

  constructor(deps: DecodeStageDeps<P>) {
    this.#d = deps;
  }

  /** Queues a received message and starts decoding when there is room. */
  push(m: JsMsg): void {
    this.#received.push(m);
    this.pump();
  }

  /** Starts decoding queued messages while fewer than DECODE_CONCURRENCY decode and the pending write has room. */
  pump(): void {
    while (this.#received.length > 0 && this.#decoding < DECODE_CONCURRENCY && this.#d.pending.rows < this.#d.flushRows) {
      const m = this.#received.shift() as JsMsg;
      this.#decoding++;
      void this.#decodeOne(m).finally(() => {
        this.#decoding--;
        this.pump();
        this.#d.done();
      });
    }
  }

  /** Messages received and not yet decoding. */
  get waiting(): number {
    return this.#received.length;
  }

  /** Messages decoding now (or being dead-lettered after decoding). */
  get decoding(): number {
    return this.#decoding;
  }

  async #decodeOne(m: JsMsg): Promise<void> {
    const d = await this.#d.decoder.decode(m.data, m.headers);
    const refused = d.ok ? checkSubject(d.batch, m.subject) : d;
    if (refused !== undefined) return this.#d.reject(m, refused.reason, refused.detail);
    if (!d.ok) return;
    this.#d.pending.add({ m, batch: d.batch }, d.rows);
  }
}
