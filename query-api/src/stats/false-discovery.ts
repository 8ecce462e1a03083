/**
 * Benjamini–Hochberg: which of m hypotheses to reject so that the expected share of false
 * discoveries among the rejections is at most `q` (for independent or positively dependent
 * tests). Sort the p-values, find the largest rank k with p₍ₖ₎ ≤ k·q/m, reject the k smallest.
 * Ties share a rank's fate. p-values must be numbers in [0, 1].
 */
export function benjaminiHochberg(pValues: ArrayLike<number>, q = 0.05): Uint8Array {
  const m = pValues.length;
  const rejected = new Uint8Array(m);
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => (pValues[a] as number) - (pValues[b] as number));
  let k = 0;
  for (let rank = 1; rank <= m; rank++) {
    const p = pValues[order[rank - 1] as number] as number;
    if (p <= (rank * q) / m) k = rank;
  }
  for (let i = 0; i < k; i++) rejected[order[i] as number] = 1;
  return rejected;
}
