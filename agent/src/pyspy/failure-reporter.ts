/**
 * What the agent does when py-spy fails on a process: count it, decide how long to wait before
 * trying again (30 s, doubling to 10 min; reset by a good window), and log one line with the
 * fix per kind of problem (per user for permissions) rather than one per process and retry.
 */
import { LogOnce, type Logger } from "@fleetprof/common";
import type { AgentMetrics } from "../metrics/agent-metrics.js";
import type { SamplerTarget } from "../sampling/process-sampler.js";
import { failureMessage, type FailureKind } from "./failure.js";

/** First wait after a py-spy failure; doubles up to {@link MAX_BACKOFF_MS}. */
export const FIRST_BACKOFF_MS = 30_000;
export const MAX_BACKOFF_MS = 10 * 60_000;

export class FailureReporter {
  readonly #backoffs = new Map<string, number>();
  readonly #once = new LogOnce();

  constructor(
    private readonly log: Logger,
    private readonly metrics: AgentMetrics,
    /** kernel.yama.ptrace_scope, when the kernel has it. */
    private readonly ptraceScope: string | undefined,
    /** The py-spy in use, for messages. */
    private readonly pySpy: () => string,
  ) {}

  /** Counts and logs a failure; with `backoff`, returns how long to wait (ms), else 0. */
  report(target: SamplerTarget, kind: FailureKind, detail: string, backoff: boolean): number {
    this.metrics.pySpyErrors.inc({ kind });
    let wait = 0;
    if (backoff) {
      const previous = this.#backoffs.get(target.key);
      wait = previous === undefined ? FIRST_BACKOFF_MS : Math.min(previous * 2, MAX_BACKOFF_MS);
      this.#backoffs.set(target.key, wait);
    }
    const message = failureMessage(kind, {
      pid: target.pid,
      service: target.service,
      user: target.user,
      pySpy: this.pySpy(),
      ptraceScope: this.ptraceScope,
      detail,
      retryInMs: wait,
    });
    const logKey = kind === "permission" ? `permission:${String(target.uid)}` : kind === "not-installed" ? "not-installed" : `${kind}:${target.key}`;
    const fields = { targetPid: target.pid, service: target.service, kind, retryInMs: wait };
    if (this.#once.first(logKey)) this.log.warn(fields, message);
    else this.log.debug(fields, message);
    return wait;
  }

  /** A good window: the next failure starts the backoff from the beginning. */
  recovered(key: string): void {
    this.#backoffs.delete(key);
  }

  /** The process is gone. */
  forget(key: string): void {
    this.#backoffs.delete(key);
  }
}
