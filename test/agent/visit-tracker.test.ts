/** Visits as a pure state machine (agent/src/visit/visit-tracker.ts): time is passed in, nothing waits. */
import { describe, expect, it } from 'vitest';
import { frameQuality } from '../../agent/src/visit/frame-rank.js';
import { VisitTracker, type VisitAction, type VisitSettings } from '../../agent/src/visit/visit-tracker.js';
import { isNewPerson, type FacePlace } from '../../agent/src/visit/new-person.js';
import { MAX_FRAMES_PER_VISIT } from '../../protocol/index.js';

const SETTINGS: VisitSettings = { idleEndMs: 1500, maxDurationMs: 15_000, followUpMs: 600, maxFrames: 2 };

function tracker(settings: Partial<VisitSettings> = {}) {
  let n = 0;
  return new VisitTracker<string>({ ...SETTINGS, ...settings }, () => `visit-${String(++n).padStart(4, '0')}`);
}
const sends = (actions: VisitAction<string>[]) => actions.filter((a) => a.type === 'send');
const ends = (actions: VisitAction<string>[]) => actions.filter((a) => a.type === 'end');

/** Feeds one face every `everyMs` from `from` to `to` (exclusive), quality from `q(t)`, ticking in between. */
function walk(t: VisitTracker<string>, from: number, to: number, everyMs: number, q: (at: number) => number) {
  const out: VisitAction<string>[] = [];
  for (let at = from; at < to; at += everyMs) out.push(...t.faceSeen(`frame@${at}`, q(at), at));
  return out;
}

describe('visit tracker', () => {
  it('sends the first usable frame at once, then the best one after followUpMs, marked last', () => {
    const t = tracker();
    const first = t.faceSeen('frame@0', 0.2, 0);
    expect(first).toEqual([
      { type: 'send', visitId: 'visit-0001', seq: 0, startedAt: 0, last: false, frame: 'frame@0' },
    ]);
    // Frames at 200, 400 (best), 500; nothing goes out before 600.
    expect(t.faceSeen('frame@200', 0.5, 200)).toEqual([]);
    expect(t.faceSeen('frame@400', 0.9, 400)).toEqual([]);
    expect(t.faceSeen('frame@500', 0.6, 500)).toEqual([]);
    expect(t.nextDeadline()).toBe(600);
    expect(t.tick(600)).toEqual([
      { type: 'send', visitId: 'visit-0001', seq: 1, startedAt: 0, last: true, frame: 'frame@400' },
    ]);
    // maxFrames reached: later, better frames are not sent.
    expect(sends(walk(t, 800, 1400, 200, () => 1))).toEqual([]);
  });

  it('ends a visit when no face has been seen for idleEndMs, and a face after that is a new visit', () => {
    const t = tracker();
    const out = walk(t, 0, 2000, 200, () => 0.5); // a person at the door for 2 s
    expect(sends(out).map((s) => [s.visitId, s.seq])).toEqual([
      ['visit-0001', 0],
      ['visit-0001', 1],
    ]);
    // Last face at 1800: still the same visit at 3299, over at 3300.
    expect(t.tick(3299)).toEqual([]);
    expect(t.tick(3300)).toEqual([
      { type: 'end', visitId: 'visit-0001', reason: 'face_gone', endedAt: 3300, framesSent: 2 },
    ]);
    expect(t.nextDeadline()).toBeNull();
    // They come back 5 s later: a new visit, sent at once.
    expect(sends(t.faceSeen('again', 0.5, 8300))).toMatchObject([{ visitId: 'visit-0002', seq: 0 }]);
  });

  it('a person who leaves and comes back within one camera frame gap stays one visit, a longer gap makes two', () => {
    const t = tracker();
    walk(t, 0, 1000, 200, () => 0.5);
    // Gone 1.4 s (< idleEndMs): one visit.
    expect(ends(walk(t, 2200, 3000, 200, () => 0.5))).toEqual([]);
    // Gone 3 s: the first visit ends when the new face arrives at the latest, and a second begins.
    const out = t.faceSeen('back', 0.5, 5800);
    expect(out.map((a) => [a.type, a.visitId])).toEqual([
      ['end', 'visit-0001'],
      ['send', 'visit-0002'],
    ]);
    expect(out[0]).toMatchObject({ reason: 'face_gone', endedAt: 2800 + 1500 });
  });

  it('ends a visit at maxDurationMs even while the face stays, and the next face starts a new one', () => {
    const t = tracker();
    const out = walk(t, 0, 16_000, 250, () => 0.5);
    expect(ends(out)).toEqual([
      { type: 'end', visitId: 'visit-0001', reason: 'max_duration', endedAt: 15_000, framesSent: 2 },
    ]);
    expect(sends(out).map((s) => [s.visitId, s.seq])).toEqual([
      ['visit-0001', 0],
      ['visit-0001', 1],
      ['visit-0002', 0],
      ['visit-0002', 1],
    ]);
  });

  it('sends nothing more for a visit the back end has answered, and still ends it', () => {
    const t = tracker({ maxFrames: 4 });
    t.faceSeen('first', 0.5, 0);
    t.faceSeen('better', 0.9, 300);
    t.answered('visit-0001');
    expect(t.tick(600)).toEqual([]);
    expect(sends(walk(t, 700, 1500, 100, () => 1))).toEqual([]);
    expect(ends(t.tick(1400 + 1500))).toMatchObject([{ visitId: 'visit-0001', framesSent: 1 }]);
  });

  it('never sends more than maxFrames, nor more than the protocol allows, and marks the last', () => {
    const t = tracker({ maxFrames: 3 });
    const out = walk(t, 0, 5000, 100, (at) => at / 5000);
    expect(sends(out).map((s) => [s.seq, s.last])).toEqual([
      [0, false],
      [1, false],
      [2, true],
    ]);
    const greedy = tracker({ maxFrames: 99, followUpMs: 0 });
    expect(sends(walk(greedy, 0, 5000, 100, () => 0.5))).toHaveLength(MAX_FRAMES_PER_VISIT);
  });

  it('maxFrames 1 sends one frame, marked last', () => {
    const t = tracker({ maxFrames: 1 });
    expect(sends(walk(t, 0, 1000, 100, () => 0.5))).toMatchObject([{ seq: 0, last: true }]);
  });

  it('end() closes the visit under way with the given reason', () => {
    const t = tracker();
    t.faceSeen('x', 0.5, 0);
    expect(t.end('offline', 100)).toEqual([
      { type: 'end', visitId: 'visit-0001', reason: 'offline', endedAt: 100, framesSent: 1 },
    ]);
    expect(t.end('stopped', 200)).toEqual([]);
  });
});

