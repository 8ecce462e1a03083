/**
 * A diff measured over replicates: both sides' samples per (host, pid, minute) and their window
 * coverage in, ranked function changes with intervals, cost per process and the basis out.
 * Pure computation (the reads are in service/diff-top.ts).
 */
import type { CoverageRows, ReplicateProfile } from "@fleetprof/store";
import { compareCost, sideCost, type CostComparison } from "./cost.js";
import { diffBasis, type DiffBasis } from "./diff-basis.js";
import { compareSides, rankChanges, type DiffStats, type FunctionChange, type SortKey } from "./diff-stats.js";
import { FunctionIndex, stackFunctions, type StackFunctions } from "./function-index.js";
import { commonRate, sideRates, sideWeights, type SideRates } from "./replicate-weights.js";
import { sumReplicates, type MeasureSums, type SideSums } from "./replicate-sums.js";

export interface SideData {
  rep: ReplicateProfile;
  cov: CoverageRows;
  /** What one replicate is ("process-minute", "host-hour"). */
  unit: string;
}

export interface ReplicateDiffOptions {
  sort: SortKey;
  limit: number;
  significantOnly?: boolean;
  minReplicates?: number;
}

export interface ReplicateDiff {
  stats: DiffStats;
  regressions: FunctionChange[];
  improvements: FunctionChange[];
  cost: CostComparison;
  basis: DiffBasis;
  base: SideSums;
  comparison: SideSums;
}

/** One side, summed as soon as its reads are in (while the other side's reads run). */
export interface PreparedSide {
  data: SideData;
  rates: SideRates;
  fns: StackFunctions;
  sums: SideSums;
  /** The rate taken for replicates without one (0: samples, no rate known). */
  assumedRate: number;
  unknown: number;
}

/** Sums one side into the shared function index; `assumedRate` defaults to the side's own most common rate. */
export function prepareSide(data: SideData, index: FunctionIndex, sort: SortKey, assumedRate?: number): PreparedSide {
  const rates = sideRates(data.rep, data.cov);
  const assumed = assumedRate ?? commonRate([rates]);
  const { weights, unknown } = sideWeights(rates, assumed);
  const fns = stackFunctions(index, data.rep.frames, data.rep.stacks);
  return { data, rates, fns, sums: sumReplicates(data.rep, fns, weights, index.size, sort), assumedRate: assumed, unknown };
}

/** A measure's arrays grown to `n` functions (the other side may have added some). */
function grown(m: MeasureSums, n: number): MeasureSums {
  if (m.sum.length >= n) return m;
  const f64 = (a: Float64Array): Float64Array => {
    const b = new Float64Array(n);
    b.set(a);
    return b;
  };
  const u32 = (a: Uint32Array): Uint32Array => {
    const b = new Uint32Array(n);
    b.set(a);
    return b;
  };
  return {
    sum: f64(m.sum),
    sumSq: f64(m.sumSq),
    cross: f64(m.cross),
    samples: f64(m.samples),
    present: u32(m.present),
    processSumSq: f64(m.processSumSq),
    processCross: f64(m.processCross),
    processPresent: u32(m.processPresent),
  };
}

/** Both sides on one rate for replicates without one (a side summed with another is summed again), over the whole index. */
function aligned(side: PreparedSide, rate: number, index: FunctionIndex, sort: SortKey): SideSums {
  const redo = side.assumedRate !== rate && (side.unknown > 0 || side.assumedRate === 0);
  const sums = redo ? sumReplicates(side.data.rep, side.fns, sideWeights(side.rates, rate).weights, index.size, sort) : side.sums;
  return { ...sums, self: grown(sums.self, index.size), total: grown(sums.total, index.size) };
}

/** Compares two prepared sides (summed into the same `index`). */
export function diffPrepared(base: PreparedSide, cmp: PreparedSide, index: FunctionIndex, options: ReplicateDiffOptions): ReplicateDiff {
  const basis = diffBasis(base.data.rep.mode, cmp.data.rep.mode, base.rates.rates, cmp.rates.rates, "seconds");
  const rate = commonRate([base.rates, cmp.rates]);
  const baseSums = aligned(base, rate, index, options.sort);
  const sums = aligned(cmp, rate, index, options.sort);
  const stats = compareSides(baseSums, sums, index, {
    sort: options.sort,
    seconds: rate > 0,
    ...(options.minReplicates === undefined ? {} : { minReplicates: options.minReplicates }),
  });
  const unknown = sideWeights(base.rates, rate).unknown + sideWeights(cmp.rates, rate).unknown;
  if (rate > 0 && unknown > 0)
    stats.notes.push(`${String(unknown)} replicates have no recorded sampling rate (no window coverage): taken as ${String(rate)} Hz`);
  const ranked = rankChanges(stats, options.limit, options.significantOnly === true);
  const cost = compareCost(sideCost(base.data.rep, base.data.cov, base.rates), sideCost(cmp.data.rep, cmp.data.cov, cmp.rates), options.minReplicates);
  if (!cost.available && base.data.rep.total + cmp.data.rep.total > 0)
    stats.notes.push("no window coverage for these samples (written before coverage was recorded): cost per process unknown");
  return { stats, ...ranked, cost, basis, base: baseSums, comparison: sums };
}

export function diffReplicates(base: SideData, cmp: SideData, options: ReplicateDiffOptions): ReplicateDiff {
  const index = new FunctionIndex();
  return diffPrepared(prepareSide(base, index, options.sort), prepareSide(cmp, index, options.sort), index, options);
}
