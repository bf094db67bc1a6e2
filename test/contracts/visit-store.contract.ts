/**
 * The VisitStore port's contract (cloud/src/ports/visit-store.ts), written once and run against
 * each adapter: in memory, and DynamoDB on dynalite. Every case uses its own door and visit ids,
 * so a store shared between cases (one table) needs no reset.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { VisitDecision, VisitFrame, VisitStore, VisitTimes } from '../../cloud/src/ports/visit-store.js';
import { isVisitComplete } from '../../cloud/src/ports/visit-store.js';
import { MAX_FRAMES_PER_VISIT } from '../../protocol/index.js';

export interface VisitStoreHarness {
  open(): Promise<VisitStore>;
}

const T0 = 1_800_000_000_000;
const times = (now: number, decideBy = now + 5_000, expiresAt = now + 600_000): VisitTimes => ({
  now,
  decideBy,
  expiresAt,
});

export function visitFrame(seq: number, overrides: Partial<VisitFrame> = {}): VisitFrame {
  return {
    seq,
    frameId: `frame-${seq}-${randomUUID().slice(0, 8)}`,
    capturedAt: T0 + seq * 100,
    receivedAt: T0 + seq * 100 + 20,
    last: false,
    faceFound: true,
    candidates: [
      { personId: 'person-a', similarity: 0.91 },
      { personId: 'person-b', similarity: 0.42 },
    ],
    snapshotKey: `snapshots/door-1/2027-01-15/visit/${seq}.jpg`,
    faceArea: 120 * 140,
    sharpness: 61.5,
    ...overrides,
  };
}

export function visitDecision(overrides: Partial<VisitDecision> = {}): VisitDecision {
  return {
    decisionId: `decision-${randomUUID().slice(0, 8)}`,
    eventId: `event-${randomUUID().slice(0, 8)}`,
    result: 'granted',
    reason: 'match',
    personId: 'person-a',
    score: 0.91,
    snapshotKey: 'snapshots/door-1/2027-01-15/visit/0.jpg',
    frameId: 'frame-0-abcdefgh',
    decidedAt: T0 + 500,
    by: 'frame',
    ...overrides,
  };
}

export function visitStoreContract(name: string, harness: VisitStoreHarness): void {
  describe(`VisitStore contract: ${name}`, () => {
    const ids = () => ({ door: `door-${randomUUID().slice(0, 8)}`, visit: `visit-${randomUUID().slice(0, 12)}` });

    it('creates the visit on its first frame and round-trips every field', async () => {
      const store = await harness.open();
      const { door, visit } = ids();
      const frame = visitFrame(0, { candidates: [{ personId: 'p-1', similarity: 0.123456789 }], snapshotKey: null });
      const added = await store.addFrame(door, visit, T0 - 300, frame, times(T0, T0 + 4_000, T0 + 60_000));
      expect(added.status).toBe('added');
      const expected = {
        doorId: door,
        visitId: visit,
        startedAt: T0 - 300,
        frames: [frame],
        framesSent: null,
        decideBy: T0 + 4_000,
        expiresAt: T0 + 60_000,
        decision: null,
      };
      expect(added.visit).toEqual(expected);
      expect(await store.get(door, visit, T0 + 1)).toEqual(expected);
    });

    it('is idempotent by seq: the same seq again is a duplicate and changes nothing', async () => {
      const store = await harness.open();
      const { door, visit } = ids();
      const first = visitFrame(0);
      await store.addFrame(door, visit, T0, first, times(T0));
      const again = await store.addFrame(door, visit, T0, visitFrame(0, { frameId: 'frame-other-0' }), times(T0 + 10));
      expect(again.status).toBe('duplicate');
      expect(again.visit.frames).toEqual([first]);
      expect((await store.get(door, visit, T0 + 20))!.frames).toEqual([first]);
    });

    it('keeps frames sorted by seq whatever their order of arrival, and each frame once under races', async () => {
      const store = await harness.open();
      const { door, visit } = ids();
      const results = await Promise.all(
        [2, 0, 3, 1, 2, 0].map((seq) => store.addFrame(door, visit, T0, visitFrame(seq), times(T0 + seq))),
      );
      expect(results.filter((r) => r.status === 'added')).toHaveLength(4);
      expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(2);
      expect((await store.get(door, visit, T0 + 10))!.frames.map((f) => f.seq)).toEqual([0, 1, 2, 3]);
    });

    it('learns how many frames the door sent from the frame marked last, or from the visit end', async () => {
      const store = await harness.open();
      const { door, visit } = ids();
      const a = await store.addFrame(door, visit, T0, visitFrame(1, { last: true }), times(T0));
      expect(a.visit.framesSent).toBe(2);
      expect(isVisitComplete(a.visit)).toBe(false); // seq 0 still missing
      const b = await store.addFrame(door, visit, T0, visitFrame(0), times(T0 + 5));
      expect(isVisitComplete(b.visit)).toBe(true);

      const other = ids();
      const ended = await store.markEnded(other.door, other.visit, T0, 1, times(T0, T0 + 1_500));
      expect(ended).toMatchObject({ framesSent: 1, frames: [], decideBy: T0 + 1_500, decision: null });
      const late = await store.addFrame(other.door, other.visit, T0, visitFrame(0), times(T0 + 100, T0 + 3_000));
      expect(late.status).toBe('added');
      expect(isVisitComplete(late.visit)).toBe(true);
    });

    it('refuses a frame whose seq the protocol cannot carry, storing nothing', async () => {
      const store = await harness.open();
      const { door, visit } = ids();
      for (const seq of [-1, 1.5, MAX_FRAMES_PER_VISIT]) {
        await expect(store.addFrame(door, visit, T0, visitFrame(seq), times(T0)), `seq ${seq}`).rejects.toThrow(
          RangeError,
        );
      }
      expect(await store.get(door, visit, T0 + 1)).toBeNull();
    });

    it('keeps visits of different doors apart, even under the same visit id', async () => {
      const store = await harness.open();
      const { door, visit } = ids();
      const otherDoor = `${door}-b`;
      await store.addFrame(door, visit, T0, visitFrame(0), times(T0));
      expect((await store.addFrame(otherDoor, visit, T0, visitFrame(0), times(T0))).status).toBe('added');
      expect(await store.claimDecision(door, visit, visitDecision(), T0 + 1)).toBe(true);
      expect((await store.get(otherDoor, visit, T0 + 2))!.decision).toBeNull();
    });

    it('grants the decision claim exactly once, also to racing callers, and keeps the winner', async () => {
      const store = await harness.open();
      const { door, visit } = ids();
      await store.addFrame(door, visit, T0, visitFrame(0), times(T0));
      const decisions = Array.from({ length: 6 }, (_, i) =>
        visitDecision({ decisionId: `decision-race-${i}`, result: i % 2 ? 'denied' : 'granted' }),
      );
      const claims = await Promise.all(decisions.map((d) => store.claimDecision(door, visit, d, T0 + 10)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      const winner = decisions[claims.indexOf(true)];
      expect((await store.get(door, visit, T0 + 20))!.decision).toEqual(winner);
      expect(await store.claimDecision(door, visit, visitDecision(), T0 + 30)).toBe(false);
    });

    it('refuses a claim for a visit it does not hold', async () => {
      const store = await harness.open();
      const { door, visit } = ids();
      expect(await store.claimDecision(door, visit, visitDecision(), T0)).toBe(false);
      expect(await store.get(door, visit, T0)).toBeNull();
    });

    it('stores no frame for a decided visit, and a visit end leaves the decision alone', async () => {
      const store = await harness.open();
      const { door, visit } = ids();
      await store.addFrame(door, visit, T0, visitFrame(0), times(T0));
      const decision = visitDecision();
      await store.claimDecision(door, visit, decision, T0 + 5);
      const late = await store.addFrame(door, visit, T0, visitFrame(1), times(T0 + 10));
      expect(late.status).toBe('decided');
      expect(late.visit.frames.map((f) => f.seq)).toEqual([0]);
      expect(late.visit.decision).toEqual(decision);
      const ended = await store.markEnded(door, visit, T0, 3, times(T0 + 20));
      expect(ended.decision).toEqual(decision);
      expect(ended.framesSent).toBeNull();
    });

    it('lists undecided visits past their deadline, oldest deadline first, up to the limit', async () => {
      const store = await harness.open();
      // Far-future clock: visits of other cases in a shared table are long expired there.
      const t = T0 + 400_000_000_000 + Math.floor(Math.random() * 1_000_000);
      const visits = Array.from({ length: 4 }, () => ids());
      await store.addFrame(visits[0]!.door, visits[0]!.visit, t, visitFrame(0), times(t, t + 3_000));
      await store.addFrame(visits[1]!.door, visits[1]!.visit, t, visitFrame(0), times(t, t + 1_000));
      await store.addFrame(visits[2]!.door, visits[2]!.visit, t, visitFrame(0), times(t, t + 9_000)); // not yet due
      await store.addFrame(visits[3]!.door, visits[3]!.visit, t, visitFrame(0), times(t, t + 500));
      await store.claimDecision(visits[3]!.door, visits[3]!.visit, visitDecision(), t + 1); // decided: not listed
      const due = await store.listExpired(t + 5_000);
      const mine = due.filter((v) => visits.some((x) => x.visit === v.visitId));
      expect(mine.map((v) => v.visitId)).toEqual([visits[1]!.visit, visits[0]!.visit]);
      expect(mine[0]!.frames).toHaveLength(1);
      expect((await store.listExpired(t + 5_000, 1)).length).toBe(1);
    });

    it('forgets a visit after its expiry, whether or not it has been deleted yet', async () => {
      const store = await harness.open();
      const { door, visit } = ids();
      const t = T0 + 200_000_000_000 + Math.floor(Math.random() * 1_000_000);
      await store.addFrame(door, visit, t, visitFrame(0), times(t, t + 1_000, t + 10_000));
      await store.claimDecision(door, visit, visitDecision(), t + 5);
      expect(await store.get(door, visit, t + 9_999)).not.toBeNull();
      expect(await store.get(door, visit, t + 10_000)).toBeNull();
      expect(await store.claimDecision(door, visit, visitDecision(), t + 10_001)).toBe(false);
      // The same id after expiry is a fresh visit.
      const again = await store.addFrame(door, visit, t + 20_000, visitFrame(0), times(t + 20_000));
      expect(again.status).toBe('added');
      expect(again.visit).toMatchObject({ startedAt: t + 20_000, decision: null, framesSent: null });
      expect(again.visit.frames).toHaveLength(1);
    });

    it('an expired undecided visit is not listed for a sweep', async () => {
      const store = await harness.open();
      const { door, visit } = ids();
      const t = T0 + 300_000_000_000 + Math.floor(Math.random() * 1_000_000);
      await store.addFrame(door, visit, t, visitFrame(0), times(t, t + 1_000, t + 2_000));
      expect((await store.listExpired(t + 1_500)).map((v) => v.visitId)).toContain(visit);
      expect((await store.listExpired(t + 2_500)).map((v) => v.visitId)).not.toContain(visit);
    });

    it('forget removes a visit; forgetting a missing one is not an error', async () => {
      const store = await harness.open();
      const { door, visit } = ids();
      await store.addFrame(door, visit, T0, visitFrame(0), times(T0));
      await store.forget(door, visit);
      expect(await store.get(door, visit, T0 + 1)).toBeNull();
      await expect(store.forget(door, visit)).resolves.toBeUndefined();
    });
  });
}