describe('a different person within the idle window', () => {
  const at = (cx: number, size: number): FacePlace => ({ cx, cy: 180, size });

  it('one person walking up, face growing from 110 to 330 px with jitter and drift, is one visit', () => {
    const t = tracker();
    // Sizes and centres as the gate saw one rendered walk-up (bench/lib/visit-render.ts), 200 ms apart,
    // including the detector's dips (208 → 200, 279 → 239).
    const sizes = [110, 151, 147, 208, 200, 247, 279, 239, 330];
    const out = sizes.flatMap((size, i) => t.faceSeen(`f${i}`, 0.5, i * 200, at(320 - 40 + i * 9, size)));
    expect(ends(out)).toEqual([]);
    expect(new Set(sends(out).map((s) => s.visitId))).toEqual(new Set(['visit-0001']));
    expect(t.splits).toBe(0);
  });

  it('the next person back to back (smaller face, 0.4 s later) is a second visit: sent at once although the first was answered', () => {
    const t = tracker();
    walk(t, 0, 1000, 200, () => 0.5); // no place: split by time only
    t.answered('visit-0001');
    t.faceSeen('first close', 0.5, 1000, at(320, 300));
    const out = t.faceSeen('second far', 0.5, 1400, at(330, 150));
    expect(out).toEqual([
      { type: 'end', visitId: 'visit-0001', reason: 'face_gone', endedAt: 1400, framesSent: 2 },
      { type: 'send', visitId: 'visit-0002', seq: 0, startedAt: 1400, last: false, frame: 'second far' },
    ]);
    expect(t.splits).toBe(1);
    // Without the places the same frames join the answered visit and nothing is sent.
    const blind = tracker();
    walk(blind, 0, 1000, 200, () => 0.5);
    blind.answered('visit-0001');
    expect(blind.faceSeen('second far', 0.5, 1400)).toEqual([]);
  });

  it('a face of the same size beside the first one, 0.2 s later, is a second visit', () => {
    const t = tracker();
    t.faceSeen('left', 0.5, 0, at(150, 120));
    const out = t.faceSeen('right', 0.5, 200, at(520, 120));
    expect(out.map((a) => [a.type, a.visitId])).toEqual([
      ['end', 'visit-0001'],
      ['send', 'visit-0002'],
    ]);
  });

  it('the rule: shrinking below 0.75 or jumping more than a walker can splits; growth and drift do not', () => {
    const last = at(320, 200);
    expect(isNewPerson(last, at(320, 149), 200)).toBe(true);
    expect(isNewPerson(last, at(320, 172), 200)).toBe(false); // the detector's jitter (0.86 seen)
    expect(isNewPerson(last, at(320, 600), 200)).toBe(false); // coming closer fast
    expect(isNewPerson(last, at(320 + 1.4 * 200, 200), 0)).toBe(false);
    expect(isNewPerson(last, at(320 + 3.1 * 200, 200), 200)).toBe(true);
    // After 1.4 s a walker may have crossed the picture: a jump then says nothing.
    expect(isNewPerson(last, at(320 + 3.1 * 200, 200), 1400)).toBe(false);
  });
});

describe('frame choice', () => {
  const face = { sizePx: 120, sharpness: 60, frontality: 0.8, score: 0.9 };
  it('ranks a larger, sharper, more frontal, more confident face higher', () => {
    expect(frameQuality({ ...face, sizePx: 150 })).toBeGreaterThan(frameQuality(face));
    expect(frameQuality({ ...face, sharpness: 80 })).toBeGreaterThan(frameQuality(face));
    expect(frameQuality({ ...face, frontality: 1 })).toBeGreaterThan(frameQuality(face));
    expect(frameQuality({ ...face, score: 0.95 })).toBeGreaterThan(frameQuality(face));
  });
  it('weighs size and sharpness above pose and score', () => {
    // A big sharp face turned a little beats a small soft face looking straight on.
    expect(frameQuality({ sizePx: 160, sharpness: 90, frontality: 0.6, score: 0.8 })).toBeGreaterThan(
      frameQuality({ sizePx: 70, sharpness: 30, frontality: 1, score: 0.95 }),
    );
  });
});
