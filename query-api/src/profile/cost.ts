/**
 * Cost per process: sampled seconds (samples ÷ rate; CPU seconds in cpu mode) over the
 * process-seconds observed, as a ratio estimate over replicates — every (host, pid, minute)
 * with window coverage, idle ones included — with the same linearised variance as the shares
 * (diff-stats.ts), clustered by process when that is larger. The change between sides gets a Welch interval; the relative change an
 * interval on the log scale (delta method), so it never crosses −100 %.
 */
import type { CoverageRows, ReplicateProfile } from "@fleetprof/store";
import { tCritical } from "../stats/student-t.js";
import { MIN_PROCESSES, MIN_REPLICATES, ratioVariance, welchDf } from "./diff-stats.js";
import type { SideRates } from "./replicate-weights.js";

export interface SideCost {
  replicates: number;
  /** Sampled seconds and process-seconds observed. */
  seconds: number;
  processSeconds: number;
  cores: number;
  variance: number;
  /** Degrees of freedom of the variance: replicates − 1, or processes − 1 when clustered. */
  df: number;
  /** Share of the side's samples whose replicate has coverage. */
  coverage: number;
}

export interface CostComparison {
  available: boolean;
  base: SideCost;
  comparison: SideCost;
  deltaCores: number;
  ciLow: number;
  ciHigh: number;
  relativeChange: number;
  relativeCiLow: number;
  relativeCiHigh: number;
  significant: boolean;
}

/** One side: coverage rows are the replicates; a row's sampled seconds come from the samples that matched. */
export function sideCost(rep: ReplicateProfile, cov: CoverageRows, rates: SideRates): SideCost {
  const y = new Float64Array(cov.length);
  let covered = 0;
  for (let r = 0; r < rep.length; r++) {
    const row = rates.coverageRow[r] as number;
    const rate = rates.rate[r] as number;
    if (row < 0 || rate <= 0) continue;
    y[row] = (y[row] as number) + (rep.samples[r] as number) / rate;
    covered += rep.samples[r] as number;
  }
  let sy = 0;
  let so = 0;
  let syy = 0;
  let soo = 0;
  let syo = 0;
  const processes = new Map<string, [number, number]>();
  for (let i = 0; i < cov.length; i++) {
    const yi = y[i] as number;
    const oi = cov.observedSeconds[i] as number;
    sy += yi;
    so += oi;
    syy += yi * yi;
    soo += oi * oi;
    syo += yi * oi;
    const k = `${cov.host[i] ?? ""}\u0000${String(cov.pid[i])}`;
    const c = processes.get(k) ?? [0, 0];
    c[0] += yi;
    c[1] += oi;
    processes.set(k, c);
  }
  const n = cov.length;
  const cores = so > 0 ? sy / so : 0;
  let variance = n >= 2 && so > 0 ? ratioVariance(n, cores, so, syy, syo, soo) : NaN;
  let df = Math.max(1, n - 1);
  if (processes.size >= MIN_PROCESSES && processes.size < n && so > 0) {
    let pyy = 0;
    let pyo = 0;
    let poo = 0;
    for (const [yc, oc] of processes.values()) {
      pyy += yc * yc;
      pyo += yc * oc;
      poo += oc * oc;
    }
    const clustered = ratioVariance(processes.size, cores, so, pyy, pyo, poo);
    if (clustered > variance) {
      variance = clustered;
      df = processes.size - 1;
    }
  }
  return { replicates: n, seconds: sy, processSeconds: so, cores, variance, df, coverage: rep.total > 0 ? covered / rep.total : 0 };
}

export function compareCost(base: SideCost, comparison: SideCost, minReplicates = MIN_REPLICATES): CostComparison {
  const available = base.processSeconds > 0 && comparison.processSeconds > 0;
  const deltaCores = comparison.cores - base.cores;
  const v = base.variance + comparison.variance;
  const df = welchDf(base.variance, base.df, comparison.variance, comparison.df);
  const half = Number.isFinite(v) && v > 0 ? tCritical(df) * Math.sqrt(v) : Number.isFinite(v) ? 0 : Infinity;
  const out: CostComparison = {
    available,
    base,
    comparison,
    deltaCores,
    ciLow: deltaCores - half,
    ciHigh: deltaCores + half,
    relativeChange: 0,
    relativeCiLow: 0,
    relativeCiHigh: 0,
    significant: false,
  };
  if (!available) return { ...out, ciLow: deltaCores, ciHigh: deltaCores };
  if (!Number.isFinite(half)) return { ...out, ciLow: -Infinity, ciHigh: Infinity };
  out.significant = base.replicates >= minReplicates && comparison.replicates >= minReplicates && (out.ciLow > 0 || out.ciHigh < 0);
  if (base.cores > 0 && comparison.cores > 0) {
    const logRatio = Math.log(comparison.cores / base.cores);
    const logHalf =
      v > 0 ? tCritical(df) * Math.sqrt(base.variance / (base.cores * base.cores) + comparison.variance / (comparison.cores * comparison.cores)) : 0;
    out.relativeChange = Math.exp(logRatio) - 1;
    out.relativeCiLow = Math.exp(logRatio - logHalf) - 1;
    out.relativeCiHigh = Math.exp(logRatio + logHalf) - 1;
  }
  return out;
}
