/**
 * One pass over a side's replicates, accumulating per function what a ratio estimate and its
 * variance need. For replicate r with weight w (1 ÷ its sampling rate, so values are seconds;
 * 1 when rates are unknown), x = the function's samples in r and N = all samples in r:
 *   Σ w·x, Σ (w·x)², Σ (w·x)(w·N), Σ x, and in how many replicates x > 0,
 * for self time (x counts stacks whose leaf is the function) and total time (stacks with the
 * function anywhere). The side keeps Σ w·N and Σ (w·N)². Cost: one step per stack entry and
 * distinct function of that stack; all columns are typed arrays.
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
}

export interface SideSums {
  replicates: number;
  /** Distinct (host, pid). */
  processes: number;
  /** Σ w·N and Σ (w·N)² over replicates. */
  weight: number;
  weightSq: number;
  /** Samples in all (unweighted). */
  samples: number;
  self: MeasureSums;
  total: MeasureSums;
}

function measure(n: number): MeasureSums {
  return { sum: new Float64Array(n), sumSq: new Float64Array(n), cross: new Float64Array(n), samples: new Float64Array(n), present: new Uint32Array(n) };
}

/** Accumulates one replicate's per-function values (the touched functions) into the sums. */
function flush(m: MeasureSums, acc: Float64Array, touched: Uint32Array, count: number, w: number, wn: number): void {
  for (let i = 0; i < count; i++) {
    const f = touched[i] as number;
    const x = acc[f] as number;
    if (x === 0) continue;
    const wx = w * x;
    m.sum[f] = (m.sum[f] as number) + wx;
    m.sumSq[f] = (m.sumSq[f] as number) + wx * wx;
    m.cross[f] = (m.cross[f] as number) + wx * wn;
    m.samples[f] = (m.samples[f] as number) + x;
    m.present[f] = (m.present[f] as number) + 1;
  }
}

/** Sums of one side; `weights[r]` is replicate r's weight, `functions` the size of the function index. */
export function sumReplicates(rep: ReplicateProfile, fns: StackFunctions, weights: Float64Array, functions: number): SideSums {
  const self = measure(functions);
  const total = measure(functions);
  const accSelf = new Float64Array(functions);
  const accTotal = new Float64Array(functions);
  const stampSelf = new Int32Array(functions).fill(-1);
  const stampTotal = new Int32Array(functions).fill(-1);
  const touchedSelf = new Uint32Array(functions);
  const touchedTotal = new Uint32Array(functions);
  const { start, stack, count } = rep;
  const { leaf, start: fnStart, list } = fns;
  let weight = 0;
  let weightSq = 0;
  let samples = 0;
  for (let r = 0; r < rep.length; r++) {
    let nSelf = 0;
    let nTotal = 0;
    for (let e = start[r] as number; e < (start[r + 1] as number); e++) {
      const s = stack[e] as number;
      const c = count[e] as number;
      const lf = leaf[s] as number;
      if (stampSelf[lf] !== r) {
        stampSelf[lf] = r;
        accSelf[lf] = 0;
        touchedSelf[nSelf++] = lf;
      }
      accSelf[lf] = (accSelf[lf] as number) + c;
      for (let k = fnStart[s] as number; k < (fnStart[s + 1] as number); k++) {
        const f = list[k] as number;
        if (stampTotal[f] !== r) {
          stampTotal[f] = r;
          accTotal[f] = 0;
          touchedTotal[nTotal++] = f;
        }
        accTotal[f] = (accTotal[f] as number) + c;
      }
    }
    const w = weights[r] as number;
    const n = rep.samples[r] as number;
    const wn = w * n;
    weight += wn;
    weightSq += wn * wn;
    samples += n;
    flush(self, accSelf, touchedSelf, nSelf, w, wn);
    flush(total, accTotal, touchedTotal, nTotal, w, wn);
  }
  const processes = new Set<string>();
  for (let r = 0; r < rep.length; r++) processes.add(`${rep.host[r] ?? ""}\u0000${String(rep.pid[r])}`);
  return { replicates: rep.length, processes: processes.size, weight, weightSq, samples, self, total };
}
