/**
 * Joins a side's sample replicates to its window coverage by (host, pid, bucket): each
 * replicate's sampling rate, hence its weight (1 ÷ rate: samples become seconds), and the
 * coverage rows that hold no samples (idle process-minutes, which still count as observed time).
 */
import type { CoverageRows, ReplicateProfile } from "@fleetprof/store";

export interface SideRates {
  /** Effective rate of each sample replicate, Hz; 0 when its windows have no coverage or no rate. */
  rate: Float64Array;
  /** Coverage row of each sample replicate, or -1. */
  coverageRow: Int32Array;
  /** Distinct known rates (Hz) of the side's windows, ascending. */
  rates: number[];
}

export function replicateKey(host: string, pid: number, bucket: number): string {
  return `${host}\u0000${String(pid)}\u0000${String(bucket)}`;
}

export function sideRates(rep: ReplicateProfile, cov: CoverageRows): SideRates {
  const rows = new Map<string, number>();
  for (let i = 0; i < cov.length; i++) rows.set(replicateKey(cov.host[i] as string, cov.pid[i] as number, cov.bucket[i] as number), i);
  const rate = new Float64Array(rep.length);
  const coverageRow = new Int32Array(rep.length).fill(-1);
  for (let r = 0; r < rep.length; r++) {
    const i = rows.get(replicateKey(rep.host[r] as string, rep.pid[r] as number, rep.bucket[r] as number));
    if (i === undefined) continue;
    coverageRow[r] = i;
    const seconds = cov.sampleSeconds[i] as number;
    const known = (cov.rates[i] ?? []).filter((x) => x > 0);
    // samples ÷ their seconds: the windows' rate, weighted by what each window sampled
    rate[r] = seconds > 0 ? (cov.samples[i] as number) / seconds : (known[known.length - 1] ?? 0);
  }
  const distinct = new Set<number>();
  for (const list of cov.rates) for (const x of list) if (x > 0) distinct.add(x);
  return { rate, coverageRow, rates: [...distinct].sort((a, b) => a - b) };
}

/** The most common known rate (rounded, Hz) of the sides' replicates; 0 when none is known. */
export function commonRate(sides: readonly SideRates[]): number {
  const counts = new Map<number, number>();
  for (const s of sides) for (const r of s.rate) if (r > 0) counts.set(Math.round(r), (counts.get(Math.round(r)) ?? 0) + 1);
  let common = 0;
  let best = 0;
  for (const [r, n] of counts) if (n > best || (n === best && r > common)) [common, best] = [r, n];
  return common;
}

/**
 * Weights of one side: 1 ÷ rate (seconds), a replicate without a rate taking `assumed`; 1
 * (samples) for every replicate when no rate is known at all (`assumed` 0).
 */
export function sideWeights(s: SideRates, assumed: number): { weights: Float64Array; unknown: number } {
  let unknown = 0;
  const weights = s.rate.map((r) => {
    if (assumed === 0) return 1;
    if (r > 0) return 1 / r;
    unknown++;
    return 1 / assumed;
  });
  return { weights, unknown };
}
