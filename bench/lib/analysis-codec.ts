/** JSON form of an engine analysis for the benchmark's disk cache (the embedding as base64 float32). */
import type { EngineAnalysis } from '../../cloud/src/adapters/local/face-engine/types.js';

type Stored = Omit<EngineAnalysis, 'embedding'> & { embedding: string | null };

export const analysisCodec = {
  encode(a: EngineAnalysis): Stored {
    const e = a.embedding;
    return { ...a, embedding: e ? Buffer.from(e.buffer, e.byteOffset, e.byteLength).toString('base64') : null };
  },
  decode(raw: unknown): EngineAnalysis {
    const s = raw as Stored;
    if (s.embedding === null) return { ...s, embedding: null };
    const bytes = Buffer.from(s.embedding, 'base64');
    // Copy into a fresh, aligned buffer: a Float32Array view needs a 4-byte-aligned offset.
    const vector = new Float32Array(bytes.byteLength / 4);
    new Uint8Array(vector.buffer).set(bytes);
    return { ...s, embedding: vector };
  },
};
