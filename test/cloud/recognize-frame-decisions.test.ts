/**
 * The recognition handler's decision logic with a scripted face index (who matched, and how
 * well, is given; real faces are in recognition.faces.test.ts): access rules → command →
 * snapshot → event, the repeat window, and failing secure.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_COMMAND_TTL_MS, type DoorCommand } from '../../protocol/index.js';
import { silentLogger } from '../../lib/logger.js';
import { createRecognizeFrameHandler, type RecognizeFrameHandler } from '../../cloud/src/handlers/recognize-frame.js';
import type { Person } from '../../cloud/src/domain/types.js';
import { makeDoor, makePerson } from '../contracts/records.contract.js';
import { asPayload, frameMessage, plainJpeg } from './support/frames.js';
import { openLocalStores, type LocalStores } from './support/local-stores.js';
import { RecordingMessaging } from './support/recording-messaging.js';
import { ScriptedFaceIndex } from './support/scripted-face-index.js';

const T0 = Date.UTC(2026, 2, 14, 9, 30);

describe('recognize-frame: decisions', () => {
  let stores: LocalStores;
  let messaging: RecordingMessaging;
  let faceIndex: ScriptedFaceIndex;
  let now: number;
  let handle: RecognizeFrameHandler;
  let jpeg: Buffer;

  const frame = (doorId = 'front-door') =>
    handle({ topicDoorId: doorId, payload: asPayload(frameMessage(doorId, jpeg, now - 200)) });
  const events = async () => (await stores.records.listEvents()).events;

  beforeAll(async () => {
    jpeg = await plainJpeg();
  });
  beforeEach(async () => {
    stores = openLocalStores('recognize-decisions');
    messaging = new RecordingMessaging();
    faceIndex = new ScriptedFaceIndex();
    now = T0;
    handle = createRecognizeFrameHandler({
      faceIndex,
      records: stores.records,
      images: stores.images,
      messaging,
      clock: () => now,
      logger: silentLogger(),
    });
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

  it("grants a matched active person: unlock with the door's pulse, snapshot and event", async () => {
    faceIndex.willMatch('person-alice', 0.86);
    const outcome = await frame();
    expect(outcome).toMatchObject({
      status: 'decided',
      result: 'granted',
      reason: 'match',
      personId: 'person-alice',
      similarity: 0.86,
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
    expect(event!.snapshotKey).toBe(`snapshots/front-door/2026-03-14/${outcome.eventId}.jpg`);
    const snapshot = await stores.images.get(event!.snapshotKey!);
    expect(snapshot!.bytes.equals(jpeg)).toBe(true);
    expect(snapshot!.contentType).toBe('image/jpeg');
  });

  it('denies a face that matches nobody: deny command, "denied: unknown" event with a snapshot', async () => {
    faceIndex.willFindStranger();
    const outcome = await frame();
    expect(outcome).toMatchObject({
      status: 'decided',
      result: 'denied',
      reason: 'unknown',
      personId: null,
      similarity: null,
    });
    expect(messaging.published).toEqual([
      expect.objectContaining({ type: 'deny', reason: 'unknown', doorId: 'front-door' }),
    ]);
    expect(messaging.published.some((c) => c.type === 'unlock')).toBe(false);
    const [event] = await events();
    expect(event).toMatchObject({ result: 'denied', reason: 'unknown', personId: null, personName: null });
    expect(await stores.images.get(event!.snapshotKey!)).not.toBeNull();
  });

  it('treats a match below the index threshold as unknown', async () => {
    faceIndex.willMatch('person-alice', 0.69);
    expect(await frame()).toMatchObject({ result: 'denied', reason: 'unknown', personId: null });
    expect(messaging.published[0]).toMatchObject({ type: 'deny', reason: 'unknown' });
  });

  it('treats a match to a person who no longer exists as unknown', async () => {
    faceIndex.willMatch('person-erased', 0.95);
    expect(await frame()).toMatchObject({ result: 'denied', reason: 'unknown', personId: null });
  });

  const denials: [string, Partial<Person>, string][] = [
    ['a deactivated person', { status: 'inactive' }, 'inactive'],
    ['before validity', { validFrom: T0 + 60_000 }, 'not_yet_valid'],
    ['after validity', { validUntil: T0 - 60_000 }, 'expired'],
    ['a door not allowed', { allowedDoors: ['lab'] }, 'door_not_allowed'],
  ];
  it.each(denials)('denies %s', async (_name, overrides, reason) => {
    await setPerson(overrides);
    faceIndex.willMatch('person-alice', 0.9);
    expect(await frame()).toMatchObject({ status: 'decided', result: 'denied', reason, personId: 'person-alice' });
    expect(messaging.published).toEqual([expect.objectContaining({ type: 'deny', reason })]);
    expect(await events()).toEqual([
      expect.objectContaining({ result: 'denied', reason, personId: 'person-alice', personName: 'Alice Example' }),
    ]);
  });

  it('denies everyone at a disabled door', async () => {
    await stores.records.putDoor(makeDoor('front-door', { enabled: false }));
    faceIndex.willMatch('person-alice', 0.9);
    expect(await frame()).toMatchObject({ result: 'denied', reason: 'door_disabled' });
    expect(messaging.published.some((c) => c.type === 'unlock')).toBe(false);
  });

  it('within the repeat window sends a denial again but stores no new event', async () => {
    await setPerson({ status: 'inactive' });
    faceIndex.willMatch('person-alice', 0.9);
    const first = await frame();
    now += 3_000;
    const second = await frame();
    now += 3_000;
    const third = await frame();
    expect(messaging.published.map((c) => c.type)).toEqual(['deny', 'deny', 'deny']);
    expect(first).toMatchObject({ status: 'decided', eventId: expect.any(String) });
    expect(second).toMatchObject({ status: 'decided', result: 'denied', eventId: null });
    expect(third).toMatchObject({ eventId: null });
    expect(await events()).toHaveLength(1);
    expect(await stores.images.list('snapshots/')).toHaveLength(1);

    now = T0 + 10_000; // window elapsed since the logged event
    expect(await frame()).toMatchObject({ eventId: expect.any(String) });
    expect(await events()).toHaveLength(2);
  });

  it('logs every grant, even within the window: each unlock sent is on record with its decision id', async () => {
    faceIndex.willMatch('person-alice', 0.9);
    const first = await frame();
    now += 3_000;
    const second = await frame();
    expect(messaging.published.map((c) => c.type)).toEqual(['unlock', 'unlock']);
    const logged = (await events()).map((e) => e.decisionId).sort();
    expect(logged).toEqual(
      [(first as { decisionId: string }).decisionId, (second as { decisionId: string }).decisionId].sort(),
    );
  });

  it('logs a new event when the result or the door changes within the window', async () => {
    faceIndex.willMatch('person-alice', 0.9);
    await frame('front-door');
    now += 1;
    await frame('lab');
    now += 1;
    await setPerson({ status: 'inactive' });
    await frame('front-door');
    expect((await events()).map((e) => `${e.doorId}:${e.result}`)).toEqual([
      'front-door:denied',
      'lab:granted',
      'front-door:granted',
    ]);
  });

  it('fails secure when the engine fails: no command, no event', async () => {
    faceIndex.next = new Error('worker crashed');
    expect(await frame()).toEqual({ status: 'rejected', reason: 'face search failed' });
    expect(messaging.published).toEqual([]);
    expect(await events()).toEqual([]);
  });

  it('still logs the decision when the command cannot be delivered', async () => {
    faceIndex.willMatch('person-alice', 0.9);
    messaging.failNext = true;
    expect(await frame()).toMatchObject({ status: 'decided', result: 'granted' });
    expect(await events()).toEqual([
      expect.objectContaining({ result: 'granted', detail: 'command not delivered to the door' }),
    ]);
  });

  it('honours settings: a shorter maximum frame age', async () => {
    handle = createRecognizeFrameHandler({
      faceIndex,
      records: stores.records,
      images: stores.images,
      messaging,
      clock: () => now,
      logger: silentLogger(),
      settings: { maxFrameAgeMs: 100 },
    });
    faceIndex.willMatch('person-alice', 0.9);
    expect(await frame()).toEqual({ status: 'stale', ageMs: 200 });
    expect(faceIndex.searches).toBe(0);
  });
});
