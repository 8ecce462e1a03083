/**
 * What a ratio estimate and its variance need, per function, from one side's replicates. For
 * replicate r with weight w (1 ÷ its sampling rate, so values are seconds; 1 when rates are
 * unknown), x = the function's samples in r and N = all samples in r:
 *   Σ w·x and Σ x (for every function, from per-stack totals), and for the measure being
 *   ranked: Σ (w·x)², Σ (w·x)(w·N), the replicates with x > 0, and the same squares and
 *   products over processes — a process's replicates summed — for the process-clustered
 *   variance (minutes of one process are not independent of each other).
 * Self time counts stacks whose leaf is the function, total time stacks with the function
 * anywhere. The squares come from one of two passes over typed arrays, whichever does less:
 * by replicate (each stack entry adds to its functions, which are noted as touched) or by
 * function (the same adds into a dense vector over functions, swept whole per replicate).
 */
import type { ReplicateProfile } from "@fleetprof/store";
import type { StackFunctions } from "./function-index.js";

/** Per-function sums of one measure (self or total) over one side's replicates. */
export interface MeasureSums {
  sum: Float64Array;
  sumSq: Float64Array;
  cross: Float64Array;
  /** Unweighted samples. */
  samples: Float64Array;
  /** Replicates in which the function has samples. */
  present: Uint32Array;
  /** Σ over processes of (Σ w·x)², of (Σ w·x)(Σ w·N), and processes in which the function has samples. */
  processSumSq: Float64Array;
  processCross: Float64Array;
  processPresent: Uint32Array;
}

export interface SideSums {
  replicates: number;
  /** Distinct (host, pid): the clusters of the process-level variance. */
  processes: number;
  /** Σ w·N and Σ (w·N)² over replicates; Σ over processes of (Σ w·N)². */
  weight: number;
  weightSq: number;
  processWeightSq: number;
  /** Samples in all (unweighted). */
  samples: number;
  self: MeasureSums;
  total: MeasureSums;
}

export function emptyMeasure(n: number): MeasureSums {
  const f64 = (): Float64Array => new Float64Array(n);
  return {
    sum: f64(),
    sumSq: f64(),
    cross: f64(),
    samples: f64(),
    present: new Uint32Array(n),
    processSumSq: f64(),
    processCross: f64(),
    processPresent: new Uint32Array(n),
  };
}

/** Replicate indexes with each process's replicates together (the store returns them so; fixtures may not). */
export function processOrder(rep: Pick<ReplicateProfile, "length" | "host" | "pid">): { order: Uint32Array; key: string[] } {
  const key = Array.from({ length: rep.length }, (_, r) => `${rep.host[r] ?? ""}\u0000${String(rep.pid[r])}`);
  const order = Uint32Array.from({ length: rep.length }, (_, r) => r);
  const first = new Map<string, number>();
  let together = true;
  for (let r = 0; r < rep.length; r++) {
    const k = key[r] as string;
    const at = first.get(k);
    if (at === undefined) first.set(k, r);
    else if (key[r - 1] !== k) together = false;
  }
  if (!together) order.sort((a, b) => (first.get(key[a] as string) as number) - (first.get(key[b] as string) as number) || a - b);
  return { order, key };
}

/** A side's replicates in process order: each replicate's Σ w·N, and where each process ends. */
export interface Layout {
  order: Uint32Array;
  /** Position in `order` after each process's last replicate. */
  ends: Uint32Array;
  weighted: Float64Array;
  processWeight: Float64Array;
}

export function layout(rep: ReplicateProfile, weights: Float64Array): Layout {
  const { order, key } = processOrder(rep);
  const ends: number[] = [];
  for (let i = 0; i < rep.length; i++) if (i + 1 === rep.length || key[order[i + 1] as number] !== key[order[i] as number]) ends.push(i + 1);
  const weighted = rep.samples.map((n, r) => n * (weights[r] as number));
  const processWeight = new Float64Array(ends.length);
  let p = 0;
  for (let i = 0; i < rep.length; i++) {
    if (i === ends[p]) p++;
    processWeight[p] = (processWeight[p] as number) + (weighted[order[i] as number] as number);
  }
  return { order, ends: Uint32Array.from(ends), weighted, processWeight };
}

