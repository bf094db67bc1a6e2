/**
 * An in-test FaceIndex for logic around the engine, not the engine: recognition decisions
 * (inactive, validity, doors, visits and fusion, fail-secure on engine failure) and the admin
 * site's routes. `search` answers what the test scripted and counts calls; `inspect` sees
 * `inspection` (one frontal face unless scripted) and `index` keeps the faces it indexed, so
 * erasure can be checked. The real engine takes seconds per photo on these shared cores and
 * needs its models loaded first; everything about real faces runs against it in the *.faces
 * tests and the admin site's browser test.
 */
import { newId } from '../../../cloud/src/domain/ids.js';
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
  /** What `inspect` (and so every enrolment check) sees in the next photos. */
  inspection: Omit<FaceInspection, 'imageWidth' | 'imageHeight'> = { faces: [FRONTAL_FACE] };
  /** Indexed faces: faceId → personId. */
  readonly indexed = new Map<string, string>();

  async inspect(): Promise<FaceInspection> {
    return { ...this.inspection, imageWidth: 640, imageHeight: 480 };
  }
  async index(personId: string): Promise<{ faceId: string; face: DetectedFace }> {
    const face = this.inspection.faces[0];
    if (!face) throw new Error('no face to index (scripted)');
    const faceId = newId();
    this.indexed.set(faceId, personId);
    return { faceId, face };
  }
  async deleteFaces(faceIds: string[]): Promise<void> {
    for (const id of faceIds) this.indexed.delete(id);
  }
  async countFaces(): Promise<number> {
    return this.indexed.size;
  }
  async close(): Promise<void> {}
}
