/**
 * Score normalisations for open-set identification, compared in bench/visit-experiments.ts
 * (docs/accuracy.md, "Lowering FNIR"). Each takes one search's raw similarities against the N
 * enrolled people (`s[i]`, person i) and returns the normalised statistic per person; a larger
 * value is still "more like person i", so fusion and thresholds work on it unchanged.
 *
 * - T-norm (probe side): the probe's scores against the *other* enrolled people are its cohort.
 *   A probe that scores high against everyone (a face close to the population mean, a blurred
 *   frame) is pulled down; the statistic is the score's distance above that probe's own impostor
 *   level. `tnorm-mean`: s_i − mean_{j≠i} s_j; `tnorm-z`: divided by their sd too;
 *   `tnorm-topK`: s_i − mean of the K highest s_j, j≠i.
 * - Z-norm (gallery side): person i's template's mean/sd against the other enrolled people's
 *   enrolment photos (computable at enrolment time): `znorm-mean` s_i − μ_i, `znorm-z` (s_i − μ_i)/σ_i.
 * - S-norm: the mean of tnorm-z and znorm-z.
 *
 * Leave-one-out sums keep each statistic O(N) per search (top-K is O(N·K) at worst).
 */
export type NormName =
  'raw' | 'tnorm-mean' | 'tnorm-z' | 'tnorm-top10' | 'tnorm-top3' | 'znorm-mean' | 'znorm-z' | 'snorm' | 'tz-mean';

export const NORMS: readonly NormName[] = [
  'raw',
  'tnorm-mean',
  'tnorm-z',
  'tnorm-top10',
  'tnorm-top3',
  'znorm-mean',
  'znorm-z',
  'snorm',
  'tz-mean',
];

/** Per enrolled person, the mean and sd of their score against the other people's enrolment photos. */
export interface GalleryStats {
  mean: Float64Array;
  sd: Float64Array;
}

function looMeanSd(s: ArrayLike<number>): { mean: (i: number) => number; sd: (i: number) => number } {
  const n = s.length;
  let sum = 0;
  let sum2 = 0;
  for (let i = 0; i < n; i++) {
    sum += s[i]!;
    sum2 += s[i]! * s[i]!;
  }
  const m = n - 1;
  return {
    mean: (i) => (m > 0 ? (sum - s[i]!) / m : 0),
    sd: (i) => {
      if (m < 2) return 1;
      const mu = (sum - s[i]!) / m;
      const v = (sum2 - s[i]! * s[i]! - m * mu * mu) / (m - 1);
      return Math.sqrt(Math.max(v, 1e-12));
    },
  };
}

/** Mean of the K highest values of s other than s[i]. */
function topKOthers(s: ArrayLike<number>, k: number): (i: number) => number {
  // The K+1 highest with their indices; for i among them, drop it, else drop the (K+1)th.
  const n = s.length;
  const kk = Math.min(k + 1, n);
  const idx: number[] = [];
  for (let i = 0; i < n; i++) {
    if (idx.length < kk) {
      idx.push(i);
      idx.sort((a, b) => s[b]! - s[a]!);
    } else if (s[i]! > s[idx[kk - 1]!]!) {
      idx[kk - 1] = i;
      idx.sort((a, b) => s[b]! - s[a]!);
    }
  }
  const topSum = idx.slice(0, Math.min(k, n)).reduce((a, j) => a + s[j]!, 0);
  const used = Math.min(k, n - 1);
  return (i) => {
    if (used <= 0) return 0;
    const pos = idx.indexOf(i);
    if (pos >= 0 && pos < k) {
      // i is among the top K: replace it by the (K+1)th when there is one.
      const extra = idx.length > k ? s[idx[k]!]! : 0;
      return (topSum - s[i]! + extra) / used;
    }
    return topSum / Math.min(k, n);
  };
}

export function normalise(norm: NormName, s: ArrayLike<number>, g: GalleryStats | null): Float64Array {
  const n = s.length;
  const out = new Float64Array(n);
  if (norm === 'raw') {
    for (let i = 0; i < n; i++) out[i] = s[i]!;
    return out;
  }
  if (norm === 'tnorm-top10' || norm === 'tnorm-top3') {
    const f = topKOthers(s, norm === 'tnorm-top10' ? 10 : 3);
    for (let i = 0; i < n; i++) out[i] = s[i]! - f(i);
    return out;
  }
  const t = looMeanSd(s);
  for (let i = 0; i < n; i++) {
    const tz = (s[i]! - t.mean(i)) / t.sd(i);
    const zz = g ? (s[i]! - g.mean[i]!) / g.sd[i]! : NaN;
    switch (norm) {
      case 'tnorm-mean':
        out[i] = s[i]! - t.mean(i);
        break;
      case 'tnorm-z':
        out[i] = tz;
        break;
      case 'znorm-mean':
        out[i] = s[i]! - g!.mean[i]!;
        break;
      case 'znorm-z':
        out[i] = zz;
        break;
      case 'snorm':
        out[i] = (tz + zz) / 2;
        break;
      case 'tz-mean':
        // Both means subtracted, no division: the probe's and the template's impostor levels.
        out[i] = s[i]! - t.mean(i) - g!.mean[i]!;
        break;
    }
  }
  return out;
}
