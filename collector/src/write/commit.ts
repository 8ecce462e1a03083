/**
 * Committing one write: retried with back-off while ClickHouse fails for a passing reason
 * (connection, timeout, memory, too many parts, a table away …), and bisected when ClickHouse
 * refuses its rows for good (an error code of `permanentWriteError`): the write is split in
 * halves by batch and each half committed on its own, down to the single batches at fault,
 * which are dead-lettered with ClickHouse's code and message while every other batch lands.
 * Halves commit one after the other before any later write, so writes still commit in order.
 */
import { type Clock, errorMessage, type Logger, type LogOnce } from "@fleetprof/common";
import { permanentWriteError, type ClickHouseFailure, type PreparedWrite, type Store } from "@fleetprof/store";
import type { JsMsg } from "@nats-io/jetstream";
import type { DecodedBatch } from "../decode/sample-batch.js";
import type { CollectorMetrics } from "../metrics.js";

/** A decoded message in a write. */
export interface WriteItem {
  m: JsMsg;
  batch: DecodedBatch;
}

export interface CommitDeps {
  store: Store;
  metrics: CollectorMetrics;
  log: Logger;
  once: LogOnce;
  /** Longest pause between attempts, ms. */
  retryMax: number;
  /** Aborted once the collector must stop waiting (the stop deadline). */
  hardStop: AbortSignal;
  clock: Clock;
  /** Called with the items of a write that landed (to acknowledge them). */
  committed: (items: WriteItem[]) => void;
  /** Called with the items ClickHouse refuses for good (to dead-letter them). */
  refused: (items: WriteItem[], detail: string) => Promise<void>;
}

const STOPPED = Symbol("stopped");

export class WriteCommitter {
  readonly #d: CommitDeps;
  /** The last attempt's error while ClickHouse fails; undefined once a write landed. */
  lastError: string | undefined;
  /** When a write last landed (ms), 0: never. */
  lastWriteAt = 0;

  constructor(deps: CommitDeps) {
    this.#d = deps;
  }

  /** Commits `prepared`, holding `items` until each landed or is refused (or the collector stops). */
  async commit(prepared: PreparedWrite, items: WriteItem[]): Promise<void> {
    const uncertain = new Set(items.filter((i) => i.m.redelivered).map((i) => i.batch.batchId));
    await this.#isolate(prepared, items, uncertain);
  }

  async #isolate(prepared: PreparedWrite, items: WriteItem[], uncertain: Set<string>): Promise<void> {
    const failure = await this.#retry(prepared, items, uncertain);
    if (failure === undefined) {
      this.#d.committed(items);
      return;
    }
    if (failure === STOPPED) return;
    const { store, log, metrics, once } = this.#d;
    const detail = `ClickHouse refused the rows: error ${String(failure.code)} (${failure.type}): ${failure.message}`;
    if (new Set(items.map((i) => i.batch.batchId)).size <= 1) {
      store.abandonWrite(prepared);
      await this.#d.refused(items, detail);
      return;
    }
    metrics.writeBisections++;
    if (once.first(`bisect:${String(failure.code)}`)) {
      log.warn(
        { code: failure.code, type: failure.type, batches: items.length },
        "ClickHouse refused a write for good; splitting it to find the batch at fault (logged once per code)",
      );
    }
    for (const half of store.splitWrite(prepared)) {
      const ids = new Set(half.batchIds);
      await this.#isolate(
        half.write,
        items.filter((i) => ids.has(i.batch.batchId)),
        new Set(half.batchIds),
      );
    }
  }

  /** Commits until it lands (undefined), ClickHouse refuses it for good, or the collector stops. */
  async #retry(prepared: PreparedWrite, items: WriteItem[], uncertain: Set<string>): Promise<ClickHouseFailure | typeof STOPPED | undefined> {
    const { store, metrics, log, once } = this.#d;
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        const r = await store.commitWrite(prepared, { uncertain });
        metrics.insertSeconds.observe((performance.now() - started) / 1000);
        metrics.flushes++;
        metrics.rows += r.rows;
        metrics.samples += r.samples;
        metrics.dictionaryRows += r.frames + r.stacks;
        metrics.recoveredProfiles += r.recoveredProfiles;
        metrics.messagesDuplicate += r.duplicateBatches;
        metrics.messagesIngested += items.length - r.duplicateBatches;
        metrics.clickhouseUp = 1;
        if (this.lastError !== undefined) log.info({ attempts: attempt + 1 }, "ClickHouse writes work again");
        this.lastError = undefined;
        this.lastWriteAt = this.#d.clock.now();
        once.forget("write");
        return undefined;
      } catch (err) {
        metrics.insertFailures++;
        // whatever part of the write landed is found and skipped on the next attempt
        for (const i of items) uncertain.add(i.batch.batchId);
        const permanent = permanentWriteError(err);
        if (permanent !== undefined) return permanent;
        metrics.clickhouseUp = 0;
        this.lastError = errorMessage(err);
        if (once.first("write")) log.warn({ err }, "writing to ClickHouse failed; holding the messages and retrying with back-off");
        if (!(await this.#pause(attempt))) return STOPPED;
      }
    }
  }

  /** Waits before attempt `attempt + 1`; false when the collector must stop instead. */
  async #pause(attempt: number): Promise<boolean> {
    const wait = Math.min(this.#d.retryMax, 100 * 2 ** Math.min(attempt, 20)) * (0.75 + Math.random() / 2);
    return this.#d.clock.sleep(wait, this.#d.hardStop);
  }
}
