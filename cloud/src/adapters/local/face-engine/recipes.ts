/**
 * Embedding recipes: which recognition models run on the aligned face, and how their vectors are
 * fused. Each component's vector is L2-normalised and scaled by √weight before concatenation, so
 * the dot product of two fused vectors is the weighted mean of the per-model cosines (fusion at
 * score level for free in the index). The recipe id is stored with every embedding: vectors
 * from another recipe are never compared.
 */
export type EmbedderName = 'faceres' | 'mobilefacenet' | 'faceres-deep' | 'dlib';

export interface RecipeComponent {
  model: EmbedderName;
  weight: number;
  /** Average the embeddings of the face and its mirror image (test-time augmentation). */
  flip: boolean;
}

export interface EmbeddingRecipe {
  id: string;
  components: RecipeComponent[];
}

export const RECIPES: Record<string, EmbeddingRecipe> = {
  'faceres-v1': { id: 'faceres-v1', components: [{ model: 'faceres', weight: 1, flip: false }] },
  'mfn-v1': { id: 'mfn-v1', components: [{ model: 'mobilefacenet', weight: 1, flip: false }] },
  'deep-v1': { id: 'deep-v1', components: [{ model: 'faceres-deep', weight: 1, flip: false }] },
  'dlib-v1': { id: 'dlib-v1', components: [{ model: 'dlib', weight: 1, flip: false }] },
};

export const DEFAULT_RECIPE_ID = 'faceres-v1';

export function getRecipe(id: string): EmbeddingRecipe {
  const recipe = RECIPES[id];
  if (!recipe) throw new Error(`unknown embedding recipe ${JSON.stringify(id)}; known: ${Object.keys(RECIPES).join(', ')}`);
  return recipe;
}
