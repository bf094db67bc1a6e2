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
  if (t === undefined) throw new ConfigError(`no calibrated threshold for embedding recipe ${recipeId}; pass one explicitly`);
  return t;
}
