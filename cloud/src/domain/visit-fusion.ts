/**
 * Fusion of a visit's frames into one ranked score per person. Frames of one visit are strongly
 * correlated (same person, seconds apart), so the visit needs one well-founded decision, not a
 * vote of many independent ones; which rule founds it best is a matter of measurement
 * (bench:accuracy --visits, docs/accuracy.md), so the rule is a named, swappable function.
 *
 * Input: one candidate list per frame in which a face was found (best first, at most one entry per
 * person, scores possibly below the match threshold). A frame where no face was found proposes
 * nobody and is left out by the caller.
 */
/** One person a frame's search proposed. */
export interface VisitCandidate {
  personId: string;
  /** 0..1, on the face index's scale. */
  similarity: number;
}

export interface FusedCandidate {
  personId: string;
  /** On the face index's similarity scale, comparable to its threshold. */
  score: number;
  /** In how many frames the person was listed. */
  listedIn: number;
}

/** Turns per-frame candidate lists into fused scores, best first. */
export type FusionRule = (frames: readonly (readonly VisitCandidate[])[]) => FusedCandidate[];

/**
 * Mean similarity over the visit's frames. A person missing from a frame's list counts as that
 * frame's lowest listed score (the most the frame can have thought of them); a frame that listed
 * nobody counts as 0 for everyone. One strong frame among weak ones is pulled down, which is the
 * point: a stranger's single lucky frame should not open the door.
 */
export const meanFusion: FusionRule = (frames) => {
  const people = new Set<string>();
  for (const list of frames) for (const c of list) people.add(c.personId);
  const fused: FusedCandidate[] = [];
  for (const personId of people) {
    let sum = 0;
    let listedIn = 0;
    for (const list of frames) {
      const hit = list.find((c) => c.personId === personId);
      if (hit) listedIn++;
      sum += hit ? hit.similarity : lowestListed(list);
    }
    fused.push({ personId, score: sum / frames.length, listedIn });
  }
  return rank(fused);
};

/** The rules by name, for benchmarks comparing them. */
export const FUSION_RULES: Readonly<Record<string, FusionRule>> = { mean: meanFusion };

/** The rule the back end decides with. */
export const DEFAULT_FUSION_RULE: FusionRule = meanFusion;

/** The visit's candidates, best first ([] when no frame saw a face). */
export function fuseVisit(
  frames: readonly (readonly VisitCandidate[])[],
  rule: FusionRule = DEFAULT_FUSION_RULE,
): FusedCandidate[] {
  if (frames.length === 0) return [];
  return rule(frames);
}

function lowestListed(list: readonly VisitCandidate[]): number {
  let lowest = Infinity;
  for (const c of list) lowest = Math.min(lowest, c.similarity);
  return Number.isFinite(lowest) ? lowest : 0;
}

/** Best first; ties by person id, so the same frames always rank the same way. */
function rank(fused: FusedCandidate[]): FusedCandidate[] {
  return fused.sort((a, b) => b.score - a.score || (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0));
}
