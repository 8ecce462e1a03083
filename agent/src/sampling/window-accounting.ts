/**
 * What happens to a window when it ends: it is counted (outcome, ticks sampled and expected,
 * py-spy's errors), its coverage is kept on its sampler for status, and unless it was lost its
 * profile is built and handed on to be batched and published.
 */
import type { ProcessProfile } from "@fleetprof/proto";
import type { AgentMetrics } from "../metrics/agent-metrics.js";
import type { SamplingMode } from "../pyspy/run.js";
import type { OutputAccounting } from "./output-accounting.js";
import type { EndedWindow } from "./process-sampler.js";
import { buildProfile, expectedTicks } from "./profile.js";

/** Ticks a window should have had (rate × length) and those it had, from py-spy's first sample to its end. */
export function windowTicks(rateHz: number, w: Pick<EndedWindow, "startMs" | "endMs" | "result">): { expected: number; ticks: number } {
  const expected = expectedTicks(rateHz, w.startMs, w.endMs);
  // Sampled from py-spy's first sample (its "Sampling" line) to the stop: the gap before it is lost.
  const sampledFrom = Math.max(w.startMs, w.result.startedAt ?? w.endMs);
  return { expected, ticks: Math.min(expected, expectedTicks(rateHz, sampledFrom, w.endMs)) };
}

export interface WindowAccountingOptions {
  rateHz: number;
  mode: SamplingMode;
  metrics: AgentMetrics;
  output: OutputAccounting;
  /** Samplers by process key: an ended window's coverage is kept on its sampler. */
  samplers: ReadonlyMap<string, { lastCoverage: number | undefined }>;
  /** A complete window: py-spy works on this process again (its failure backoff starts over). */
  recovered: (key: string) => void;
  /** The window's profile, to batch and publish. */
  emit: (profile: ProcessProfile) => void;
}

export class WindowAccounting {
  constructor(private readonly o: WindowAccountingOptions) {}

  /** Accounts for one ended window (the sampler's `onWindow` hook). */
  onWindow(w: EndedWindow): void {
    const { metrics, rateHz } = this.o;
    metrics.windows.inc({ outcome: w.outcome });
    if (w.outcome === "complete") this.o.recovered(w.target.key);
    const { expected, ticks } = windowTicks(rateHz, w);
    metrics.ticks.inc({}, ticks);
    metrics.ticksExpected.inc({}, expected);
    metrics.samplerErrors.inc({}, w.result.errors);
    const sampler = this.o.samplers.get(w.target.key);
    if (sampler !== undefined && expected > 0) sampler.lastCoverage = Math.min(1, ticks / expected);
    const output = w.result.output;
    if (w.outcome === "lost" || output === undefined) return;
    if (w.target.labelsTruncated > 0) metrics.labelsTruncated.inc({}, w.target.labelsTruncated);
    const built = buildProfile(output, {
      pid: w.target.pid,
      processStartUnixMs: w.target.startUnixMs,
      service: w.target.service,
      version: w.target.version,
      labels: w.target.labels,
      labelsTruncated: w.target.labelsTruncated,
      mode: this.o.mode,
      rateHz,
      windowStartUnixMs: w.startMs,
      windowEndUnixMs: w.endMs,
      ticks,
      samplerErrors: w.result.errors,
    });
    this.o.output.account(output, built, w.target.pid);
    this.o.emit(built.profile);
  }
}
