/**
 * Student's t distribution: two-sided tail probabilities and quantiles, for intervals and
 * p-values with few replicates. The tail comes from the regularised incomplete beta function,
 * I_x(a, b) with x = ν / (ν + t²), a = ν / 2, b = 1 / 2, evaluated by its continued fraction
 * (modified Lentz); quantiles invert it by bisection. Degrees of freedom may be fractional
 * (Welch–Satterthwaite); Infinity means the normal distribution (computed as ν = 10⁹, which
 * agrees with it to 7 digits).
 */

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905, -0.13857109526572012, 9.984369578019572e-6,
  1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = 0.9999999999998099;
  const t = z + 7.5;
  for (let i = 0; i < LANCZOS.length; i++) a += (LANCZOS[i] as number) / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (converges for x < (a + 1) / (a + b + 2)). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** P(|T| ≥ t) for T with `df` degrees of freedom (df > 0; Infinity = normal). */
export function tTwoSided(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  const nu = Math.min(df, 1e9);
  return incompleteBeta(nu / (nu + t * t), nu / 2, 0.5);
}

/** Density of Student's t at `t`. */
function tDensity(t: number, df: number): number {
  return Math.exp(logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log(1 + (t * t) / df));
}

const quantileCache = new Map<number, number>();
/** z₀.₉₇₅: the two-sided 5 % point of the normal distribution. */
const Z_975 = 1.959963984540054;

/**
 * The t with P(|T| ≥ t) = `alpha` (e.g. 0.05 → the 97.5 % quantile): Newton's method on the
 * tail from a safe start, bisection when a step would leave the bracket. Degrees of freedom are
 * rounded to 0.01 (below 100) or 1 (below 10⁵) for the cache; from 10⁵ on the answer is the
 * normal one to 5 digits.
 */
export function tCritical(df: number, alpha = 0.05): number {
  const nu = df < 100 ? Math.round(df * 100) / 100 : df < 1e5 ? Math.round(df) : 1e9;
  const key = alpha === 0.05 ? nu : -1;
  const hit = key >= 0 ? quantileCache.get(key) : undefined;
  if (hit !== undefined) return hit;
  let lo = 0;
  let hi = 2;
  while (tTwoSided(hi, nu) > alpha) hi *= 2;
  let t = alpha === 0.05 ? Math.min(Math.max(Z_975, lo), hi) : (lo + hi) / 2;
  for (let i = 0; i < 200; i++) {
    const tail = tTwoSided(t, nu);
    if (Math.abs(tail - alpha) < 1e-13) break;
    if (tail > alpha) lo = t;
    else hi = t;
    // d(tail)/dt = −2·density
    const next = t + (tail - alpha) / (2 * tDensity(t, nu));
    t = next > lo && next < hi ? next : (lo + hi) / 2;
    if (hi - lo < 1e-12 * hi) break;
  }
  if (key >= 0 && quantileCache.size < 100_000) quantileCache.set(key, t);
  return t;
}
