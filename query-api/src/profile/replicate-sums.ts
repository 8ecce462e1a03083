/**
 * One pass over a side's replicates, accumulating per function what a ratio estimate and its
 * variance need. For replicate r with weight w (1 ÷ its sampling rate, so values are seconds;
 * 1 when rates are unknown), x = the function's samples in r and N = all samples in r:
 *   Σ w·x, Σ (w·x)², Σ (w·x)(w·N), Σ x, and in how many replicates x > 0,
 * and the same squares and products over processes — a process's replicates summed — for the
 * process-clustered variance (minutes of one process are not independent of each other).
 * Self time counts stacks whose leaf is the function, total time stacks with the function
 * anywhere. Cost: one step per stack entry and distinct function of that stack; all columns
 * are typed arrays.
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

/**
 * Accumulates one measure: per replicate (`acc`, filled by the caller's hot loop: `stamp[f]`
 * is the replicate that last touched f, `touched[0 .. n)` the functions it touched), then per
 * process.
 */
class MeasureAccumulator {
  readonly sums: MeasureSums;
  readonly acc: Float64Array;
  readonly stamp: Int32Array;
  readonly touched: Uint32Array;
  n = 0;
  readonly #pacc: Float64Array;
  readonly #pstamp: Int32Array;
  readonly #ptouched: Uint32Array;
  #pn = 0;

  constructor(functions: number) {
    const f64 = (): Float64Array => new Float64Array(functions);
    this.sums = { sum: f64(), sumSq: f64(), cross: f64(), samples: f64(), present: new Uint32Array(functions), processSumSq: f64(), processCross: f64(), processPresent: new Uint32Array(functions) };
    this.acc = f64();
    this.stamp = new Int32Array(functions).fill(-1);
    this.touched = new Uint32Array(functions);
    this.#pacc = f64();
    this.#pstamp = new Int32Array(functions).fill(-1);
    this.#ptouched = new Uint32Array(functions);
  }

  /** Closes the replicate of process `p`, its weight `w` and weighted samples `wn`. */
  endReplicate(p: number, w: number, wn: number): void {
    const m = this.sums;
    const { acc, touched } = this;
    for (let i = 0; i < this.n; i++) {
      const f = touched[i] as number;
      const x = acc[f] as number;
      if (x === 0) continue;
      const wx = w * x;
      m.sum[f] = (m.sum[f] as number) + wx;
      m.sumSq[f] = (m.sumSq[f] as number) + wx * wx;
      m.cross[f] = (m.cross[f] as number) + wx * wn;
      m.samples[f] = (m.samples[f] as number) + x;
      m.present[f] = (m.present[f] as number) + 1;
      if (this.#pstamp[f] !== p) {
        this.#pstamp[f] = p;
        this.#pacc[f] = 0;
        this.#ptouched[this.#pn++] = f;
      }
      this.#pacc[f] = (this.#pacc[f] as number) + wx;
    }
    this.n = 0;
  }

  /** Closes a process whose replicates weighed `wc` (Σ w·N). */
  endProcess(wc: number): void {
    const m = this.sums;
    for (let i = 0; i < this.#pn; i++) {
      const f = this.#ptouched[i] as number;
      const x = this.#pacc[f] as number;
      m.processSumSq[f] = (m.processSumSq[f] as number) + x * x;
      m.processCross[f] = (m.processCross[f] as number) + x * wc;
      m.processPresent[f] = (m.processPresent[f] as number) + 1;
    }
    this.#pn = 0;
  }
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

/** Sums of one side; `weights[r]` is replicate r's weight, `functions` the size of the function index. */
export function sumReplicates(rep: ReplicateProfile, fns: StackFunctions, weights: Float64Array, functions: number): SideSums {
  const self = new MeasureAccumulator(functions);
  const total = new MeasureAccumulator(functions);
  const { start, stack, count } = rep;
  const { leaf, start: fnStart, list } = fns;
  const { order, key } = processOrder(rep);
  let weight = 0;
  let weightSq = 0;
  let processWeightSq = 0;
  let samples = 0;
  let processes = 0;
  let processWeight = 0;
  // the hot loop: locals only (one step per stack entry and distinct function of its stack)
  const { acc: sAcc, stamp: sStamp, touched: sTouched } = self;
  const { acc: tAcc, stamp: tStamp, touched: tTouched } = total;
  for (let i = 0; i < rep.length; i++) {
    const r = order[i] as number;
    let sn = 0;
    let tn = 0;
    for (let e = start[r] as number; e < (start[r + 1] as number); e++) {
      const s = stack[e] as number;
      const c = count[e] as number;
      const lf = leaf[s] as number;
      if (sStamp[lf] !== r) {
        sStamp[lf] = r;
        sAcc[lf] = c;
        sTouched[sn++] = lf;
      } else sAcc[lf] = (sAcc[lf] as number) + c;
      const end = fnStart[s + 1] as number;
      for (let k = fnStart[s] as number; k < end; k++) {
        const f = list[k] as number;
        if (tStamp[f] !== r) {
          tStamp[f] = r;
          tAcc[f] = c;
          tTouched[tn++] = f;
        } else tAcc[f] = (tAcc[f] as number) + c;
      }
    }
    self.n = sn;
    total.n = tn;
    const w = weights[r] as number;
    const n = rep.samples[r] as number;
    const wn = w * n;
    weight += wn;
    weightSq += wn * wn;
    samples += n;
    processWeight += wn;
    self.endReplicate(processes, w, wn);
    total.endReplicate(processes, w, wn);
    const next = order[i + 1];
    if (next === undefined || key[next] !== key[r]) {
      self.endProcess(processWeight);
      total.endProcess(processWeight);
      processWeightSq += processWeight * processWeight;
      processWeight = 0;
      processes++;
    }
  }
  return { replicates: rep.length, processes, weight, weightSq, processWeightSq, samples, self: self.sums, total: total.sums };
}
