/**
 * Calibrated default thresholds per embedding recipe, chosen on the dev set for a door
 * (FPIR ≈ 0.1%: about one stranger in a thousand matched to someone). See docs/accuracy.md.
 */
export const DEFAULT_THRESHOLDS: Record<string, number> = {
  'faceres-v1': 0.72,
  'dlib-v1': 0.93,
};

export function defaultThreshold(recipeId: string): number {
  const t = DEFAULT_THRESHOLDS[recipeId];
  if (t === undefined) throw new Error(`no calibrated threshold for embedding recipe ${recipeId}`);
  return t;
}
