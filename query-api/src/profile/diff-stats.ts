/**
 * Diff statistics: how each function's share of time changed between two sides, with a 95 %
 * interval and a significance flag a person can trust.
 *
 * Each side's share of a function is a ratio estimate over its replicates (one replicate =
 * one (host, pid, minute), or (host, hour) over long ranges): p = Σ w·x ÷ Σ w·N, the function's
 * time over all time (not a mean of per-replicate shares, so a busy minute weighs what it
 * sampled). Its variance is the linearised (delta-method) variance of a ratio with replicates
 * drawn with replacement:
 *   V(p) = R / (R − 1) · Σ_r (w·x_r − p·w·N_r)² ÷ (Σ_r w·N_r)²
 * which is what a bootstrap over replicates estimates, computed exactly and in one pass (see
 * replicate-sums.ts; `diff-stats.test.ts` checks it against a bootstrap). With enough processes
 * the same formula over processes (each process's replicates summed) is computed too, and the
 * larger of the two is used: minutes of one process are alike when processes differ. The two sides are
 * independent: the change's variance is the sum, its degrees of freedom Welch–Satterthwaite's,
 * with each side counting min(R, replicates where the function appears) − 1 (a rare function's
 * spread rests on the few replicates that hold it). Intervals and p-values use Student's t.
 *
 * Every function seen in at least `minPresence` replicates (both sides together) is tested;
 * rarer ones cannot reach significance (|t| ≤ √k for a function in k replicates) and would only
 * dilute the correction. `significant` is Benjamini–Hochberg at `fdr` over the tested family,
 * and is withheld when a side has fewer than `minReplicates` replicates.
 */
import { benjaminiHochberg } from "../stats/false-discovery.js";
import { tCritical, tTwoSided } from "../stats/student-t.js";
import type { FunctionIndex } from "./function-index.js";
import type { MeasureSums, SideSums } from "./replicate-sums.js";

export type SortKey = "self" | "total";

export interface DiffStatsOptions {
  sort: SortKey;
  /** True when replicate weights are 1 ÷ sampling rate: sums are seconds. */
  seconds: boolean;
  /** Fewer replicates than this on a side: nothing is significant. Default {@link MIN_REPLICATES}. */
  minReplicates?: number;
  /** Functions in fewer replicates (both sides) are not tested. Default 4. */
  minPresence?: number;
  /** False discovery rate. Default 0.05. */
  fdr?: number;
}

export const MIN_REPLICATES = 10;
/** From this many processes on a side, the process-clustered variance is used when larger. */
export const MIN_PROCESSES = 5;
/** z for 80 % power: a change of (t₀.₉₇₅ + z₀.₈)·SE is found four times in five. */
const Z_POWER = 0.8416212335729143;
/** Functions at least this large (either side) set the response's smallest detectable change. */
const MDE_REFERENCE_SHARE = 0.01;

export type Presence = "both" | "base" | "comparison";

export interface FunctionChange {
  function: string;
  file: string;
  /** Samples (unweighted) of self and total time on each side. */
  baseSelf: number;
  self: number;
  baseTotal: number;
  total: number;
  baseSelfShare: number;
  selfShare: number;
  baseTotalShare: number;
  totalShare: number;
  /** The chosen sort's time in seconds on each side (0 when rates are unknown). */
  baseSeconds: number;
  seconds: number;
  /** Change in share of the chosen sort, its standard error and degrees of freedom. */
  deltaShare: number;
  se: number;
  df: number;
  pValue: number;
  tested: boolean;
  significant: boolean;
  presence: Presence;
}

export interface DiffStats {
  /** Every function seen on either side, in no particular order. */
  changes: FunctionChange[];
  tested: number;
  significant: number;
  significanceAvailable: boolean;
  minReplicates: number;
  fdr: number;
  /** Smallest detectable change among functions holding ≥ 1 % (0: none). */
  minDetectableShare: number;
  notes: string[];
}

interface Estimate {
  share: number;
  variance: number;
  df: number;
}

