/**
 * Fits the upper tail of the per-comparison impostor score distribution (a stranger's face against
 * one enrolled person), which is what makes a threshold depend on the gallery size: a stranger is
 * compared with every enrolled person, so per-search FPIR ≈ 1 − (1 − p(t))^N for N people, where
 * p(t) is the chance that one comparison scores ≥ t.
 *
 * Model: a Gaussian tail, p(t) = 1 − Φ((t − μ)/σ), with μ and σ fitted by least squares of score
 * on normal quantile over the empirical quantiles at p = 10⁻², 3·10⁻³, … 10⁻⁴ (a probit-linear
 * fit of the tail, not of the bulk). Why Gaussian: on the tune half an exponential tail fitted
 * above the 99th percentile over-states p by 3× at 3·10⁻⁵ and kept thresholds far too high (FNIR
 * over 80%), while the Gaussian tail lands within 0.001 of the empirical score at 3·10⁻⁵ and 10⁻⁵
 * (docs/accuracy.md). Door operating points need p ≈ 10⁻⁶, below what 10⁵ comparisons show, so
 * the fit extrapolates about one decade.
 */
import { normalQuantile } from '../../cloud/src/adapters/local/face-index/normal-quantile.js';

export interface ImpostorTail {
  /** μ of the Gaussian whose upper tail matches the scores'. */
  mean: number;
  /** σ of that Gaussian. */
  sd: number;
  /** Comparisons the fit saw (all of them, including those not kept because they were low). */
  comparisons: number;
  /** The per-comparison rates whose empirical quantiles were fitted. */
  fittedRates: number[];
}

const RATES = [1e-2, 3e-3, 1e-3, 3e-4, 1e-4];

/**
 * `topScores`: at least the top 1% of the comparisons (more is fine; the rest may be dropped
 * upstream); `comparisons`: how many comparisons there were in all.
 */
export function fitImpostorTail(topScores: number[], comparisons: number): ImpostorTail {
  const sorted = topScores.filter(Number.isFinite).sort((a, b) => b - a);
  // A rate is usable when at least 10 comparisons lie above its quantile.
  const rates = RATES.filter((p) => Math.floor(p * comparisons) >= 10 && Math.floor(p * comparisons) < sorted.length);
  if (rates.length < 2) throw new RangeError(`${comparisons} comparisons are too few to fit the tail`);
  const pts = rates.map((p) => ({ z: -normalQuantile(p), t: sorted[Math.floor(p * comparisons)]! }));
  const mz = pts.reduce((a, b) => a + b.z, 0) / pts.length;
  const mt = pts.reduce((a, b) => a + b.t, 0) / pts.length;
  const sd = pts.reduce((a, b) => a + (b.z - mz) * (b.t - mt), 0) / pts.reduce((a, b) => a + (b.z - mz) ** 2, 0);
  return { mean: mt - sd * mz, sd, comparisons, fittedRates: rates };
}

/** The score that one comparison reaches with probability p under the model. */
export function tailQuantile(tail: { mean: number; sd: number }, p: number): number {
  return tail.mean - tail.sd * normalQuantile(p);
}