/** Σ w·x and Σ x of every function from per-stack totals. */
function sumsFromStacks(m: MeasureSums, fns: StackFunctions, stackWeighted: Float64Array, stackSamples: Float64Array, leafOnly: boolean): void {
  for (let s = 0; s < stackWeighted.length; s++) {
    const w = stackWeighted[s] as number;
    const n = stackSamples[s] as number;
    if (n === 0) continue;
    const from = leafOnly ? 0 : (fns.start[s] as number);
    const to = leafOnly ? 1 : (fns.start[s + 1] as number);
    for (let k = from; k < to; k++) {
      const f = (leafOnly ? fns.leaf[s] : fns.list[k]) as number;
      m.sum[f] = (m.sum[f] as number) + w;
      m.samples[f] = (m.samples[f] as number) + n;
    }
  }
}

/** Adds one replicate's (or process's) value of function f to the squares. */
function addSquares(m: MeasureSums, f: number, x: number, wn: number, process: boolean): void {
  if (process) {
    m.processSumSq[f] = (m.processSumSq[f] as number) + x * x;
    m.processCross[f] = (m.processCross[f] as number) + x * wn;
    m.processPresent[f] = (m.processPresent[f] as number) + 1;
  } else {
    m.sumSq[f] = (m.sumSq[f] as number) + x * x;
    m.cross[f] = (m.cross[f] as number) + x * wn;
    m.present[f] = (m.present[f] as number) + 1;
  }
}

/** The squares by replicate: each stack entry adds its count to its functions (or its leaf). */
export function squaresByReplicate(rep: ReplicateProfile, fns: StackFunctions, weights: Float64Array, lay: Layout, m: MeasureSums, leafOnly: boolean): void {
  const functions = m.sum.length;
  const acc = new Float64Array(functions);
  const stamp = new Int32Array(functions).fill(-1);
  const touched = new Uint32Array(functions);
  const pacc = new Float64Array(functions);
  const pstamp = new Int32Array(functions).fill(-1);
  const ptouched = new Uint32Array(functions);
  const { start, stack, count } = rep;
  const { leaf, start: fnStart, list } = fns;
  let p = 0;
  let pn = 0;
  for (let i = 0; i < rep.length; i++) {
    const r = lay.order[i] as number;
    let n = 0;
    const last = start[r + 1] as number;
    for (let e = start[r] as number; e < last; e++) {
      const s = stack[e] as number;
      const c = count[e] as number;
      if (c === 0) continue; // no samples: the function is not present (as in the dense pass)
      const from = leafOnly ? 0 : (fnStart[s] as number);
      const to = leafOnly ? 1 : (fnStart[s + 1] as number);
      for (let k = from; k < to; k++) {
        const f = (leafOnly ? leaf[s] : list[k]) as number;
        if (stamp[f] !== r) {
          stamp[f] = r;
          acc[f] = c;
          touched[n++] = f;
        } else acc[f] = (acc[f] as number) + c;
      }
    }
    const w = weights[r] as number;
    const wn = lay.weighted[r] as number;
    for (let t = 0; t < n; t++) {
      const f = touched[t] as number;
      const wx = w * (acc[f] as number);
      addSquares(m, f, wx, wn, false);
      if (pstamp[f] !== p) {
        pstamp[f] = p;
        pacc[f] = 0;
        ptouched[pn++] = f;
      }
      pacc[f] = (pacc[f] as number) + wx;
    }
    if (i + 1 === lay.ends[p]) {
      for (let t = 0; t < pn; t++) addSquares(m, ptouched[t] as number, pacc[ptouched[t] as number] as number, lay.processWeight[p] as number, true);
      pn = 0;
      p++;
    }
  }
}

/**
 * The squares with one dense vector over functions: each replicate's entries add their counts
 * into it without checking what they touched (a branch per step costs more than the adds), then
 * one sweep over every function takes the squares and clears it; the same for processes. The
 * same sums in the same order as {@link squaresByReplicate}, so the same values.
 */
