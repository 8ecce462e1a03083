/**
 * The next write, filled as messages are decoded: each decoded batch is encoded into it at once
 * (hashes, RowBinary, rollup sums) while the previous write commits.
 */
import type { Clock } from "@fleetprof/common";
import type { DecodedBatch } from "../decode/sample-batch.js";
import type { WriteItem } from "../write/commit.js";

/** What the pending write needs of the store's `WriteBuilder`. */
export interface OpenWrite<P> {
  add(batch: DecodedBatch): void;
  finish(): P;
}

/** A write taken from the buffer, ready to commit. */
export interface TakenWrite<P> {
  builder: OpenWrite<P>;
  items: WriteItem[];
}

export class PendingWrite<P> {
  readonly #begin: () => OpenWrite<P>;
  readonly #clock: Clock;
  #builder: OpenWrite<P>;
  #items: WriteItem[] = [];
  #rows = 0;
  #oldest: number | undefined;

  /** `begin` opens a write (`store.beginWrite`). */
  constructor(begin: () => OpenWrite<P>, clock: Clock) {
    this.#begin = begin;
    this.#clock = clock;
    this.#builder = begin();
  }

  /** Encodes a decoded message of `rows` sample rows into the write. */
  add(item: WriteItem, rows: number): void {
    this.#builder.add(item.batch);
    this.#items.push(item);
    this.#rows += rows;
    this.#oldest ??= this.#clock.now();
  }

  /** Sample rows waiting. */
  get rows(): number {
    return this.#rows;
  }

  /** Messages waiting. */
  get messages(): number {
    return this.#items.length;
  }

  /** When the first message waiting was decoded (ms); undefined when none waits. */
  get oldest(): number | undefined {
    return this.#oldest;
  }

  /** Hands over what waits and opens the next write. */
  take(): TakenWrite<P> {
    const taken = { builder: this.#builder, items: this.#items };
    this.#builder = this.#begin();
    this.#items = [];
    this.#rows = 0;
    this.#oldest = undefined;
    return taken;
  }
}
