/**
 * Rekognition's Similarity (0..100) from the local engine's score (cosine of two embeddings).
 *
 * Rekognition applications choose FaceMatchThreshold on Rekognition's scale: 80 is its default,
 * 99 what AWS recommends where a false match opens something. The engine's cosines sit in a narrow
 * band (strangers ≈ 0.86, the same person ≈ 0.94–0.99), so the scale is placed by what a threshold
 * lets in: Similarity 80 / 90 / 99 are the scores at which a stranger matches someone in a
 * collection of REFERENCE_COLLECTION_FACES faces (one per person) with chance 5 % / 1 % / 0.1 %.
 * Those scores come from the Gaussian tail of the per-comparison impostor scores that
 * thresholds.ts fitted on the tune half of dev (per-search FPIR = 1 − (1 − p)^N, as there).
 * Between the anchors the scale is linear in the score, so it is monotone: a higher score is never
 * a lower Similarity, and FaceMatchThreshold T lets in exactly the faces whose score is at least
 * fromSimilarity(T). bench/rekognition-local.ts measures it on the report half (docs/rekognition-local.md).
 *
 * As with Rekognition, a larger collection lets more strangers through at the same threshold
 * (about in proportion to its faces).
 */
import { normalQuantile } from '../face-index/normal-quantile.js';
import { CALIBRATIONS, perComparisonRate } from '../face-index/thresholds.js';
import { DEFAULT_RECIPE_ID } from '../face-engine/recipes.js';

/** Faces in the collection the anchors are placed for: the tune half's gallery (282 people, one photo each). */
export const REFERENCE_COLLECTION_FACES = 282;

/** Similarity → the per-search stranger rate it is placed at, for REFERENCE_COLLECTION_FACES faces. */
export const SIMILARITY_ANCHORS: readonly { similarity: number; strangerRate: number }[] = [
  { similarity: 80, strangerRate: 0.05 },
  { similarity: 90, strangerRate: 0.01 },
  { similarity: 99, strangerRate: 0.001 },
];

export interface SimilarityScale {
  /** Engine score (cosine, −1..1) → Similarity 0..100, non-decreasing. */
  toSimilarity(score: number): number;
  /** The lowest score whose Similarity is at least `similarity` (0..100). */
  fromSimilarity(similarity: number): number;
  /** The knots of the piecewise-linear scale, [score, similarity], increasing in both. */
  readonly knots: readonly (readonly [number, number])[];
}

/** The score at which a stranger matches one of `faces` faces with chance `rate`, per the fitted tail. */
export function scoreAtStrangerRate(rate: number, faces: number, recipeId = DEFAULT_RECIPE_ID): number {
  const calibration = CALIBRATIONS[recipeId];
  if (!calibration) throw new RangeError(`no impostor calibration for recipe ${recipeId}`);
  const { mean, sd } = calibration.impostorTail;
  return mean - sd * normalQuantile(perComparisonRate(faces, rate));
}

export function similarityScale(recipeId = DEFAULT_RECIPE_ID): SimilarityScale {
  const calibration = CALIBRATIONS[recipeId];
  if (!calibration) throw new RangeError(`no impostor calibration for recipe ${recipeId}`);
  // Below the anchors: the lowest cosine (−1) → 0 and the typical stranger's score (the impostor
  // mean: near 0 for centred ArcFace vectors, 0.86 for dlib's) → 50.
  const knots: [number, number][] = [
    [-1, 0],
    [calibration.impostorTail.mean, 50],
    ...SIMILARITY_ANCHORS.map(
      (a) =>
        [scoreAtStrangerRate(a.strangerRate, REFERENCE_COLLECTION_FACES, recipeId), a.similarity] as [number, number],
    ),
    [1, 100],
  ];
  for (let i = 1; i < knots.length; i++) {
    if (!(knots[i]![0] > knots[i - 1]![0]))
      throw new RangeError(`similarity scale for ${recipeId} is not increasing at knot ${i}`);
  }

  return {
    knots,
    toSimilarity(score) {
      if (!(score > -1)) return 0;
      if (score >= 1) return 100;
      let i = 1;
      while (knots[i]![0] < score) i++;
      const [x0, y0] = knots[i - 1]!;
      const [x1, y1] = knots[i]!;
      return y0 + ((score - x0) / (x1 - x0)) * (y1 - y0);
    },
    fromSimilarity(similarity) {
      if (!(similarity > 0)) return -1;
      if (similarity >= 100) return 1;
      let i = 1;
      while (knots[i]![1] < similarity) i++;
      const [x0, y0] = knots[i - 1]!;
      const [x1, y1] = knots[i]!;
      return x0 + ((similarity - y0) / (y1 - y0)) * (x1 - x0);
    },
  };
}
