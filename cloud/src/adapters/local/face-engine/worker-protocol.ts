/** Messages between the engine pool (main thread) and its worker threads. */
import { z } from 'zod';
import type { EngineAnalysis } from './types.js';

export const workerRequestSchema = z.object({
  id: z.number().int().nonnegative(),
  op: z.literal('analyze'),
  image: z.instanceof(Uint8Array),
  embed: z.boolean(),
});
export type WorkerRequest = z.infer<typeof workerRequestSchema>;

export interface WorkerErrorPayload {
  /** FacegateError code when there is one ('bad_image'), else 'engine'. */
  code: string;
  message: string;
}

export type WorkerReply =
  | { type: 'ready'; embeddingModel: string }
  | { type: 'init_failed'; error: WorkerErrorPayload }
  | { type: 'result'; id: number; analysis: EngineAnalysis }
  | { type: 'error'; id: number; error: WorkerErrorPayload };

export interface WorkerData {
  recipeId: string;
}
