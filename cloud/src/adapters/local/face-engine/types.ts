/** What the engine returns for one image (plain data: it crosses the worker boundary). */
import type { DetectedFace } from '../../../ports/face-index.js';

export interface EngineFace extends DetectedFace {
  /** Inter-ocular distance in original-image pixels: the face size that matters for recognition. */
  eyeDistance: number;
}

export interface EngineAnalysis {
  imageWidth: number;
  imageHeight: number;
  /** Largest first. */
  faces: EngineFace[];
  /** Embedding of the largest face (L2-normalised, recipe-specific layout) when requested and a face was found. */
  embedding: Float32Array | null;
  /** Identifies the embedding space; embeddings from different recipes are not comparable. */
  embeddingModel: string;
}

export interface AnalyzeOptions {
  /** Compute the embedding of the largest face (search/index) or not (inspect). */
  embed: boolean;
  /** Deadline for this call; past it the worker is restarted and the call fails (default: the engine's). */
  timeoutMs?: number;
}
