/**
 * A diff measured over replicates: both sides' samples per (host, pid, minute) and their window
 * coverage in, ranked function changes with intervals, cost per process and the basis out.
 * Pure computation (the reads are in service/diff-top.ts).
 */
import type { CoverageRows, ReplicateProfile } from "@fleetprof/store";
import { compareCost, sideCost, type CostComparison } from "./cost.js";
import { diffBasis, type DiffBasis } from "./diff-basis.js";
import { compareSides, rankChanges, type DiffStats, type FunctionChange, type SortKey } from "./diff-stats.js";
import { FunctionIndex, stackFunctions } from "./function-index.js";
import { replicateWeights, sideRates } from "./replicate-weights.js";
import { sumReplicates, type SideSums } from "./replicate-sums.js";

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

export function diffReplicates(base: SideData, cmp: SideData, options: ReplicateDiffOptions): ReplicateDiff {
  const baseRates = sideRates(base.rep, base.cov);
  const rates = sideRates(cmp.rep, cmp.cov);
  const basis = diffBasis(base.rep.mode, cmp.rep.mode, baseRates.rates, rates.rates, "seconds");
  const w = replicateWeights([baseRates, rates]);
  const index = new FunctionIndex();
  const baseFns = stackFunctions(index, base.rep.frames, base.rep.stacks);
  const fns = stackFunctions(index, cmp.rep.frames, cmp.rep.stacks);
  const baseSums = sumReplicates(base.rep, baseFns, w.weights[0] as Float64Array, index.size, options.sort);
  const sums = sumReplicates(cmp.rep, fns, w.weights[1] as Float64Array, index.size, options.sort);
  const stats = compareSides(baseSums, sums, index, { sort: options.sort, seconds: w.seconds, ...(options.minReplicates === undefined ? {} : { minReplicates: options.minReplicates }) });
  if (w.unknown > 0) stats.notes.push(`${String(w.unknown)} process-minutes have no recorded sampling rate (no window coverage): taken as ${String(w.assumedRate)} Hz`);
  const ranked = rankChanges(stats, options.limit, options.significantOnly === true);
  const cost = compareCost(sideCost(base.rep, base.cov, baseRates), sideCost(cmp.rep, cmp.cov, rates), options.minReplicates);
  if (!cost.available && base.rep.total + cmp.rep.total > 0) stats.notes.push("no window coverage for these samples (written before coverage was recorded): cost per process unknown");
  return { stats, ...ranked, cost, basis, base: baseSums, comparison: sums };
}
