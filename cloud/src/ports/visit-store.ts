/**
 * Visit store port: what the back end remembers about a door's visit (one person walking up)
 * between the messages that make it up, so the visit is answered exactly once however many
 * frames arrive, in whatever order, on however many Lambda containers. In memory for the local
 * stack (one process); DynamoDB on AWS (a conditional write makes the decision claim atomic).
 *
 * Behaviour every adapter must share (checked by test/contracts/visit-store.contract.ts):
 * - A visit is keyed by (doorId, visitId): the same visit id from another door is another visit.
 * - addFrame is idempotent by seq: a frame whose seq is already stored is not stored again
 *   ('duplicate'); a frame for a decided visit is not stored ('decided'). Each answer carries the
 *   visit as it stands after the call (frames sorted by seq).
 * - claimDecision succeeds exactly once per visit, also when callers race; the winner's decision
 *   is the one stored.
 * - Every write pushes `expiresAt` forward; after it the visit reads as absent (get → null,
 *   addFrame starts afresh), whether or not the adapter has deleted it yet (DynamoDB's TTL deletes
 *   late, dynalite never does).
 * - listExpired returns undecided, unexpired visits whose `decideBy` has passed, oldest deadline
 *   first: what a sweeper must close.
 */
import type { DenyReason } from '../../../protocol/index.js';

import type { VisitCandidate } from '../domain/visit-fusion.js';

export type { VisitCandidate };

/** A frame of the visit, after its search. */
export interface VisitFrame {
  /** The door's sequence number within the visit (0..MAX_FRAMES_PER_VISIT-1). */
  seq: number;
  frameId: string;
  capturedAt: number;
  /** Back end's clock when the frame was handled. */
  receivedAt: number;
  /** The door marked it as the visit's last frame. */
  last: boolean;
  /** False when the search found no face (the frame proposes nobody). */
  faceFound: boolean;
  /** Best first, at most one per person, possibly below the match threshold (fusion needs them). */
  candidates: VisitCandidate[];
  /** Where the frame's image was stored, if it was. */
  snapshotKey: string | null;
  /** The door's view of the face (box area in pixels, sharpness 0..100): picks the best snapshot of an unknown face. */
  faceArea: number;
  sharpness: number;
}

/** The one answer a visit gets. */
export interface VisitDecision {
  decisionId: string;
  /** The access-log row written for it. */
  eventId: string;
  result: 'granted' | 'denied';
  reason: DenyReason | 'match';
  personId: string | null;
  /** The fused score behind it, null when nothing was searched. */
  score: number | null;
  snapshotKey: string | null;
  /** The frame that decided it (null when the visit was closed by its end or a sweep). */
  frameId: string | null;
  decidedAt: number;
  /** 'frame': a frame cleared the threshold or was the last one; 'visit_end': the door ended it; 'sweep': it timed out. */
  by: 'frame' | 'visit_end' | 'sweep';
}

export interface Visit {
  doorId: string;
  visitId: string;
  /** When the door first saw the face (door's clock). */
  startedAt: number;
  /** Frames stored so far, by seq. */
  frames: VisitFrame[];
  /** How many frames the door says it sent (from the frame marked last, or visit_end); null until known. */
  framesSent: number | null;
  /** After this (back end's clock) a sweeper closes the visit with what it has. */
  decideBy: number;
  /** After this the visit is forgotten. */
  expiresAt: number;
  decision: VisitDecision | null;
}

/** Times every write carries (back end's clock). */
export interface VisitTimes {
  now: number;
  decideBy: number;
  expiresAt: number;
}

export type AddFrameResult =
  { status: 'added'; visit: Visit } | { status: 'duplicate'; visit: Visit } | { status: 'decided'; visit: Visit };

export interface VisitStore {
  /**
   * Stores a frame of the visit (creating the visit with `startedAt` if needed), and sets
   * `decideBy` and `expiresAt` (a frame moves the deadline; it may move it earlier too, when the
   * caller knows the visit is complete).
   */
  addFrame(
    doorId: string,
    visitId: string,
    startedAt: number,
    frame: VisitFrame,
    times: VisitTimes,
  ): Promise<AddFrameResult>;
  /**
   * The door says the visit is over after `framesSent` frames (visit_end, or a frame marked last
   * that could not be searched). Creates the visit if none of its frames has arrived yet, so a
   * frame arriving after its visit_end still finds the visit complete. Never changes a decided visit.
   */
  markEnded(doorId: string, visitId: string, startedAt: number, framesSent: number, times: VisitTimes): Promise<Visit>;
  /** null when absent or past its expiresAt. */
  get(doorId: string, visitId: string, now: number): Promise<Visit | null>;
  /** True for exactly one caller per visit; false when the visit is already decided, absent or expired. */
  claimDecision(doorId: string, visitId: string, decision: VisitDecision, now: number): Promise<boolean>;
  /** Undecided visits whose decideBy is at or before `now`, oldest deadline first, at most `limit`. */
  listExpired(now: number, limit?: number): Promise<Visit[]>;
  /** Removes the visit (not an error when absent). */
  forget(doorId: string, visitId: string): Promise<void>;
}

/** True when every frame the door said it sent has been stored. */
export function isVisitComplete(visit: Visit): boolean {
  if (visit.framesSent === null) return false;
  const seqs = new Set(visit.frames.map((f) => f.seq));
  for (let seq = 0; seq < visit.framesSent; seq++) if (!seqs.has(seq)) return false;
  return true;
}
