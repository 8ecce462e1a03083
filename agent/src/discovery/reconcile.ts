/**
 * Discovery reconciliation: after each scan of /proc, the set of samplers is made to match the
 * processes found. A sampler whose process is gone (or that finished) is dropped; a new
 * CPython process gets a sampler, unless its interpreter is unsupported (skipped while it
 * lives, logged once per version), there is no py-spy yet, or `--max-processes` is reached.
 * The gauges of profiled and skipped processes are set from the result.
 */
import { errorMessage, LogOnce, type Logger } from "@fleetprof/common";
import type { AgentMetrics } from "../metrics/agent-metrics.js";
import type { ProcessSampler } from "../sampling/process-sampler.js";
import type { DiscoveredProcess } from "./scanner.js";

/** What reconciliation needs of a sampler. */
export type ReconciledSampler = Pick<ProcessSampler, "target" | "state" | "windows" | "begin">;

export interface ReconcilerOptions<S extends ReconciledSampler> {
  /** The CPython processes on the host now (throws when /proc cannot be read). */
  scan: () => DiscoveredProcess[];
  /** Where /proc is, for the message when it cannot be read. */
  procDir: string;
  /** False while there is no py-spy: processes found wait for a later scan. */
  canSample: () => boolean;
  /** A sampler for a process found; reconciliation begins it. */
  createSampler: (p: DiscoveredProcess) => S;
  maxProcesses: number;
  /** The process is gone: whatever is kept about it (its failure backoff) can go. */
  forget: (key: string) => void;
  metrics: AgentMetrics;
  log: Logger;
}

export class DiscoveryReconciler<S extends ReconciledSampler> {
  /** One sampler per process being profiled (or in backoff), by `pid:startTicks`. */
  readonly samplers = new Map<string, S>();
  /** Processes found with an interpreter py-spy cannot read. */
  readonly #skipped = new Set<string>();
  readonly #once = new LogOnce();
  readonly #o: ReconcilerOptions<S>;

  constructor(options: ReconcilerOptions<S>) {
    this.#o = options;
  }

  /** Scans /proc and reconciles; a scan that fails is logged once and changes nothing. */
  scan(): void {
    let found: DiscoveredProcess[];
    try {
      found = this.#o.scan();
    } catch (err) {
      if (this.#once.first("scan")) this.#o.log.error({ err, procDir: this.#o.procDir }, `cannot scan ${this.#o.procDir}: ${errorMessage(err)}`);
      return;
    }
    this.reconcile(found);
  }

  /** Makes the samplers match `found`, the processes of one scan. */
  reconcile(found: DiscoveredProcess[]): void {
    const present = new Set(found.map((p) => p.key));
    this.dropGone(present);
    const skipped = this.admit(found);
    const { metrics } = this.#o;
    const inState = (state: S["state"]): number => [...this.samplers.values()].filter((s) => s.state === state).length;
    metrics.processesProfiled.set(inState("running"));
    metrics.processesSkipped.set(skipped.unsupported, { reason: "unsupported" });
    metrics.processesSkipped.set(skipped.overLimit, { reason: "limit" });
    metrics.processesSkipped.set(inState("backoff"), { reason: "backoff" });
  }

  private dropGone(present: Set<string>): void {
    for (const [key, sampler] of this.samplers) {
      // A running sampler's py-spy ends by itself when its process does (and reports the window).
      if (sampler.state === "finished" || (!present.has(key) && sampler.state !== "running")) {
        this.samplers.delete(key);
        if (!present.has(key)) {
          this.#o.forget(key);
          this.#o.log.debug({ targetPid: sampler.target.pid, windows: sampler.windows }, `pid ${String(sampler.target.pid)} is gone`);
        }
      }
    }
    for (const key of this.#skipped) if (!present.has(key)) this.#skipped.delete(key);
  }

  /** Starts a sampler for each new process it may; returns how many it skipped, and why. */
  private admit(found: DiscoveredProcess[]): { unsupported: number; overLimit: number } {
    const { log, maxProcesses } = this.#o;
    let unsupported = 0;
    let overLimit = 0;
    for (const p of found) {
      if (this.samplers.has(p.key) || this.#skipped.has(p.key)) {
        if (this.#skipped.has(p.key)) unsupported++;
        continue;
      }
      if (p.verdict === "unsupported") {
        this.#skipped.add(p.key);
        unsupported++;
        this.logUnsupported(p);
        continue;
      }
      if (!this.#o.canSample()) continue;
      if (this.samplers.size >= maxProcesses) {
        overLimit++;
        if (this.#once.first("max-processes"))
          log.warn({ maxProcesses }, `more than ${String(maxProcesses)} Python processes: profiling the first ${String(maxProcesses)} (raise --max-processes)`);
        continue;
      }
      const sampler = this.#o.createSampler(p);
      this.samplers.set(p.key, sampler);
      log.info(
        { targetPid: p.pid, service: sampler.target.service, version: sampler.target.version, python: p.python.version },
        `profiling pid ${String(p.pid)} as ${sampler.target.service}`,
      );
      sampler.begin();
    }
    return { unsupported, overLimit };
  }

  private logUnsupported(p: DiscoveredProcess): void {
    const reason = p.python.kind === "unsupported" ? p.python.reason : "unsupported";
    if (this.#once.first(`unsupported:${p.python.version}`)) {
      this.#o.log.warn({ targetPid: p.pid, python: p.python.version }, `not profiling pid ${String(p.pid)} (${p.cmdline.join(" ").slice(0, 120)}): ${reason}`);
    }
  }
}
