/**
 * How a frame joins a visit: the one rule both visit stores keep (ports/visit-store.ts states it).
 * The memory store applies it to its map as it is. The DynamoDB store must make the same change
 * in one conditional UpdateItem (atomic across Lambda containers), so it writes the rule as that
 * write's condition, and when DynamoDB refuses the write asks this function what the item it then
 * reads means: a duplicate or a decided visit is the answer; 'added' means the item had expired
 * (or was deleted meanwhile), so the write is tried again.
 */
import { MAX_FRAMES_PER_VISIT } from '../../../protocol/index.js';
import type { AddFrameResult, Visit, VisitFrame, VisitTimes } from '../ports/visit-store.js';

/** A seq the protocol cannot carry is a caller's bug, refused before anything is stored. */
export function assertFrameSeq(seq: number): void {
  if (!Number.isInteger(seq) || seq < 0 || seq >= MAX_FRAMES_PER_VISIT) {
    throw new RangeError(`frame seq ${seq} is outside 0..${MAX_FRAMES_PER_VISIT - 1}`);
  }
}

/**
 * The visit after `frame` arrives, given the visit as stored (`current`, null when absent; one past
 * its expiresAt counts as absent and is started afresh). A decided visit stores no frame
 * ('decided'), a seq already stored is not stored again ('duplicate'); both return `current`
 * unchanged. Otherwise ('added') a new Visit: the frame inserted in seq order, framesSent learned
 * from the first frame marked last, the deadlines from `times`. `current` is never modified.
 */
export function mergeFrame(
  current: Visit | null,
  key: { doorId: string; visitId: string; startedAt: number },
  frame: VisitFrame,
  times: VisitTimes,
): AddFrameResult {
  assertFrameSeq(frame.seq);
  const live = current && current.expiresAt > times.now ? current : null;
  if (live?.decision) return { status: 'decided', visit: live };
  if (live?.frames.some((f) => f.seq === frame.seq)) return { status: 'duplicate', visit: live };
  const base: Visit = live ?? { ...key, frames: [], framesSent: null, decideBy: 0, expiresAt: 0, decision: null };
  return {
    status: 'added',
    visit: {
      ...base,
      frames: [...base.frames, frame].sort((a, b) => a.seq - b.seq),
      framesSent: base.framesSent ?? (frame.last ? frame.seq + 1 : null),
      decideBy: times.decideBy,
      expiresAt: times.expiresAt,
    },
  };
}