/**
 * The linearised variance of a ratio estimate Σx ÷ Σn over `count` units drawn with replacement,
 * from Σx², Σx·n and Σn² (x, n per unit): count/(count − 1) · Σ(x − p·n)² ÷ (Σn)². Σ(x − p·n)²
 * comes from terms that cancel where x is a fixed share of n (a function in every stack): what is
 * left below 10⁻¹² of them is rounding (its last bits depend on the order of the sums), taken as 0.
 */
export function ratioVariance(count: number, p: number, n: number, sumSq: number, cross: number, weightSq: number): number {
  const raw = sumSq - 2 * p * cross + p * p * weightSq;
  const ss = raw > 1e-12 * (sumSq + p * p * weightSq) ? raw : 0;
  return (ss * count) / ((count - 1) * n * n);
}

/**
 * A side's ratio estimate of one function's share and its variance (NaN with under two
 * replicates). The variance is the replicate-level one, or the process-clustered one when the
 * side has at least {@link MIN_PROCESSES} processes and it is larger (processes that differ
 * beyond chance make their minutes alike).
 */
export function ratioEstimate(side: SideSums, m: MeasureSums, f: number): Estimate {
  const n = side.weight;
  if (n <= 0) return { share: 0, variance: 0, df: Infinity };
  const p = (m.sum[f] as number) / n;
  const r = side.replicates;
  if (r < 2) return { share: p, variance: NaN, df: 0 };
  const variance = ratioVariance(r, p, n, m.sumSq[f] as number, m.cross[f] as number, side.weightSq);
  const df = Math.max(1, Math.min(r, m.present[f] as number) - 1);
  const c = side.processes;
  if (c >= MIN_PROCESSES && c < r) {
    const clustered = ratioVariance(c, p, n, m.processSumSq[f] as number, m.processCross[f] as number, side.processWeightSq);
    if (clustered > variance) return { share: p, variance: clustered, df: Math.max(1, Math.min(c, m.processPresent[f] as number) - 1) };
  }
  return { share: p, variance, df };
}

/** Welch–Satterthwaite degrees of freedom of a sum of two variances. */
export function welchDf(va: number, dfa: number, vb: number, dfb: number): number {
  const v = va + vb;
  if (v === 0) return Infinity;
  return (v * v) / ((va > 0 ? (va * va) / dfa : 0) + (vb > 0 ? (vb * vb) / dfb : 0));
}

/** Two-sided p-value of a change with its standard error. */
export function pValueOf(delta: number, se: number, df: number): number {
  if (Number.isNaN(se)) return 1;
  if (se === 0) return delta === 0 ? 1 : 0;
  return tTwoSided(Math.abs(delta / se), df);
}

