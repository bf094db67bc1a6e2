/**
 * Groups the frames in which the face gate found a face into visits, and decides which frames of
 * a visit are sent. A pure state machine: time comes in as `now` arguments, ids from an injected
 * function, and every call returns what to do (send a frame, end a visit); visit-pipeline.ts
 * does it and calls tick() at nextDeadline().
 *
 * - The first usable frame of a visit is sent at once, so the door answers fast.
 * - The best frame seen after it (face size, sharpness, pose, score: frame-rank.ts) is sent
 *   `followUpMs` later, up to `maxFrames` per visit; the last one sent is marked `last`.
 * - Nothing more is sent for a visit once the back end has answered it.
 * - A visit ends when no face has been seen for `idleEndMs`, or `maxDurationMs` after it began;
 *   a face after that starts a new visit (a person who leaves and comes back is a new visit).
 * - A visit also ends when the face jumps in size or place in a way one walking person cannot
 *   (new-person.ts): someone else stepped up within the idle window, and gets a visit, a decision
 *   and an access-log row of their own. The old visit ends as 'face_gone' (its face is gone; the
 *   protocol needs no new reason, so back ends of any version take it).
 */
import { MAX_FRAMES_PER_VISIT, type VisitEndReason } from '../../../protocol/index.js';
import { isNewPerson, type FacePlace } from './new-person.js';

export interface VisitSettings {
  idleEndMs: number;
  maxDurationMs: number;
  followUpMs: number;
  /** Frames sent per visit at most (capped at the protocol's MAX_FRAMES_PER_VISIT). */
  maxFrames: number;
}

export type VisitAction<F> =
  | { type: 'send'; visitId: string; seq: number; startedAt: number; last: boolean; frame: F }
  | { type: 'end'; visitId: string; reason: VisitEndReason; endedAt: number; framesSent: number };

interface Visit<F> {
  id: string;
  startedAt: number;
  lastFaceAt: number;
  /** Where the last face was; null when the caller gave no place. */
  lastPlace: FacePlace | null;
  sent: number;
  /** When the next frame may go out. */
  nextSendAt: number;
  /** Best frame seen since the last one sent. */
  best: { frame: F; quality: number } | null;
  answered: boolean;
  lastSent: boolean;
}

export class VisitTracker<F> {
  private visit: Visit<F> | null = null;
  private readonly maxFrames: number;
  /** Visits ended because a different person's face appeared (new-person.ts). */
  splits = 0;

  constructor(
    private readonly settings: VisitSettings,
    private readonly newId: () => string,
  ) {
    this.maxFrames = Math.max(1, Math.min(settings.maxFrames, MAX_FRAMES_PER_VISIT));
  }

  /** The visit under way, if any. */
  get currentVisitId(): string | null {
    return this.visit?.id ?? null;
  }

  /**
   * A frame passed the face gate. `place` (where the face is) lets the tracker tell a second
   * person from the first; without it visits are split by time only.
   */
  faceSeen(frame: F, quality: number, now: number, place?: FacePlace): VisitAction<F>[] {
    const actions = this.tick(now); // a visit that is over ends before this face counts
    const current = this.visit;
    if (current?.lastPlace && place && isNewPerson(current.lastPlace, place, now - current.lastFaceAt)) {
      this.splits += 1;
      actions.push(...this.finish('face_gone', now));
    }
    if (!this.visit) {
      const visit: Visit<F> = {
        id: this.newId(),
        startedAt: now,
        lastFaceAt: now,
        lastPlace: place ?? null,
        sent: 1,
        nextSendAt: now + this.settings.followUpMs,
        best: null,
        answered: false,
        lastSent: this.maxFrames === 1,
      };
      this.visit = visit;
      actions.push({ type: 'send', visitId: visit.id, seq: 0, startedAt: now, last: visit.lastSent, frame });
      return actions;
    }
    const visit = this.visit;
    visit.lastFaceAt = now;
    visit.lastPlace = place ?? null;
    if (this.mayStillSend(visit) && (!visit.best || quality > visit.best.quality)) visit.best = { frame, quality };
    actions.push(...this.tick(now));
    return actions;
  }

  /** The back end answered this visit (unlock or deny): nothing more is sent for it. */
  answered(visitId: string): void {
    if (this.visit?.id !== visitId) return;
    this.visit.answered = true;
    this.visit.best = null;
  }

  /** Ends the visit under way now (the agent stops, the link dropped). */
  end(reason: VisitEndReason, now: number): VisitAction<F>[] {
    return this.visit ? this.finish(reason, now) : [];
  }

  /** Timers: a follow-up frame due, a visit over. */
  tick(now: number): VisitAction<F>[] {
    const visit = this.visit;
    if (!visit) return [];
    const actions: VisitAction<F>[] = [];
    if (visit.best && this.mayStillSend(visit) && now >= visit.nextSendAt) actions.push(this.sendBest(visit, now));
    if (now - visit.lastFaceAt >= this.settings.idleEndMs) actions.push(...this.finish('face_gone', now));
    else if (now - visit.startedAt >= this.settings.maxDurationMs) actions.push(...this.finish('max_duration', now));
    return actions;
  }

  /** When tick() next has something to do, or null when no visit is under way. */
  nextDeadline(): number | null {
    const visit = this.visit;
    if (!visit) return null;
    const ends = Math.min(visit.lastFaceAt + this.settings.idleEndMs, visit.startedAt + this.settings.maxDurationMs);
    return visit.best && this.mayStillSend(visit) ? Math.min(ends, visit.nextSendAt) : ends;
  }

  private mayStillSend(visit: Visit<F>): boolean {
    return !visit.answered && !visit.lastSent && visit.sent < this.maxFrames;
  }

  private sendBest(visit: Visit<F>, now: number): VisitAction<F> {
    const { frame } = visit.best!;
    visit.best = null;
    const seq = visit.sent;
    visit.sent += 1;
    visit.lastSent = visit.sent >= this.maxFrames;
    visit.nextSendAt = now + this.settings.followUpMs;
    return { type: 'send', visitId: visit.id, seq, startedAt: visit.startedAt, last: visit.lastSent, frame };
  }

  private finish(reason: VisitEndReason, now: number): VisitAction<F>[] {
    const visit = this.visit!;
    this.visit = null;
    const endedAt = reason === 'face_gone' ? Math.min(now, visit.lastFaceAt + this.settings.idleEndMs) : now;
    return [{ type: 'end', visitId: visit.id, reason, endedAt, framesSent: visit.sent }];
  }
}
