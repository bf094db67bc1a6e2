/**
 * The recognition handler's decisions per visit with a scripted face index (who matched, and how
 * well, is given; real faces are in recognition.faces.test.ts), on real SQLite records and the
 * real encrypted file store: access rules → one command → one snapshot → one access-log row per
 * visit however many frames come, fusion across frames, visit_end, the sweeper, the search budget,
 * and failing secure.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_COMMAND_TTL_MS, type DoorCommand } from '../../protocol/index.js';
import { silentLogger } from '../../lib/logger.js';
import { MemorySearchBudget } from '../../cloud/src/adapters/local/memory-search-budget.js';
import { MemoryVisitStore } from '../../cloud/src/adapters/local/visits/memory-visit-store.js';
import {
  createRecognizeFrameHandler,
  type RecognizeFrameDeps,
  type RecognizeFrameHandler,
} from '../../cloud/src/handlers/recognize-frame.js';
import { createVisitSweeper, type VisitSweeper } from '../../cloud/src/handlers/sweep-visits.js';
import type { Person } from '../../cloud/src/domain/types.js';
import type { SearchBudgetLimits } from '../../cloud/src/ports/search-budget.js';
import { makeDoor, makePerson } from '../support/records.js';
import { asPayload, frameMessage, plainJpeg } from './support/frames.js';
import { openLocalStores, type LocalStores } from './support/local-stores.js';
import { RecordingMessaging } from './support/recording-messaging.js';
import { ScriptedFaceIndex } from './support/scripted-face-index.js';

const T0 = Date.UTC(2026, 2, 14, 9, 30);

describe('recognize-frame: one decision per visit', () => {
  let stores: LocalStores;
  let messaging: RecordingMessaging;
  let faceIndex: ScriptedFaceIndex;
  let visits: MemoryVisitStore;
  let now: number;
  let handle: RecognizeFrameHandler;
  let sweep: VisitSweeper;
  let jpeg: Buffer;

  function build(overrides: Partial<RecognizeFrameDeps> = {}, budget?: SearchBudgetLimits) {
    visits = new MemoryVisitStore();
    const deps: RecognizeFrameDeps = {
      faceIndex,
      records: stores.records,
      images: stores.images,
      messaging,
      visits,
      searchBudget: new MemorySearchBudget(budget),
      clock: () => now,
      logger: silentLogger(),
      ...overrides,
    };
    handle = createRecognizeFrameHandler(deps);
    sweep = createVisitSweeper({ ...deps, visits: deps.visits, threshold: faceIndex.threshold });
  }

  /** A frame of a visit as the door sends it (captured 200 ms ago). */
  const frame = (visitId: string, seq: number, last: boolean, doorId = 'front-door') =>
    handle({
      topicDoorId: doorId,
      payload: asPayload(
        frameMessage(doorId, jpeg, now - 200, { visit: { id: visitId, seq, startedAt: T0 - 1_000, last } }),
      ),
    });
  /** A single-frame visit. */
  const single = (visitId: string, doorId = 'front-door') => frame(visitId, 0, true, doorId);
  const visitEnd = (visitId: string, framesSent: number, doorId = 'front-door') =>
    handle({
      topicDoorId: doorId,
      payload: asPayload({
        v: 2,
        type: 'visit_end',
        doorId,
        visitId,
        endedAt: now - 50,
        framesSent,
        reason: 'face_gone',
      }),
    });
  const events = async () => (await stores.records.listEvents()).events;
  const types = () => messaging.published.map((c) => c.type);

  beforeAll(async () => {
    jpeg = await plainJpeg();
  });
  beforeEach(async () => {
    stores = openLocalStores('recognize-decisions');
    messaging = new RecordingMessaging();
    faceIndex = new ScriptedFaceIndex();
    now = T0;
    build();
    await stores.records.putDoor(makeDoor('front-door', { pulseMs: 2500 }));
    await stores.records.putDoor(makeDoor('lab'));
    await stores.records.putPerson(makePerson('person-alice', { name: 'Alice Example' }));
  });
  afterEach(async () => {
    await stores.close();
  });

  async function setPerson(overrides: Partial<Person>) {
    await stores.records.putPerson(makePerson('person-alice', { name: 'Alice Example', ...overrides }));
  }

  it("grants a matched active person: unlock with the door's pulse, the visit's snapshot and one row", async () => {
    faceIndex.willMatch('person-alice', 0.86);
    const outcome = await single('visit-alice-0001');
    expect(outcome).toMatchObject({
      status: 'decided',
      result: 'granted',
      reason: 'match',
      personId: 'person-alice',
      similarity: 0.86,
      searched: true,
    });
    if (outcome.status !== 'decided') throw new Error('unreachable');

    expect(messaging.published).toHaveLength(1);
    const command = messaging.published[0] as Extract<DoorCommand, { type: 'unlock' }>;
    expect(command).toMatchObject({
      v: 2,
      type: 'unlock',
      source: 'face',
      doorId: 'front-door',
      pulseMs: 2500,
      decisionId: outcome.decisionId,
      visitId: 'visit-alice-0001',
    });
    expect(command.issuedAt).toBe(now);
    expect(command.expiresAt).toBe(now + DEFAULT_COMMAND_TTL_MS);
    expect(command.frameId).toMatch(/^frame-/);

    const [event] = await events();
    expect(event).toMatchObject({
      eventId: outcome.eventId,
      kind: 'access',
      doorId: 'front-door',
      personId: 'person-alice',
      personName: 'Alice Example',
      result: 'granted',
      reason: 'match',
      score: 0.86,
      decisionId: outcome.decisionId,
      at: now,
    });
    expect(event!.snapshotKey).toBe('snapshots/front-door/2026-03-14/visit-alice-0001-0.jpg');
    const snapshot = await stores.images.get(event!.snapshotKey!);
    expect(snapshot!.bytes.equals(jpeg)).toBe(true);
    expect(snapshot!.contentType).toBe('image/jpeg');
  });

  it('denies a face that matches nobody: deny command, "denied: unknown" row with a snapshot', async () => {
    faceIndex.willFindStranger();
    const outcome = await single('visit-stranger-1');
    expect(outcome).toMatchObject({
      status: 'decided',
      result: 'denied',
      reason: 'unknown',
      personId: null,
      similarity: null,
    });
    expect(messaging.published).toEqual([
      expect.objectContaining({ type: 'deny', reason: 'unknown', doorId: 'front-door', visitId: 'visit-stranger-1' }),
    ]);
    const [event] = await events();
    expect(event).toMatchObject({ result: 'denied', reason: 'unknown', personId: null, personName: null });
    expect(await stores.images.get(event!.snapshotKey!)).not.toBeNull();
  });

  it('treats a fused score below the index threshold, or a person who no longer exists, as unknown', async () => {
    faceIndex.willMatch('person-alice', 0.69);
    expect(await single('visit-below-001')).toMatchObject({ result: 'denied', reason: 'unknown', personId: null });
    faceIndex.willMatch('person-erased', 0.95);
    expect(await single('visit-erased-01')).toMatchObject({ result: 'denied', reason: 'unknown', personId: null });
    expect(types()).toEqual(['deny', 'deny']);
  });

  const denials: [string, Partial<Person>, string][] = [
    ['a deactivated person', { status: 'inactive' }, 'inactive'],
    ['before validity', { validFrom: T0 + 60_000 }, 'not_yet_valid'],
    ['after validity', { validUntil: T0 - 60_000 }, 'expired'],
    ['a door not allowed', { allowedDoors: ['lab'] }, 'door_not_allowed'],
  ];
  it.each(denials)('denies %s at once, on the first frame that says who it is', async (_name, overrides, reason) => {
    await setPerson(overrides);
    faceIndex.willMatch('person-alice', 0.9);
    expect(await frame('visit-denied-01', 0, false)).toMatchObject({
      status: 'decided',
      result: 'denied',
      reason,
      personId: 'person-alice',
    });
    expect(messaging.published).toEqual([expect.objectContaining({ type: 'deny', reason })]);
    expect(await events()).toEqual([
      expect.objectContaining({ result: 'denied', reason, personId: 'person-alice', personName: 'Alice Example' }),
    ]);
  });

  it('denies everyone at a disabled door without a search, once per visit, with a snapshot', async () => {
    await stores.records.putDoor(makeDoor('front-door', { enabled: false }));
    faceIndex.willMatch('person-alice', 0.9);
    expect(await frame('visit-disabled1', 0, false)).toMatchObject({ result: 'denied', reason: 'door_disabled' });
    expect(await frame('visit-disabled1', 1, true)).toMatchObject({ status: 'already_decided' });
    expect(faceIndex.searches).toBe(0);
    expect(types()).toEqual(['deny']);
    const all = await events();
    expect(all).toHaveLength(1);
    expect(all[0]!.snapshotKey).not.toBeNull();
  });

  it('one decision, one command and one row per visit however many frames; later frames are not searched', async () => {
    faceIndex.willMatch('person-alice', 0.9);
    const outcomes = [];
    for (let seq = 0; seq < 4; seq++) {
      outcomes.push(await frame('visit-many-0001', seq, seq === 3));
      now += 300;
    }
    outcomes.push(await visitEnd('visit-many-0001', 4));
    expect(outcomes.map((o) => o.status)).toEqual([
      'decided',
      'already_decided',
      'already_decided',
      'already_decided',
      'already_decided',
    ]);
    expect(faceIndex.searches).toBe(1);
    expect(types()).toEqual(['unlock']);
    expect(await events()).toHaveLength(1);
    expect(await stores.images.list('snapshots/')).toHaveLength(1);
    // The sweeper finds nothing left to do.
    now += 60_000;
    expect(await sweep()).toEqual({ decided: 0, closed: 0, failed: 0 });
    expect(types()).toEqual(['unlock']);
  });

  it("waits for a stranger's last frame, denies once, and keeps only the clearest frame as the snapshot", async () => {
    faceIndex.thenFinds(['person-alice', 0.5]).thenFinds(['person-alice', 0.52]).thenFinds(['person-alice', 0.4]);
    expect(await frame('visit-unknown-1', 0, false)).toMatchObject({ status: 'waiting', searched: true });
    expect(await frame('visit-unknown-1', 1, false)).toMatchObject({ status: 'waiting' });
    expect(types()).toEqual([]);
    const last = await frame('visit-unknown-1', 2, true);
    expect(last).toMatchObject({ status: 'decided', result: 'denied', reason: 'unknown' });
    expect(faceIndex.searches).toBe(3);
    expect(types()).toEqual(['deny']);
    const all = await events();
    expect(all).toHaveLength(1);
    expect(await stores.images.list('snapshots/')).toEqual([all[0]!.snapshotKey]);
  });

  it('fuses frames: two middling frames of the same person clear the threshold together', async () => {
    // Threshold 0.7: the first frame alone (0.66) is not enough; the mean with 0.8 is 0.73.
    faceIndex.thenFinds(['person-alice', 0.66], ['person-bob', 0.5]).thenFinds(['person-alice', 0.8]);
    expect(await frame('visit-fused-001', 0, false)).toMatchObject({ status: 'waiting' });
    const second = await frame('visit-fused-001', 1, false);
    expect(second).toMatchObject({ status: 'decided', result: 'granted', personId: 'person-alice' });
    if (second.status !== 'decided') throw new Error('unreachable');
    expect(second.similarity).toBeCloseTo(0.73, 10);
    // The row shows the frame the person scored best in.
    expect((await events())[0]!.snapshotKey).toMatch(/visit-fused-001-1\.jpg$/);
    expect(await stores.images.list('snapshots/')).toHaveLength(1);
  });

  it('a lucky frame of a stranger is pulled down by the frame that does not list them', async () => {
    faceIndex.thenFinds(['person-bob', 0.6]).thenFinds(['person-alice', 0.75], ['person-bob', 0.55]);
    await frame('visit-lucky-001', 0, false);
    // Alice 0.75 in frame 1 only; frame 0's lowest listed score (0.6) stands in: mean 0.675 < 0.7.
    expect(await frame('visit-lucky-001', 1, true)).toMatchObject({ result: 'denied', reason: 'unknown' });
  });

  it('two visits of the same person 5 s apart give two unlocks and two rows', async () => {
    faceIndex.willMatch('person-alice', 0.9);
    expect(await single('visit-first-001')).toMatchObject({ status: 'decided', result: 'granted' });
    now += 5_000;
    expect(await single('visit-again-001')).toMatchObject({ status: 'decided', result: 'granted' });
    expect(types()).toEqual(['unlock', 'unlock']);
    const all = await events();
    expect(all).toHaveLength(2);
    expect(new Set(all.map((e) => e.snapshotKey)).size).toBe(2);
    for (const e of all) expect(await stores.images.get(e.snapshotKey!)).not.toBeNull();
  });

  it('visits at two doors at once are answered apart', async () => {
    faceIndex.willMatch('person-alice', 0.9);
    await single('visit-same-id-1', 'front-door');
    await single('visit-same-id-1', 'lab');
    expect(messaging.published.map((c) => c.doorId)).toEqual(['front-door', 'lab']);
    expect(await events()).toHaveLength(2);
  });

  it('visit_end answers a visit whose frames did not say who it is, once; its late frames are not searched', async () => {
    faceIndex.willFindStranger();
    expect(await frame('visit-ended-001', 0, false)).toMatchObject({ status: 'waiting' });
    expect(await visitEnd('visit-ended-001', 1)).toMatchObject({ status: 'decided', result: 'denied' });
    expect(await visitEnd('visit-ended-001', 1)).toMatchObject({ status: 'already_decided' });
    expect(await frame('visit-ended-001', 1, true)).toMatchObject({ status: 'already_decided' });
    expect(faceIndex.searches).toBe(1);
    expect(types()).toEqual(['deny']);
    expect(await events()).toHaveLength(1);
  });

  it('visit_end arriving before its frame (Lambda invocations race) waits for the frame it announced', async () => {
    faceIndex.willFindStranger();
    expect(await visitEnd('visit-early-end', 1)).toMatchObject({ status: 'waiting' });
    expect(await frame('visit-early-end', 0, false)).toMatchObject({ status: 'decided', result: 'denied' });
    expect(types()).toEqual(['deny']);
  });

  it('a visit_end of a visit that sent nothing changes nothing', async () => {
    expect(await visitEnd('visit-nothing-1', 0)).toEqual({ status: 'closed', visitId: 'visit-nothing-1' });
    expect(types()).toEqual([]);
    expect(await events()).toEqual([]);
  });

  it('the sweeper denies an unfinished visit once, after its timeout, and its late frames are not searched', async () => {
    faceIndex.willFindStranger();
    expect(await frame('visit-swept-001', 0, false)).toMatchObject({ status: 'waiting' });
    now += 3_000;
    expect(await sweep()).toEqual({ decided: 0, closed: 0, failed: 0 }); // within the 4 s timeout
    now += 1_500;
    expect(await sweep()).toEqual({ decided: 1, closed: 0, failed: 0 });
    expect(await sweep()).toEqual({ decided: 0, closed: 0, failed: 0 });
    expect(types()).toEqual(['deny']);
    const all = await events();
    expect(all).toEqual([expect.objectContaining({ result: 'denied', reason: 'unknown' })]);
    expect(await stores.images.get(all[0]!.snapshotKey!)).not.toBeNull();
    expect(await frame('visit-swept-001', 1, true)).toMatchObject({ status: 'already_decided' });
    expect(faceIndex.searches).toBe(1);
  });

  it('a visit in which the engine found no face is closed without a command or a row, and its frames deleted', async () => {
    // ScriptedFaceIndex finds no face by default.
    expect(await frame('visit-noface-01', 0, false)).toMatchObject({ status: 'waiting' });
    expect(await frame('visit-noface-01', 1, true)).toMatchObject({ status: 'no_face' });
    expect(types()).toEqual([]);
    expect(await events()).toEqual([]);
    expect(await stores.images.list('snapshots/')).toEqual([]);
  });

  it('the same frame twice is handled once', async () => {
    faceIndex.willFindStranger();
    const msg = frameMessage('front-door', jpeg, now - 200, {
      visit: { id: 'visit-dup-00001', seq: 0, startedAt: T0, last: false },
    });
    expect(await handle({ topicDoorId: 'front-door', payload: asPayload(msg) })).toMatchObject({ status: 'waiting' });
    expect(await handle({ topicDoorId: 'front-door', payload: asPayload(msg) })).toMatchObject({
      status: 'duplicate',
    });
    expect(faceIndex.searches).toBe(1);
  });

  it('over the search budget: the visit is denied rate_limited without a search, once', async () => {
    build({}, { burst: 2, perSecond: 0.001 });
    faceIndex.willFindStranger();
    await single('visit-budget-01');
    await single('visit-budget-02');
    expect(faceIndex.searches).toBe(2);
    expect(await frame('visit-budget-03', 0, false)).toMatchObject({
      status: 'decided',
      result: 'denied',
      reason: 'rate_limited',
    });
    expect(await frame('visit-budget-03', 1, true)).toMatchObject({ status: 'already_decided' });
    expect(faceIndex.searches).toBe(2);
    expect(messaging.published.at(-1)).toMatchObject({
      type: 'deny',
      reason: 'rate_limited',
      visitId: 'visit-budget-03',
    });
    expect((await events()).filter((e) => e.reason === 'rate_limited')).toHaveLength(1);
  });

  it('fails secure when the engine fails: no command, no row, no snapshot left', async () => {
    faceIndex.next = new Error('worker crashed');
    expect(await single('visit-crash-001')).toEqual({ status: 'rejected', reason: 'face search failed' });
    expect(messaging.published).toEqual([]);
    expect(await events()).toEqual([]);
    expect(await stores.images.list('snapshots/')).toEqual([]);
  });

  it('still logs the decision when the command cannot be delivered', async () => {
    faceIndex.willMatch('person-alice', 0.9);
    messaging.failNext = true;
    expect(await single('visit-undeliv-1')).toMatchObject({ status: 'decided', result: 'granted' });
    expect(await events()).toEqual([
      expect.objectContaining({ result: 'granted', detail: 'command not delivered to the door' }),
    ]);
  });

  it('honours settings: a shorter maximum frame age', async () => {
    build({ settings: { maxFrameAgeMs: 100 } });
    faceIndex.willMatch('person-alice', 0.9);
    expect(await single('visit-stale-001')).toEqual({ status: 'stale', ageMs: 200 });
    expect(faceIndex.searches).toBe(0);
  });
});
