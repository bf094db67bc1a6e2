/**
 * Confidence intervals for a proportion k/n (FNIR, FPIR). Clopper-Pearson is the exact interval:
 * it never under-covers, which matters at door operating points where k is 0, 1 or 2 and the
 * normal approximation (and even Wilson) is too narrow on the side that matters. Wilson is kept for
 * comparison with published figures that use it.
 */
import { normalQuantile } from '../../cloud/src/adapters/local/face-index/normal-quantile.js';

export { normalQuantile };

/** ln Γ(x) (Lanczos, g = 7, n = 9): about 15 significant digits for x > 0. */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(X ≤ k) for X ~ Binomial(n, p), summed in log space so n of tens of thousands is fine. */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const lnC = logGamma(n + 1);
  let sum = 0;
  for (let i = 0; i <= k; i++)
    sum += Math.exp(lnC - logGamma(i + 1) - logGamma(n - i + 1) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  return Math.min(1, sum);
}

/** p in [lo, hi] where f(p) crosses `target`, f decreasing in p. */
function bisectDecreasing(f: (p: number) => number, target: number): number {
  let lo = 0,
    hi = 1;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export type Interval = [lower: number, upper: number];

/** Exact (Clopper-Pearson) two-sided interval at `level` (default 95%). */
export function clopperPearson(k: number, n: number, level = 0.95): Interval {
  if (!(n > 0) || k < 0 || k > n || !Number.isInteger(k) || !Number.isInteger(n)) return [NaN, NaN];
  const a = (1 - level) / 2;
  // Lower: P(X ≥ k | p) = a  ⇔  P(X ≤ k−1 | p) = 1 − a.  Upper: P(X ≤ k | p) = a.
  const lower = k === 0 ? 0 : bisectDecreasing((p) => binomialCdf(k - 1, n, p), 1 - a);
  const upper = k === n ? 1 : bisectDecreasing((p) => binomialCdf(k, n, p), a);
  return [lower, upper];
}

/** Wilson score interval at `level` (default 95%). */
export function wilson(k: number, n: number, level = 0.95): Interval {
  if (!(n > 0) || k < 0 || k > n) return [NaN, NaN];
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = k / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** A rate with its count and exact 95% interval, as the benchmark prints and writes it. */
export interface RateWithCi {
  rate: number;
  count: number;
  of: number;
  ci95: Interval;
}

export function rateWithCi(count: number, of: number): RateWithCi {
  return { rate: of > 0 ? count / of : NaN, count, of, ci95: clopperPearson(count, of) };
}