/** Compares two sides' sums function by function. */
export function compareSides(base: SideSums, cmp: SideSums, index: FunctionIndex, options: DiffStatsOptions): DiffStats {
  const minReplicates = options.minReplicates ?? MIN_REPLICATES;
  const minPresence = options.minPresence ?? 4;
  const fdr = options.fdr ?? 0.05;
  const share = (side: SideSums, v: number): number => (side.weight > 0 ? v / side.weight : 0);
  const changes: FunctionChange[] = [];
  for (let f = 0; f < index.size; f++) {
    const baseTotal = base.total.samples[f] as number;
    const total = cmp.total.samples[f] as number;
    if (baseTotal === 0 && total === 0) continue;
    const m = options.sort;
    const a = ratioEstimate(base, base[m], f);
    const b = ratioEstimate(cmp, cmp[m], f);
    let delta = b.share - a.share;
    if (Math.abs(delta) < 1e-12) delta = 0;
    const se = Math.sqrt(a.variance + b.variance);
    const df = welchDf(a.variance, a.df, b.variance, b.df);
    const presentIn = (base[m].present[f] as number) + (cmp[m].present[f] as number);
    changes.push({
      function: index.names[f] as string,
      file: index.files[f] as string,
      baseSelf: base.self.samples[f] as number,
      self: cmp.self.samples[f] as number,
      baseTotal,
      total,
      baseSelfShare: share(base, base.self.sum[f] as number),
      selfShare: share(cmp, cmp.self.sum[f] as number),
      baseTotalShare: share(base, base.total.sum[f] as number),
      totalShare: share(cmp, cmp.total.sum[f] as number),
      baseSeconds: options.seconds ? (base[m].sum[f] as number) : 0,
      seconds: options.seconds ? (cmp[m].sum[f] as number) : 0,
      deltaShare: delta,
      se,
      df,
      pValue: pValueOf(delta, se, df),
      tested: presentIn >= minPresence && !Number.isNaN(se),
      significant: false,
      presence: baseTotal > 0 && total > 0 ? "both" : baseTotal > 0 ? "base" : "comparison",
    });
  }
  const family = changes.filter((c) => c.tested);
  const rejected = benjaminiHochberg(
    family.map((c) => c.pValue),
    fdr,
  );
  const significanceAvailable = base.replicates >= minReplicates && cmp.replicates >= minReplicates;
  let significant = 0;
  if (significanceAvailable) {
    family.forEach((c, i) => {
      if (rejected[i] === 1 && c.deltaShare !== 0) {
        c.significant = true;
        significant++;
      }
    });
  }
  const notes: string[] = [];
  if ((base.processes < MIN_PROCESSES && base.replicates > base.processes) || (cmp.processes < MIN_PROCESSES && cmp.replicates > cmp.processes)) {
    notes.push(
      `fewer than ${String(MIN_PROCESSES)} processes on a side (${String(base.processes)} and ${String(cmp.processes)}): intervals rest on differences between minutes, and assume the processes differ from each other only by chance`,
    );
  }
  if (!significanceAvailable) {
    notes.push(
      `too few replicates to call anything significant: ${String(base.replicates)} (baseline) and ${String(cmp.replicates)} (comparison) process-minutes, at least ${String(minReplicates)} each needed; widen the time range or the selectors`,
    );
  }
  let mde = Infinity;
  for (const c of family) {
    const large = options.sort === "self" ? Math.max(c.baseSelfShare, c.selfShare) : Math.max(c.baseTotalShare, c.totalShare);
    if (large >= MDE_REFERENCE_SHARE) mde = Math.min(mde, minDetectable(c));
  }
  return { changes, tested: family.length, significant, significanceAvailable, minReplicates, fdr, minDetectableShare: Number.isFinite(mde) ? mde : 0, notes };
}

/** The 95 % interval of a change: unbounded without a variance (a side with one replicate), the change itself when nothing varies. */
export function interval(c: Pick<FunctionChange, "deltaShare" | "se" | "df">): [number, number] {
  if (Number.isNaN(c.se)) return [-Infinity, Infinity];
  if (!(c.se > 0) || !Number.isFinite(c.se)) return [c.deltaShare, c.deltaShare];
  const half = tCritical(c.df) * c.se;
  return [c.deltaShare - half, c.deltaShare + half];
}

/** The change a function would need to be found with 80 % power at the 5 % level. */
export function minDetectable(c: Pick<FunctionChange, "se" | "df">): number {
  if (Number.isNaN(c.se)) return Infinity;
  if (!(c.se > 0) || !Number.isFinite(c.se)) return 0;
  return (tCritical(c.df) + Z_POWER) * c.se;
}

/** Regressions (largest increase first) and improvements (largest decrease first), `limit` each. */
export function rankChanges(stats: DiffStats, limit: number, significantOnly = false): { regressions: FunctionChange[]; improvements: FunctionChange[] } {
  const keep = stats.changes.filter((c) => c.deltaShare !== 0 && (!significantOnly || c.significant));
  const tie = (x: FunctionChange, y: FunctionChange): number => x.pValue - y.pValue || x.function.localeCompare(y.function) || x.file.localeCompare(y.file);
  const regressions = keep.filter((c) => c.deltaShare > 0).sort((x, y) => y.deltaShare - x.deltaShare || tie(x, y));
  const improvements = keep.filter((c) => c.deltaShare < 0).sort((x, y) => x.deltaShare - y.deltaShare || tie(x, y));
  return { regressions: regressions.slice(0, limit), improvements: improvements.slice(0, limit) };
}
