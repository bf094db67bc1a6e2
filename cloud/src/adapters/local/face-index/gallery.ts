/**
 * In-memory gallery of decrypted embeddings for search. A person enrolled from several photos is
 * scored against the (re-normalised) mean of their templates rather than the best single one:
 * taking the maximum over templates gives every stranger several chances to score high, so a
 * threshold calibrated on one photo per person would let more strangers through as people add
 * photos; the mean keeps the impostor scores where the threshold was calibrated while averaging
 * out each photo's pose and lighting. Hundreds of people scan in well under a millisecond.
 */
import type { FaceMatch } from '../../../ports/face-index.js';
import type { StoredFace } from './store.js';

interface PersonTemplate {
  personId: string;
  templates: number;
  /** Representative face id (the first enrolled) for the match's faceId. */
  faceId: string;
  vector: Float32Array;
}

export class Gallery {
  private faces: StoredFace[] = [];
  private people: PersonTemplate[] | null = null;

  replaceAll(faces: StoredFace[]): void {
    this.faces = faces.slice();
    this.people = null;
  }

  add(face: StoredFace): void {
    this.faces.push(face);
    this.people = null;
  }

  remove(faceIds: Set<string>): void {
    this.faces = this.faces.filter((f) => !faceIds.has(f.faceId));
    this.people = null;
  }

  get size(): number {
    return this.faces.length;
  }

  constructor(
    /** Subtracted from the cosine of people with two or more templates (see MULTI_TEMPLATE_OFFSET). */
    private readonly multiTemplateOffset = 0,
  ) {}

  /** Cosine of the probe against each person's mean template (less the offset for several photos), best first. */
  bestPerPerson(probe: Float32Array): { faceId: string; personId: string; score: number }[] {
    const out: { faceId: string; personId: string; score: number }[] = [];
    for (const person of this.templates()) {
      const v = person.vector;
      if (v.length !== probe.length) continue;
      let score = 0;
      for (let i = 0; i < v.length; i++) score += v[i]! * probe[i]!;
      if (person.templates > 1) score -= this.multiTemplateOffset;
      out.push({ faceId: person.faceId, personId: person.personId, score });
    }
    return out.sort((a, b) => b.score - a.score);
  }

  private templates(): PersonTemplate[] {
    if (this.people) return this.people;
    const byPerson = new Map<string, PersonTemplate>();
    for (const face of this.faces) {
      const current = byPerson.get(face.personId);
      if (!current) {
        byPerson.set(face.personId, {
          personId: face.personId,
          faceId: face.faceId,
          templates: 1,
          vector: Float32Array.from(face.vector),
        });
      } else if (current.vector.length === face.vector.length) {
        for (let i = 0; i < face.vector.length; i++) current.vector[i]! += face.vector[i]!;
        current.templates += 1;
      }
    }
    for (const person of byPerson.values()) {
      let norm = 0;
      for (const x of person.vector) norm += x * x;
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < person.vector.length; i++) person.vector[i]! /= norm;
    }
    this.people = [...byPerson.values()];
    return this.people;
  }
}

/** Cosine (−1..1) → similarity 0..1 as the port promises. */
export function toSimilarity(cosine: number): number {
  return Math.min(1, Math.max(0, cosine));
}

export type { FaceMatch };
