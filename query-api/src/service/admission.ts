/**
 * Admission of calls: at most `maxRunning` at once, at most `maxQueued` more waiting (first come,
 * first served), each waiting at most `maxWaitMs` or until its own deadline or cancellation.
 * Past a bound a call is RESOURCE_EXHAUSTED at once, naming the limit and saying what to do.
 *
 * It sits in the service layer, not in a transport: the QueryService handlers go through it
 * whichever protocol serves them, so every transport shares the same slots. Health checks and
 * reflection are other services and are never counted.
 */
import { ErrorCode, FleetprofError } from "@fleetprof/common";
import type { CallContext } from "../grpc/adapter.js";

export interface AdmissionOptions {
  maxRunning: number;
  maxQueued: number;
  maxWaitMs: number;
  /** What is counted, for messages ("query calls"). */
  what: string;
  /** Option names, for messages. */
  runningOption: string;
  queuedOption?: string;
  waitOption?: string;
}

interface Waiter {
  grant: () => void;
}

const RETRY = "retry in a few seconds, with backoff; if this lasts, the operator can raise";

export class Admission {
  #running = 0;
  readonly #queue: Waiter[] = [];

  constructor(readonly options: AdmissionOptions) {}

  /** Calls running now. */
  get running(): number {
    return this.#running;
  }

  /** Calls waiting now. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Runs `fn` once admitted; the slot is released when it settles. */
  async run<T>(ctx: Pick<CallContext, "signal">, fn: () => Promise<T>): Promise<T> {
    await this.#enter(ctx.signal);
    try {
      return await fn();
    } finally {
      this.#leave();
    }
  }

  #busy(why: string): FleetprofError {
    const o = this.options;
    return new FleetprofError(
      ErrorCode.ResourceExhausted,
      `the query API is busy: ${why}: ${RETRY} ${o.runningOption}${o.queuedOption === undefined ? "" : ` or ${o.queuedOption}`}, or add query API replicas`,
    );
  }

  #enter(signal: AbortSignal): Promise<void> {
    const o = this.options;
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (this.#running < o.maxRunning && this.#queue.length === 0) {
      this.#running++;
      return Promise.resolve();
    }
    const running = `${String(this.#running)} ${o.what} running (option ${o.runningOption})`;
    if (this.#queue.length >= o.maxQueued) {
      const waiting = o.queuedOption === undefined ? "" : ` and ${String(this.#queue.length)} waiting (option ${o.queuedOption})`;
      return Promise.reject(this.#busy(`${running}${waiting}`));
    }
    return new Promise<void>((resolve, reject) => {
      const leaveQueue = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        const i = this.#queue.indexOf(waiter);
        if (i !== -1) this.#queue.splice(i, 1);
      };
      const onAbort = (): void => {
        leaveQueue();
        reject(signal.reason as Error);
      };
      const timer = setTimeout(() => {
        leaveQueue();
        reject(this.#busy(`this call waited ${String(Math.round(o.maxWaitMs / 100) / 10)} s (option ${o.waitOption ?? "max-queue-wait"}) behind ${running}`));
      }, o.maxWaitMs);
      const waiter: Waiter = {
        grant: () => {
          leaveQueue();
          resolve();
        },
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  /** A finishing call hands its slot to the first waiter, or frees it. */
  #leave(): void {
    const next = this.#queue[0];
    if (next !== undefined) next.grant();
    else this.#running--;
  }
}

/** The two pools of a query API: reads of the store, and calls that wait on agents. */
export interface Admissions {
  /** Every QueryService call that reads the store. */
  queries: Admission;
  /** Dump and Capture: they mostly wait on agents over NATS (a capture for up to a minute). */
  control: Admission;
}

export interface AdmissionConfig {
  maxConcurrentCalls: number;
  maxQueuedCalls: number;
  maxQueueWait: number;
  maxControlCalls: number;
}

export function createAdmissions(c: AdmissionConfig): Admissions {
  return {
    queries: new Admission({
      maxRunning: c.maxConcurrentCalls,
      maxQueued: c.maxQueuedCalls,
      maxWaitMs: c.maxQueueWait,
      what: "query calls",
      runningOption: "max-concurrent-calls",
      queuedOption: "max-queued-calls",
      waitOption: "max-queue-wait",
    }),
    control: new Admission({ maxRunning: c.maxControlCalls, maxQueued: 0, maxWaitMs: 0, what: "Dump and Capture calls", runningOption: "max-control-calls" }),
  };
}

type Handler = (request: never, context: CallContext, ...rest: never[]) => Promise<unknown>;

/**
 * `impl` with every handler run through an admission: `pools[name]` when given, else
 * `fallback`. Handlers take the call context second (unary and server-streaming alike).
 */
export function admitted<I extends Record<string, Handler>>(impl: I, fallback: Admission, pools: Partial<Record<keyof I, Admission>> = {}): I {
  const out: Record<string, Handler> = {};
  for (const [name, fn] of Object.entries(impl)) {
    const pool = pools[name as keyof I] ?? fallback;
    out[name] = (request: never, context: CallContext, ...rest: never[]) => pool.run(context, () => fn(request, context, ...rest));
  }
  return out as I;
}
