/**
 * Embedding recipes: which recognition models run on the aligned face, and how their vectors are
 * fused. Each component's vector is L2-normalised (averaged with its mirror image's when `flip`)
 * and scaled by √weight before concatenation, so the dot product of two fused vectors is the
 * weighted mean of the per-model cosines. The recipe id is stored with every embedding: vectors
 * from another recipe are never compared. Measurements behind the choice: docs/accuracy.md.
 */
export type EmbedderName = 'faceres' | 'dlib' | 'mbf';

export interface RecipeComponent {
  model: EmbedderName;
  weight: number;
  /** Average the embeddings of the face and its mirror image (test-time augmentation). */
  flip: boolean;
  /**
   * Chip scales to average over (test-time augmentation; 1 = the model's own geometry, < 1 more
   * context, > 1 tighter). Default [1].
   */
  scales?: number[];
}

export interface EmbeddingRecipe {
  id: string;
  components: RecipeComponent[];
}

export const RECIPES: Record<string, EmbeddingRecipe> = {
  // Shipped: dlib ResNet on five-point-aligned chips at three scales, each with its mirror image (6 passes, one batch).
  'dlib-tta-v1': { id: 'dlib-tta-v1', components: [{ model: 'dlib', weight: 1, flip: true, scales: [0.92, 1, 1.08] }] },
  // dlib ResNet on a five-point-aligned chip, face + mirror averaged.
  'dlib-flip-v1': { id: 'dlib-flip-v1', components: [{ model: 'dlib', weight: 1, flip: true }] },
  // Same without the mirror pass: one embedding pass less, a little less accurate.
  'dlib-v1': { id: 'dlib-v1', components: [{ model: 'dlib', weight: 1, flip: false }] },
  // Human's own FaceRes on an aligned crop: the baseline of the experiments (no calibrated threshold).
  'faceres-v1': { id: 'faceres-v1', components: [{ model: 'faceres', weight: 1, flip: false }] },
  'mbf-flip-v1': { id: 'mbf-flip-v1', components: [{ model: 'mbf', weight: 1, flip: true }] },
};

export const DEFAULT_RECIPE_ID = 'mbf-flip-v1';

export function getRecipe(id: string): EmbeddingRecipe {
  const recipe = RECIPES[id];
  if (!recipe)
    throw new Error(`unknown embedding recipe ${JSON.stringify(id)}; known: ${Object.keys(RECIPES).join(', ')}`);
  return recipe;
}
