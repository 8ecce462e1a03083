/**
 * Continuous sampling of one process as back-to-back py-spy windows.
 *
 * At each wall-clock boundary the running py-spy gets SIGINT and the next one is started at
 * the same instant. py-spy stops sampling at SIGINT and the next one takes its first sample
 * only once attached, so two windows never hold the same instant (no sample counted twice);
 * the gap between them is the next py-spy's start-up time, measured from its "Sampling" line
 * and reported. py-spy's own tick count ("Samples: N") against rate × window length gives
 * each window's coverage.
 */
import type { Clock } from "@fleetprof/common";
import type { PySpyResult, PySpyRun } from "../pyspy/run.js";
import type { FailureKind } from "../pyspy/failure.js";

export interface SamplerTarget {
  key: string;
  pid: number;
  uid: number | undefined;
  user: string | undefined;
  startUnixMs: number;
  service: string;
  version: string;
  labels: Record<string, string>;
  labelsTruncated: number;
}

export type WindowOutcome = "complete" | "partial" | "lost";

export interface EndedWindow {
  target: SamplerTarget;
  startMs: number;
  endMs: number;
  outcome: WindowOutcome;
  result: PySpyResult;
}

export interface SamplerHooks {
  /** Starts one py-spy run on the process; a gated one waits for its release (see PySpyRun). */
  startRun: (pid: number, gated: boolean) => PySpyRun;
  /** A window ended (complete, partial or lost). */
  onWindow: (w: EndedWindow) => void;
  /**
   * py-spy failed. With `backoff`, the sampler waits before trying again: the hook returns how
   * long (ms). Without, the next run is already going (a run that failed at a hand-over).
   */
  onFailure: (target: SamplerTarget, kind: FailureKind, detail: string, backoff: boolean) => number;
  /** Time from one window's stop to the next window's first sample. */
  onGap: (ms: number) => void;
  /** True while the process (same pid and start time) still exists. */
  alive: (target: SamplerTarget) => boolean;
  /** A bug in handling a window (never thrown at the caller: sampling carries on). */
  onError: (target: SamplerTarget, err: unknown) => void;
}

export type SamplerState = "running" | "backoff" | "finished";

export class ProcessSampler {
  readonly target: SamplerTarget;
  #hooks: SamplerHooks;
  /** The clock the window boundaries come from, so the times a sampler reads itself agree with them. */
  #clock: Pick<Clock, "now">;
  #run: PySpyRun | undefined;
  /** The next window's run, spawned ahead of the boundary and waiting for its release. */
  #next: PySpyRun | undefined;
  #windowStart = 0;
  #state: SamplerState = "running";
  #retryAt = 0;
  #pending = new Set<Promise<void>>();
  /** Coverage of the last ended window (ticks / expected), undefined before the first. */
  lastCoverage: number | undefined;
  windows = 0;

  constructor(target: SamplerTarget, hooks: SamplerHooks, clock: Pick<Clock, "now">) {
    this.target = target;
    this.#hooks = hooks;
    this.#clock = clock;
  }

  get state(): SamplerState {
    return this.#state;
  }

  /** When a sampler in backoff may try again (unix ms). */
  get retryAt(): number {
    return this.#retryAt;
  }

  /** Starts the first window now. */
  begin(now = this.#clock.now()): void {
    this.startRun(now);
  }

