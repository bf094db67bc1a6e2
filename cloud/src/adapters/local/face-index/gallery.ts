/**
 * In-memory gallery of decrypted embeddings for search: a flat matrix scanned with dot products
 * (hundreds to a few thousand templates scan in well under a millisecond), best template per
 * person.
 */
import type { FaceMatch } from '../../../ports/face-index.js';
import type { StoredFace } from './store.js';

export class Gallery {
  private faces: StoredFace[] = [];

  replaceAll(faces: StoredFace[]): void {
    this.faces = faces.slice();
  }

  add(face: StoredFace): void {
    this.faces.push(face);
  }

  remove(faceIds: Set<string>): void {
    this.faces = this.faces.filter((f) => !faceIds.has(f.faceId));
  }

  get size(): number {
    return this.faces.length;
  }

  /** Raw cosine of the probe against every template, best per person, best first. */
  bestPerPerson(probe: Float32Array): { faceId: string; personId: string; score: number }[] {
    const best = new Map<string, { faceId: string; personId: string; score: number }>();
    for (const face of this.faces) {
      const v = face.vector;
      if (v.length !== probe.length) continue;
      let score = 0;
      for (let i = 0; i < v.length; i++) score += v[i]! * probe[i]!;
      const current = best.get(face.personId);
      if (!current || score > current.score) best.set(face.personId, { faceId: face.faceId, personId: face.personId, score });
    }
    return [...best.values()].sort((a, b) => b.score - a.score);
  }
}

/** Cosine (−1..1) → similarity 0..1 as the port promises. */
export function toSimilarity(cosine: number): number {
  return Math.min(1, Math.max(0, cosine));
}

export type { FaceMatch };
