/**
 * Decode worker threads: each message is decompressed, decoded and validated on a worker, so
 * the main thread spends its time encoding and writing (at millions of samples per second the
 * two halves each fill a core). With `threads` 0, or if a worker dies, messages are decoded on
 * the main thread instead (the same code, the zlib thread pool for gunzip).
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Logger } from "@fleetprof/common";
import { decodeMessage, payloadHeaders, type Decoded, type IngestLimits } from "../ingest/message.js";
import { fromTransfer, type DecodeJob, type WireBatch } from "./transfer.js";

/** Workers to start when the option is "auto": one core is left for the main thread and chDB. */
export function defaultDecodeThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

interface Slot {
  worker: Worker;
  started: number;
  busy: number;
  /** Jobs sent, with the caller's own copy of the payload (the sent one moved to the worker). */
  jobs: Map<number, { data: Uint8Array; format: string; encoding: string; resolve: (d: Decoded) => void }>;
  dead: boolean;
}

export class DecodePool {
  readonly #limits: IngestLimits;
  readonly #log: Logger;
  readonly #slots: Slot[] = [];
  #next = 0;
  #ids = 0;
  #closed = false;
  /** Workers that died young in a row: the restart waits longer each time (no hot loop). */
  #failures = 0;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(threads: number, limits: IngestLimits, log: Logger) {
    this.#limits = limits;
    this.#log = log;
    for (let i = 0; i < threads; i++) this.#slots.push(this.#start());
  }

  get threads(): number {
    return this.#slots.length;
  }

  #start(): Slot {
    // From sources (tests, tsx) the worker is TypeScript: it registers tsx's loader first.
    const fromSource = import.meta.url.endsWith(".ts");
    const workerData = { limits: this.#limits };
    const worker = fromSource
      ? new Worker(`import("tsx/esm/api").then((t) => { t.register(); return import(${JSON.stringify(new URL("./worker.ts", import.meta.url).href)}); });`, {
          eval: true,
          workerData,
          execArgv: ["--conditions=@fleetprof/source"],
        })
      : new Worker(new URL("./worker.js", import.meta.url), { workerData });
    worker.unref();
    const slot: Slot = { worker, started: Date.now(), busy: 0, jobs: new Map(), dead: false };
    worker.on("message", (m: { id: number; d: Decoded | (Extract<Decoded, { ok: true }> & { batch: WireBatch }) }) => {
      const j = slot.jobs.get(m.id);
      if (j === undefined) return;
      slot.jobs.delete(m.id);
      slot.busy--;
      j.resolve(m.d.ok ? { ...m.d, batch: fromTransfer(m.d.batch as WireBatch) } : m.d);
    });
    const lost = (err: unknown): void => {
      if (slot.dead) return;
      slot.dead = true;
      const jobs = [...slot.jobs.values()];
      slot.jobs.clear();
      for (const j of jobs) void decodeMessage(j.data, j.format, j.encoding, this.#limits).then(j.resolve);
      if (this.#closed) return;
      this.#failures = Date.now() - slot.started < 60_000 ? this.#failures + 1 : 1;
      const delay = Math.min(60_000, 500 * 2 ** (this.#failures - 1));
      this.#log.error({ err, restartInMs: delay }, "a decode worker stopped; until a new one runs, messages are decoded on the main thread");
      const t = setTimeout(() => {
        this.#timers.delete(t);
        const i = this.#slots.indexOf(slot);
        if (i >= 0 && !this.#closed) this.#slots[i] = this.#start();
      }, delay);
      t.unref();
      this.#timers.add(t);
    };
    worker.on("error", lost);
    worker.on("exit", (code) => lost(new Error(`decode worker exited with code ${String(code)}`)));
    return slot;
  }

  /**
   * Decodes one message's payload. The worker gets a copy; `data` itself must stay unchanged
   * until the promise settles (a dying worker's messages are decoded again from it).
   */
  decode(data: Uint8Array, headers: { get(k: string): string } | undefined): Promise<Decoded> {
    const { format, encoding } = payloadHeaders(headers);
    // the least busy live worker, round robin among equals
    let slot: Slot | undefined;
    for (let k = 0; k < this.#slots.length; k++) {
      const s = this.#slots[(this.#next + k) % this.#slots.length] as Slot;
      if (!s.dead && (slot === undefined || s.busy < slot.busy)) slot = s;
    }
    this.#next++;
    if (slot === undefined || this.#closed) return decodeMessage(data, format, encoding, this.#limits);
    const target = slot;
    const job: DecodeJob = { id: this.#ids++, data: new Uint8Array(data), format, encoding };
    target.busy++;
    return new Promise((resolve) => {
      target.jobs.set(job.id, { data, format, encoding, resolve });
      target.worker.postMessage(job, [job.data.buffer as ArrayBuffer]);
    });
  }

  /** Test hook: ends a worker as a crash would. */
  async killWorker(i: number): Promise<void> {
    await this.#slots[i]?.worker.terminate();
  }

  /** Live workers. */
  get live(): number {
    return this.#slots.filter((s) => !s.dead).length;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
