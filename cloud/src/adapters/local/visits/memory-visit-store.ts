/**
 * Visits of the local stack, in the back end's memory: one process handles every frame, so a
 * Map is the whole truth, and a restart forgetting open visits only costs those visits their
 * answer (their doors stay locked). Expired visits are dropped whenever the sweeper lists, so
 * the map holds the last few minutes of visits only.
 */
import type {
  AddFrameResult,
  Visit,
  VisitDecision,
  VisitFrame,
  VisitStore,
  VisitTimes,
} from '../../../ports/visit-store.js';
import { mergeFrame } from '../../../domain/visit-frames.js';

export class MemoryVisitStore implements VisitStore {
  private readonly visits = new Map<string, Visit>();

  async addFrame(
    doorId: string,
    visitId: string,
    startedAt: number,
    frame: VisitFrame,
    times: VisitTimes,
  ): Promise<AddFrameResult> {
    const result = mergeFrame(
      this.live(doorId, visitId, times.now) ?? null,
      { doorId, visitId, startedAt },
      frame,
      times,
    );
    if (result.status === 'added') this.visits.set(key(doorId, visitId), copy(result.visit));
    return { ...result, visit: copy(result.visit) };
  }

  async markEnded(
    doorId: string,
    visitId: string,
    startedAt: number,
    framesSent: number,
    times: VisitTimes,
  ): Promise<Visit> {
    const visit = this.live(doorId, visitId, times.now) ?? this.create(doorId, visitId, startedAt, times);
    if (!visit.decision) {
      visit.framesSent = framesSent;
      visit.decideBy = times.decideBy;
      visit.expiresAt = times.expiresAt;
    }
    return copy(visit);
  }

  async get(doorId: string, visitId: string, now: number): Promise<Visit | null> {
    const visit = this.live(doorId, visitId, now);
    return visit ? copy(visit) : null;
  }

  async claimDecision(doorId: string, visitId: string, decision: VisitDecision, now: number): Promise<boolean> {
    const visit = this.live(doorId, visitId, now);
    if (!visit || visit.decision) return false;
    visit.decision = { ...decision };
    return true;
  }

  async listExpired(now: number, limit = 100): Promise<Visit[]> {
    const due: Visit[] = [];
    for (const [key, visit] of this.visits) {
      if (visit.expiresAt <= now) this.visits.delete(key);
      else if (!visit.decision && visit.decideBy <= now) due.push(copy(visit));
    }
    return due.sort((a, b) => a.decideBy - b.decideBy).slice(0, limit);
  }

  async forget(doorId: string, visitId: string): Promise<void> {
    this.visits.delete(key(doorId, visitId));
  }

  private live(doorId: string, visitId: string, now: number): Visit | undefined {
    const visit = this.visits.get(key(doorId, visitId));
    if (visit && visit.expiresAt <= now) {
      this.visits.delete(key(doorId, visitId));
      return undefined;
    }
    return visit;
  }

  private create(doorId: string, visitId: string, startedAt: number, times: VisitTimes): Visit {
    const visit: Visit = {
      doorId,
      visitId,
      startedAt,
      frames: [],
      framesSent: null,
      decideBy: times.decideBy,
      expiresAt: times.expiresAt,
      decision: null,
    };
    this.visits.set(key(doorId, visitId), visit);
    return visit;
  }
}

// Door ids are [a-z0-9-] and visit ids url-safe: neither holds '|', so the key is unambiguous.
const key = (doorId: string, visitId: string): string => `${doorId}|${visitId}`;

/** Callers get a copy: what they change is not the store's state. */
const copy = (visit: Visit): Visit => structuredClone(visit);
