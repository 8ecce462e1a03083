/**
 * The round of windows: at each wall-clock boundary every sampler hands over to its next
 * py-spy run, whose process was spawned (gated) a little before, so the hand-over costs one
 * write per process. After each boundary the mean coverage of the last windows is reported.
 */
import type { Clock, Timer } from "@fleetprof/common";
import { nextBoundary } from "./clock.js";
import type { ProcessSampler } from "./process-sampler.js";

/** What a boundary needs of a sampler. */
export type BoundarySampler = Pick<ProcessSampler, "prepare" | "rotate" | "lastCoverage">;

export interface WindowBoundariesOptions {
  windowMs: number;
  clock: Clock;
  /** The samplers, read at each boundary. */
  samplers: ReadonlyMap<string, BoundarySampler>;
  /** The mean coverage of the samplers' last windows, after a boundary (when any has one). */
  onCoverage: (mean: number) => void;
}

/**
 * How long before a boundary the next runs are spawned: 1 s, more with many processes (each
 * spawn blocks Node for ~10 ms), at most a quarter window.
 */
export function prepareLeadMs(windowMs: number, processes: number): number {
  return Math.min(windowMs / 4, Math.max(1000, processes * 40));
}

export class WindowBoundaries {
  readonly #o: WindowBoundariesOptions;
  /** A window younger than this at a boundary (a process found just before it) runs on into the next one. */
  readonly #minWindowMs: number;
  #prepareTimer: Timer | undefined;
  #boundaryTimer: Timer | undefined;
  #stopped = false;

  constructor(options: WindowBoundariesOptions) {
    this.#o = options;
    this.#minWindowMs = Math.min(2000, options.windowMs / 4);
  }

  /** Schedules the next boundary (and every one after it, until {@link stop}). */
  start(): void {
    const { clock, windowMs, samplers } = this.#o;
    const at = nextBoundary(clock.now(), windowMs);
    const prepareIn = at - prepareLeadMs(windowMs, samplers.size) - clock.now();
    if (prepareIn > 0) {
      this.#prepareTimer = clock.after(prepareIn, () => {
        if (!this.#stopped) for (const s of samplers.values()) s.prepare();
      });
    }
    this.#boundaryTimer = clock.after(at - clock.now(), () => this.boundary());
  }

  /** Cancels the next boundary; none comes after it. */
  stop(): void {
    this.#stopped = true;
    this.#boundaryTimer?.cancel();
    this.#prepareTimer?.cancel();
  }

  private boundary(): void {
    if (this.#stopped) return;
    const now = this.#o.clock.now();
    let coverage = 0;
    let counted = 0;
    for (const s of this.#o.samplers.values()) {
      s.rotate(now, this.#minWindowMs);
      if (s.lastCoverage !== undefined) {
        coverage += s.lastCoverage;
        counted += 1;
      }
    }
    if (counted > 0) this.#o.onCoverage(coverage / counted);
    this.start();
  }
}
