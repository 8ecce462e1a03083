/**
 * CPU time from sample counts: a sample is one thread seen on the CPU at one tick, so samples
 * ÷ sampling rate = CPU seconds, and CPU seconds ÷ elapsed seconds = cores. The rate is the
 * agents' (100 Hz unless `?hz=` says otherwise); a capture states its own.
 */
import { DEFAULT_RATE_HZ } from "../flame/format.js";

/** The sampling rate a view assumes: `hz` from the URL, else the agents' default. */
export function rateFrom(params: URLSearchParams): number {
  const hz = Number(params.get("hz") ?? "");
  return Number.isFinite(hz) && hz > 0 ? hz : DEFAULT_RATE_HZ;
}

/** Cores used over a step: samples ÷ rate ÷ step seconds. */
export function cores(samples: number, rateHz: number, stepMs: number): number {
  return stepMs > 0 ? samples / rateHz / (stepMs / 1000) : 0;
}
