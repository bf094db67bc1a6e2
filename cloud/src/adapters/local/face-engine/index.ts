/** The local face engine: Human on tfjs-WASM in worker threads, with aligned and fused embeddings. */
export { FaceEngine, type FaceEngineOptions } from './engine.js';
export type { AnalyzeOptions, EngineAnalysis, EngineFace } from './types.js';
export { DEFAULT_RECIPE_ID, RECIPES, type EmbeddingRecipe } from './recipes.js';
export { ENGINE_LIMITS } from './limits.js';