  /** Shortly before a boundary: spawn the next window's run, gated, so the hand-over costs one write. */
  prepare(): void {
    if (this.#state !== "running" || this.#next !== undefined) return;
    this.#next = this.#hooks.startRun(this.target.pid, true);
  }

  /**
   * A window boundary: hand over from the running py-spy to a new one. A window younger than
   * `minWindowMs` (a process found just before the boundary) runs on into the next window.
   */
  rotate(now: number, minWindowMs: number): void {
    if (this.#state === "finished") return;
    if (this.#state === "backoff") {
      if (now >= this.#retryAt) this.startRun(now);
      return;
    }
    const old = this.#run;
    if (old === undefined) {
      this.startRun(now);
      return;
    }
    if (now - this.#windowStart < minWindowMs) return;
    // A py-spy still attaching is not stopped: SIGINT would end it without a word, at every
    // boundary when attaching takes longer than a window (a process py-spy cannot read made it
    // fail after 7 s on a loaded host), so its failure would never be seen. Its window runs on;
    // its start deadline still ends it if it hangs.
    if (!old.sampling) return;
    const start = this.#windowStart;
    // SIGINT first, then start the successor: the two never sample at the same time.
    const result = old.stop(undefined, now);
    const next = this.#next;
    this.#next = undefined;
    this.startRun(now, next);
    this.track(result.then((r) => this.ended(r, start, now)));
  }

  /** Stops sampling for good: the current window is written and reported. */
  async finish(deadlineMs: number): Promise<void> {
    this.discardNext();
    const run = this.#run;
    const start = this.#windowStart;
    this.#state = "finished";
    this.#run = undefined;
    if (run !== undefined) {
      const now = this.#clock.now();
      const r = await run.stop(deadlineMs, now);
      this.ended(r, start, now);
    }
    await Promise.all([...this.#pending]);
  }

  /** Kills py-spy without waiting for output (the process is gone or py-spy is unusable). */
  abandon(): void {
    this.discardNext();
    this.#state = "finished";
    this.#run?.kill("abandoned");
    this.#run = undefined;
  }

  private track(p: Promise<void>): void {
    const safe = p.catch((err: unknown) => this.#hooks.onError(this.target, err));
    this.#pending.add(safe);
    void safe.finally(() => this.#pending.delete(safe));
  }

  private discardNext(): void {
    this.#next?.kill("not needed");
    this.#next = undefined;
  }

  /** Makes `prepared` (released now) or a fresh run the current one. */
  private startRun(now: number, prepared?: PySpyRun): void {
    const run = prepared ?? this.#hooks.startRun(this.target.pid, false);
    run.release(now);
    this.#run = run;
    this.#windowStart = now;
    this.#state = "running";
    run.started.then(
      (t) => this.#hooks.onGap(Math.max(0, t - now)),
      () => undefined,
    );
    // A run that ends while still current ended by itself: the process exited, or py-spy failed.
    this.track(
      run.done.then((r) => {
        if (this.#run !== run) return;
        this.#run = undefined;
        this.endedByItself(r, now);
      }),
    );
  }

  private endedByItself(r: PySpyResult, start: number): void {
    this.discardNext();
    if (r.end !== "failed") {
      this.ended(r, start, r.endedAt, true);
      if (r.end === "process-exited" || !this.#hooks.alive(this.target)) {
        this.#state = "finished";
      } else {
        // Someone else stopped py-spy (or --duration ran out): carry on.
        this.startRun(this.#clock.now());
      }
      return;
    }
    // Failed. Whatever it sampled before failing is still a (partial or lost) window.
    this.ended(r, start, r.endedAt, false);
    const kind = r.failure?.kind ?? "other";
    if (kind === "gone" || !this.#hooks.alive(this.target)) {
      this.#state = "finished";
      return;
    }
    const wait = this.#hooks.onFailure(this.target, kind, r.failure?.detail ?? "", true);
    this.#state = "backoff";
    this.#retryAt = this.#clock.now() + wait;
  }

  /**
   * Reports the window of a finished run. `reportFailure`: a failed run is also reported as a
   * failure here (a run stopped at a boundary; the next one is already running, so no backoff).
   */
  private ended(r: PySpyResult, start: number, stopAt: number, reportFailure = true): void {
    if (r.startedAt === undefined) return; // never sampled (stopped during start-up): no window
    const end = r.end === "process-exited" || r.end === "duration" || r.end === "failed" ? Math.min(r.endedAt, stopAt) : stopAt;
    let outcome: WindowOutcome;
    if (r.end === "failed") {
      if (reportFailure && r.failure !== undefined && r.failure.kind !== "gone") this.#hooks.onFailure(this.target, r.failure.kind, r.failure.detail, false);
      outcome = r.output === undefined ? "lost" : "partial";
    } else {
      outcome = r.end === "stopped" ? "complete" : "partial";
    }
    this.windows++;
    this.#hooks.onWindow({ target: this.target, startMs: start, endMs: Math.max(start, end), outcome, result: r });
  }
}
