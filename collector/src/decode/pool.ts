/**
 * Decode worker threads: each message is decompressed, decoded and validated on a worker, so
 * the main thread spends its time encoding and writing (at millions of samples per second the
 * two halves each fill a core). With `threads` 0 messages are decoded on the main thread (the
 * same code, the zlib thread pool for gunzip).
 *
 * A worker that dies (its heap limit hit, a crash) takes down only itself. The message it was
 * decoding — each worker posts the id of the job it starts into shared memory — comes back as
 * `decoder_crashed`, to be dead-lettered: it is never decoded again, least of all on the main
 * thread, where the same message would take the whole process down. The worker's other jobs
 * wait for a live worker. A new worker starts after a pause that doubles while workers keep
 * dying young.
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

export interface DecodePoolOptions {
  threads: number;
  limits: IngestLimits;
  /** Old-generation heap of each worker, MiB (`resourceLimits.maxOldGenerationSizeMb`). */
  heapMb?: number;
  log: Logger;
}

interface Job {
  id: number;
  /** The caller's own copy of the payload (the one sent moves to the worker). */
  data: Uint8Array;
  format: string;
  encoding: string;
  resolve: (d: Decoded) => void;
}

interface Slot {
  worker: Worker;
  started: number;
  /** Id + 1 of the job the worker is decoding, 0 while idle (written by the worker). */
  current: Int32Array;
  jobs: Map<number, Job>;
  dead: boolean;
}

/** What a worker posts back. */
type WorkerReply = { id: number; d: Decoded | (Extract<Decoded, { ok: true }> & { batch: WireBatch }) };

export class DecodePool {
  readonly #o: DecodePoolOptions;
  readonly #slots: Slot[] = [];
  /** Jobs waiting for a live worker (all workers dead, restarts pending). */
  readonly #waiting: Job[] = [];
  #next = 0;
  #ids = 0;
  #closed = false;
  /** Workers that died young in a row: the restart waits longer each time (no hot loop). */
  #failures = 0;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(options: DecodePoolOptions) {
    this.#o = options;
    for (let i = 0; i < options.threads; i++) this.#slots.push(this.#start());
  }

  get threads(): number {
    return this.#slots.length;
  }

  /** Live workers. */
  get live(): number {
    return this.#slots.filter((s) => !s.dead).length;
  }

  #start(): Slot {
    const current = new Int32Array(new SharedArrayBuffer(4));
    const workerData = { limits: this.#o.limits, current };
    const resourceLimits = this.#o.heapMb === undefined ? undefined : { maxOldGenerationSizeMb: this.#o.heapMb };
    // From sources (tests, tsx) the worker is TypeScript: it registers tsx's loader first.
    const worker = import.meta.url.endsWith(".ts")
      ? new Worker(`import("tsx/esm/api").then((t) => { t.register(); return import(${JSON.stringify(new URL("./worker.ts", import.meta.url).href)}); });`, {
          eval: true,
          workerData,
          resourceLimits,
          execArgv: ["--conditions=@fleetprof/source"],
        })
      : new Worker(new URL("./worker.js", import.meta.url), { workerData, resourceLimits });
    worker.unref();
    const slot: Slot = { worker, started: Date.now(), current, jobs: new Map(), dead: false };
    worker.on("message", (m: WorkerReply) => {
      const j = slot.jobs.get(m.id);
      if (j === undefined) return;
      slot.jobs.delete(m.id);
      j.resolve(m.d.ok ? { ...m.d, batch: fromTransfer(m.d.batch as WireBatch) } : m.d);
    });
    worker.on("error", (err) => this.#lost(slot, err));
    worker.on("exit", (code) => this.#lost(slot, new Error(`decode worker exited with code ${String(code)}`)));
    return slot;
  }

  /** A worker died: its current job is refused, the rest wait for a live worker, a new one starts later. */
  #lost(slot: Slot, err: Error): void {
    if (slot.dead) return;
    slot.dead = true;
    if (this.#closed) return; // stopping: unfinished messages stay unacknowledged (delivered again)
    const culprit = Atomics.load(slot.current, 0) - 1;
    const jobs = [...slot.jobs.values()];
    slot.jobs.clear();
    let refused: Job | undefined;
    for (const j of jobs) {
      if (j.id === culprit) refused = j;
      else this.#send(j);
    }
    const why = (err as NodeJS.ErrnoException).code ?? err.message;
    refused?.resolve({ ok: false, reason: "decoder_crashed", detail: `a decode worker died decoding this message (${why}); it is not decoded again` });
    this.#failures = Date.now() - slot.started < 60_000 ? this.#failures + 1 : 1;
    const delay = Math.min(60_000, 500 * 2 ** (this.#failures - 1));
    this.#o.log.error(
      { err, restartInMs: delay, refused: refused !== undefined, requeued: jobs.length - (refused === undefined ? 0 : 1) },
      "a decode worker stopped; the message it was decoding is dead-lettered, the others wait for a worker",
    );
    const t = setTimeout(() => {
      this.#timers.delete(t);
      const i = this.#slots.indexOf(slot);
      if (i < 0 || this.#closed) return;
      this.#slots[i] = this.#start();
      for (const j of this.#waiting.splice(0)) this.#send(j);
    }, delay);
    t.unref();
    this.#timers.add(t);
  }

  /** Hands a job to the least busy live worker (round robin among equals), or queues it. */
  #send(job: Job): void {
    let slot: Slot | undefined;
    for (let k = 0; k < this.#slots.length; k++) {
      const s = this.#slots[(this.#next + k) % this.#slots.length] as Slot;
      if (!s.dead && (slot === undefined || s.jobs.size < slot.jobs.size)) slot = s;
    }
    this.#next++;
    if (slot === undefined) {
      this.#waiting.push(job);
      return;
    }
    slot.jobs.set(job.id, job);
    const sent: DecodeJob = { id: job.id, data: new Uint8Array(job.data), format: job.format, encoding: job.encoding };
    slot.worker.postMessage(sent, [sent.data.buffer as ArrayBuffer]);
  }

  /**
   * Decodes one message's payload. A worker gets a copy; `data` itself must stay unchanged
   * until the promise settles (a dying worker's other messages are sent again from it).
   */
  decode(data: Uint8Array, headers: { get(k: string): string } | undefined): Promise<Decoded> {
    const { format, encoding } = payloadHeaders(headers);
    if (this.#slots.length === 0) return decodeMessage(data, format, encoding, this.#o.limits);
    return new Promise((resolve) => this.#send({ id: this.#ids++, data, format, encoding, resolve }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
