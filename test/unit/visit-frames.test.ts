/**
 * mergeFrame (cloud/src/domain/visit-frames.ts), the rule both visit stores share for a frame
 * joining a visit; the stores themselves are held to it by test/contracts/visit-store.contract.ts.
 */
import { describe, expect, it } from 'vitest';
import { assertFrameSeq, mergeFrame } from '../../cloud/src/domain/visit-frames.js';
import type { Visit, VisitTimes } from '../../cloud/src/ports/visit-store.js';
import { MAX_FRAMES_PER_VISIT } from '../../protocol/index.js';
import { visitDecision, visitFrame } from '../contracts/visit-store.contract.js';

const T0 = 1_800_000_000_000;
const key = { doorId: 'door-1', visitId: 'visit-1', startedAt: T0 - 300 };
const times = (now: number, decideBy = now + 5_000, expiresAt = now + 600_000): VisitTimes => ({
  now,
  decideBy,
  expiresAt,
});

describe('mergeFrame', () => {
  it('starts a visit from its first frame: identity from the key, deadlines from the times', () => {
    const frame = visitFrame(0);
    expect(mergeFrame(null, key, frame, times(T0, T0 + 4_000, T0 + 60_000))).toEqual({
      status: 'added',
      visit: {
        ...key,
        frames: [frame],
        framesSent: null,
        decideBy: T0 + 4_000,
        expiresAt: T0 + 60_000,
        decision: null,
      },
    });
  });

  it('inserts frames in seq order whatever their arrival, moving the deadlines each time, never changing its input', () => {
    let visit: Visit | null = null;
    for (const [i, seq] of [2, 0, 3, 1].entries()) {
      const before = visit ? structuredClone(visit) : null;
      const result = mergeFrame(visit, key, visitFrame(seq), times(T0 + i * 100, T0 + 9_000 - i * 1_000));
      expect(result.status).toBe('added');
      if (before) expect(visit).toEqual(before);
      visit = result.visit;
    }
    expect(visit!.frames.map((f) => f.seq)).toEqual([0, 1, 2, 3]);
    expect(visit!.decideBy).toBe(T0 + 6_000); // the last write's deadline, even though earlier
    expect(visit!.startedAt).toBe(key.startedAt);
  });

  it('answers duplicate for a seq already stored, returning the visit as it was', () => {
    const first = mergeFrame(null, key, visitFrame(0), times(T0)).visit;
    const again = mergeFrame(first, key, visitFrame(0, { frameId: 'other' }), times(T0 + 10, T0 + 1));
    expect(again).toEqual({ status: 'duplicate', visit: first });
    expect(again.visit).toBe(first);
  });

  it('answers decided for a decided visit, storing no frame, even a new seq', () => {
    const open = mergeFrame(null, key, visitFrame(0), times(T0)).visit;
    const decided = { ...open, decision: visitDecision() };
    expect(mergeFrame(decided, key, visitFrame(1), times(T0 + 10))).toEqual({ status: 'decided', visit: decided });
  });

  it('learns framesSent from the first frame marked last, and keeps what a visit end already said', () => {
    const a = mergeFrame(null, key, visitFrame(1, { last: true }), times(T0)).visit;
    expect(a.framesSent).toBe(2);
    const b = mergeFrame(a, key, visitFrame(3, { last: true }), times(T0 + 1)).visit;
    expect(b.framesSent).toBe(2); // the first one said it
    const ended: Visit = { ...key, frames: [], framesSent: 1, decideBy: T0, expiresAt: T0 + 60_000, decision: null };
    expect(mergeFrame(ended, key, visitFrame(0), times(T0 + 2)).visit.framesSent).toBe(1);
    expect(mergeFrame(null, key, visitFrame(2), times(T0)).visit.framesSent).toBeNull();
  });

  it('treats a visit past its expiry as absent: started afresh, even if it was decided', () => {
    const old = mergeFrame(null, { ...key, startedAt: T0 - 99_000 }, visitFrame(0), times(T0 - 90_000, T0, T0)).visit;
    const stale = { ...old, decision: visitDecision() };
    const fresh = mergeFrame(stale, key, visitFrame(0), times(T0)); // now == expiresAt: expired
    expect(fresh.status).toBe('added');
    expect(fresh.visit).toMatchObject({ startedAt: key.startedAt, decision: null, framesSent: null });
    expect(fresh.visit.frames).toHaveLength(1);
  });

  it('refuses a seq the protocol cannot carry', () => {
    expect(() => assertFrameSeq(MAX_FRAMES_PER_VISIT - 1)).not.toThrow();
    for (const seq of [-1, 0.5, MAX_FRAMES_PER_VISIT, Number.NaN])
      expect(() => mergeFrame(null, key, visitFrame(seq), times(T0)), `seq ${seq}`).toThrow(RangeError);
  });
});
