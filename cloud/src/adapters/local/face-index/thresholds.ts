/**
 * Calibrated default thresholds per embedding recipe, chosen on the dev set for a door: the
 * lowest round value at which about one stranger in a thousand (FPIR ≈ 0.1%) is matched to
 * someone. Measurements: docs/accuracy.md. A recipe without an entry must be given a threshold.
 */
import { ConfigError } from '../../../errors.js';

export const DEFAULT_THRESHOLDS: Record<string, number> = {
  // dev: 1 of 800 strangers at or above (FPIR 0.125%); the next stranger scores 0.9572.
  'dlib-tta-v1': 0.958,
  // dev: 1 of 800 strangers at or above (FPIR 0.125%), FNIR ≈ 0.45.
  'dlib-flip-v1': 0.956,
  // dev: 0 of 800 strangers at or above (top stranger 0.9575).
  'dlib-v1': 0.958,
};

export function defaultThreshold(recipeId: string): number {
  const t = DEFAULT_THRESHOLDS[recipeId];
  if (t === undefined)
    throw new ConfigError(`no calibrated threshold for embedding recipe ${recipeId}; pass one explicitly`);
  return t;
}

/**
 * Subtracted from the score of a person enrolled with two or more photos, so one threshold holds
 * whatever the number of photos. Scoring against a person's mean template raises strangers' scores
 * as well as the person's own (dlib vectors share a large common component), so without it a
 * threshold calibrated on one photo per person lets more strangers through as photos are added.
 * Measured on dev with `dlib-tta-v1`, mean templates: the second-highest of 800 strangers scores
 * 0.9572 with one photo per person and 0.9633–0.9638 with two to five, hence 0.006 (FPIR 0.125%
 * at the default threshold for --enroll 2 and 3; see docs/accuracy.md). The other dlib recipes
 * share the embedding space and use the same offset (not measured separately).
 */
export const MULTI_TEMPLATE_OFFSET = 0.006;
