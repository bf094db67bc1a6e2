/**
 * Ways to turn the searches of one visit's frames into one candidate and one score, compared by
 * measurement in docs/accuracy.md. Each frame's search lists every enrolled person with their
 * similarity (the bench asks for all of them), so a rule sees the same evidence the back end has.
 * Mean embedding is not among them: the port returns scores, not embeddings (Rekognition has no
 * embeddings to give), so the back end could not run it on AWS.
 */
import type { FaceMatch } from '../../cloud/src/ports/face-index.js';
import { fuseVisit } from '../../cloud/src/domain/visit-fusion.js';

/** What FaceIndex.search lists by default, so the back end's rule sees what the back end would. */
export const BACKEND_MAX_MATCHES = 5;

export interface FusedCandidate {
  personId: string | null;
  score: number;
}

export type FusionRule = (frames: FaceMatch[][]) => FusedCandidate;

/** Per person, combine their similarity over the frames with a face (a person not listed scores 0). */
function perPerson(frames: FaceMatch[][], combine: (scores: number[]) => number): FusedCandidate {
  const withFace = frames.filter((f) => f.length > 0);
  if (withFace.length === 0) return { personId: null, score: -Infinity };
  const maps = withFace.map((f) => new Map(f.map((m) => [m.personId, m.similarity])));
  const people = new Set(withFace.flatMap((f) => f.map((m) => m.personId)));
  let best: FusedCandidate = { personId: null, score: -Infinity };
  for (const personId of people) {
    const scores = maps.map((m) => m.get(personId) ?? 0);
    const score = combine(scores);
    if (score > best.score) best = { personId, score };
  }
  return best;
}

export const FUSION_RULES: Record<string, FusionRule> = {
  /**
   * The back end's own rule (cloud/src/domain/visit-fusion.ts fuseVisit, its default), given each
   * frame's top BACKEND_MAX_MATCHES as the back end gets them.
   */
  backend: (frames) => {
    const lists = frames.filter((f) => f.length > 0).map((f) => f.slice(0, BACKEND_MAX_MATCHES));
    const best = fuseVisit(lists)[0];
    return best ? { personId: best.personId, score: best.score } : { personId: null, score: -Infinity };
  },
  /** Each person's mean similarity over the frames: averages out a frame's pose and blur. */
  'mean-score': (frames) => perPerson(frames, (s) => s.reduce((a, b) => a + b, 0) / s.length),
  /** Each person's best frame: the per-frame decision with the most chances per stranger. */
  'max-score': (frames) => perPerson(frames, (s) => Math.max(...s)),
  /** The first frame sent only (one search per visit). */
  'first-frame': (frames) => {
    const first = frames.find((f) => f.length > 0)?.[0];
    return first ? { personId: first.personId, score: first.similarity } : { personId: null, score: -Infinity };
  },
};
