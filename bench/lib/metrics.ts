/**
 * Open-set identification metrics (NIST FRVT 1:N style) from each probe's top candidate.
 * A probe without a face has score −∞: a miss when mated, a correct reject when non-mated.
 */

export interface MatedOutcome {
  /** Top candidate's score (−∞ when no face or empty gallery). */
  score: number;
  /** The top candidate is the probe's own identity. */
  correct: boolean;
}

/** A score passes the threshold when it reaches it; a probe with no face (−∞) never passes, even at t = −∞. */
function passes(score: number, t: number): boolean {
  return Number.isFinite(score) && score >= t;
}

/** Mated probes missed at threshold t (not matched to the right person at score ≥ t). */
export function missesAt(mated: MatedOutcome[], t: number): number {
  return mated.filter((m) => !(m.correct && passes(m.score, t))).length;
}

/** Non-mated probes matched to someone at score ≥ t. */
export function falseMatchesAt(nonMated: number[], t: number): number {
  return nonMated.filter((s) => passes(s, t)).length;
}

export function fnirAt(mated: MatedOutcome[], t: number): number {
  if (mated.length === 0) return NaN;
  return missesAt(mated, t) / mated.length;
}

export function fpirAt(nonMated: number[], t: number): number {
  if (nonMated.length === 0) return NaN;
  return falseMatchesAt(nonMated, t) / nonMated.length;
}

export function rank1(mated: MatedOutcome[]): number {
  if (mated.length === 0) return NaN;
  return mated.filter((m) => m.correct).length / mated.length;
}

/** Smallest threshold whose FPIR does not exceed `target` (just above the (k+1)-th best stranger score). */
export function thresholdForFpir(nonMated: number[], target: number): number {
  const sorted = nonMated.filter(Number.isFinite).sort((a, b) => b - a);
  const allowed = Math.floor(target * nonMated.length + 1e-9);
  if (allowed >= sorted.length) return -Infinity;
  const s = sorted[allowed]!;
  return s + Math.max(1e-9, Math.abs(s) * 1e-9);
}

export function fnirAtFpir(
  mated: MatedOutcome[],
  nonMated: number[],
  target: number,
): { fnir: number; threshold: number } {
  const threshold = thresholdForFpir(nonMated, target);
  return { fnir: fnirAt(mated, threshold), threshold };
}

/** DET points over every distinct score, from strict to lenient. */
export function detCurve(
  mated: MatedOutcome[],
  nonMated: number[],
): { threshold: number; fpir: number; fnir: number }[] {
  const thresholds = [...new Set([...mated.map((m) => m.score), ...nonMated].filter(Number.isFinite))].sort(
    (a, b) => b - a,
  );
  // Incremental counts: O(n log n) instead of re-scanning per threshold.
  const matedCorrect = mated
    .filter((m) => m.correct && Number.isFinite(m.score))
    .map((m) => m.score)
    .sort((a, b) => b - a);
  const strangers = nonMated.filter(Number.isFinite).sort((a, b) => b - a);
  const points: { threshold: number; fpir: number; fnir: number }[] = [];
  let i = 0,
    j = 0;
  for (const t of thresholds) {
    while (i < matedCorrect.length && matedCorrect[i]! >= t) i++;
    while (j < strangers.length && strangers[j]! >= t) j++;
    points.push({ threshold: t, fpir: j / nonMated.length, fnir: 1 - i / mated.length });
  }
  return points;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}
