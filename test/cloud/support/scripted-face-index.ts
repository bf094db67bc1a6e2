/**
 * An in-test FaceIndex double for pure decision logic only (inactive, validity, doors, visits
 * and fusion, fail-secure on engine failure): `search` answers what the test scripted and counts
 * calls. Everything about real faces runs against the local engine in the *.faces tests.
 */
import type { FaceIndex, FaceInspection, FaceSearchResult, DetectedFace } from '../../../cloud/src/ports/face-index.js';

export const FRONTAL_FACE: DetectedFace = {
  box: { x: 60, y: 60, width: 120, height: 140 },
  confidence: 0.99,
  yaw: 2,
  pitch: -3,
  roll: 1,
  sharpness: 70,
};

export class ScriptedFaceIndex implements FaceIndex {
  readonly threshold = 0.7;
  searches = 0;
  next: FaceSearchResult | Error = { face: null, faceCount: 0, matches: [] };
  /** Answers for the coming searches, one each, before `next` applies again. */
  queue: (FaceSearchResult | Error)[] = [];

  /** The next searches find one face matching this person at this similarity. */
  willMatch(personId: string, similarity: number): void {
    this.next = {
      face: FRONTAL_FACE,
      faceCount: 1,
      matches: [{ faceId: `face-of-${personId}`, personId, similarity }],
    };
  }
  willFindStranger(): void {
    this.next = { face: FRONTAL_FACE, faceCount: 1, matches: [] };
  }
  /** The next search (only) finds one face with these candidates, best first. */
  thenFinds(...candidates: [personId: string, similarity: number][]): this {
    this.queue.push({
      face: FRONTAL_FACE,
      faceCount: 1,
      matches: candidates.map(([personId, similarity]) => ({ faceId: `face-of-${personId}`, personId, similarity })),
    });
    return this;
  }

  async search(): Promise<FaceSearchResult> {
    this.searches++;
    const answer = this.queue.shift() ?? this.next;
    if (answer instanceof Error) throw answer;
    return answer;
  }
  async inspect(): Promise<FaceInspection> {
    throw new Error('not scripted');
  }
  async index(): Promise<never> {
    throw new Error('not scripted');
  }
  async deleteFaces(): Promise<void> {}
  async countFaces(): Promise<number> {
    return 0;
  }
  async close(): Promise<void> {}
}