export function squaresByFunction(rep: ReplicateProfile, fns: StackFunctions, weights: Float64Array, lay: Layout, m: MeasureSums, leafOnly = false): void {
  const functions = m.sum.length;
  const acc = new Float64Array(functions);
  const pacc = new Float64Array(functions);
  const { start, stack, count } = rep;
  const { leaf, start: fnStart, list } = fns;
  const { order, ends, weighted, processWeight } = lay;
  const { sumSq, cross, present, processSumSq, processCross, processPresent } = m;
  let p = 0;
  let pEnd = ends[0] as number;
  for (let i = 0; i < rep.length; i++) {
    const r = order[i] as number;
    const last = start[r + 1] as number;
    for (let e = start[r] as number; e < last; e++) {
      const s = stack[e] as number;
      const c = count[e] as number;
      if (leafOnly) acc[leaf[s] as number] = (acc[leaf[s] as number] as number) + c;
      else {
        const to = fnStart[s + 1] as number;
        for (let k = fnStart[s] as number; k < to; k++) acc[list[k] as number] = (acc[list[k] as number] as number) + c;
      }
    }
    const w = weights[r] as number;
    const wn = weighted[r] as number;
    // without a branch: a function absent from the replicate adds zeros
    for (let f = 0; f < functions; f++) {
      const wx = w * (acc[f] as number);
      acc[f] = 0;
      sumSq[f] = (sumSq[f] as number) + wx * wx;
      cross[f] = (cross[f] as number) + wx * wn;
      present[f] = (present[f] as number) + Number(wx !== 0);
      pacc[f] = (pacc[f] as number) + wx;
    }
    if (i + 1 === pEnd) {
      const pw = processWeight[p] as number;
      for (let f = 0; f < functions; f++) {
        const x = pacc[f] as number;
        pacc[f] = 0;
        processSumSq[f] = (processSumSq[f] as number) + x * x;
        processCross[f] = (processCross[f] as number) + x * pw;
        processPresent[f] = (processPresent[f] as number) + Number(x !== 0);
      }
      p++;
      pEnd = ends[p] as number;
    }
  }
}

/**
 * Sums of one side; `weights[r]` is replicate r's weight, `functions` the size of the function
 * index, `full` the measure whose squares are needed.
 */
export function sumReplicates(
  rep: ReplicateProfile,
  fns: StackFunctions,
  weights: Float64Array,
  functions: number,
  full: "self" | "total" = "total",
): SideSums {
  const lay = layout(rep, weights);
  const stackWeighted = new Float64Array(rep.stacks.length);
  const stackSamples = new Float64Array(rep.stacks.length);
  let weightSq = 0;
  let samples = 0;
  let weight = 0;
  for (let r = 0; r < rep.length; r++) {
    const w = weights[r] as number;
    for (let e = rep.start[r] as number; e < (rep.start[r + 1] as number); e++) {
      const s = rep.stack[e] as number;
      stackWeighted[s] = (stackWeighted[s] as number) + w * (rep.count[e] as number);
      stackSamples[s] = (stackSamples[s] as number) + (rep.count[e] as number);
    }
    const wn = lay.weighted[r] as number;
    weight += wn;
    weightSq += wn * wn;
    samples += rep.samples[r] as number;
  }
  const self = emptyMeasure(functions);
  const total = emptyMeasure(functions);
  sumsFromStacks(self, fns, stackWeighted, stackSamples, true);
  sumsFromStacks(total, fns, stackWeighted, stackSamples, false);
  // by replicate: one step per (entry, function of its stack) plus the bookkeeping of what it
  // touched; by function: the same steps without it, plus a sweep of every function per
  // replicate and per process
  const leafOnly = full === "self";
  let steps = leafOnly ? rep.stack.length : 0;
  if (!leafOnly)
    for (let e = 0; e < rep.stack.length; e++) steps += (fns.start[(rep.stack[e] as number) + 1] as number) - (fns.start[rep.stack[e] as number] as number);
  const m = leafOnly ? self : total;
  if (functions * (rep.length + lay.ends.length) < 2 * steps) squaresByFunction(rep, fns, weights, lay, m, leafOnly);
  else squaresByReplicate(rep, fns, weights, lay, m, leafOnly);
  let processWeightSq = 0;
  for (const pw of lay.processWeight) processWeightSq += pw * pw;
  return { replicates: rep.length, processes: lay.ends.length, weight, weightSq, processWeightSq, samples, self, total };
}
