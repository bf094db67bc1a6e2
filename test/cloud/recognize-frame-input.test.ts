/**
 * Bad input at the recognition handler: each case gets a clear log line and changes nothing
 * (no command, no snapshot, no event), and the handler never throws. The corrupt-JPEG cases run
 * through the real local face engine, since only a real decoder can tell.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { openLocalFaceIndex } from '../../cloud/src/adapters/local/face-index/index.js';
import {
  PROBLEM_EVENT_WINDOW_MS,
  createRecognizeFrameHandler,
  type RecognizeOutcome,
} from '../../cloud/src/handlers/recognize-frame.js';
import type { FaceIndex } from '../../cloud/src/ports/face-index.js';
import { MemorySearchBudget } from '../../cloud/src/adapters/local/memory-search-budget.js';
import { MemoryVisitStore } from '../../cloud/src/adapters/local/visits/memory-visit-store.js';
import { makeDoor } from '../support/records.js';
import { captureLogger, type CapturedLogs } from './support/capture-logger.js';
import { asPayload, frameMessage, plainJpeg } from './support/frames.js';
import { openLocalStores, type LocalStores } from './support/local-stores.js';
import { RecordingMessaging } from './support/recording-messaging.js';
import { ScriptedFaceIndex } from './support/scripted-face-index.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';

const NOW = 1_767_225_600_000;

describe('recognize-frame: bad input changes nothing', () => {
  let stores: LocalStores;
  let messaging: RecordingMessaging;
  let logs: CapturedLogs;
  let jpeg: Buffer;

  function handlerWith(faceIndex: FaceIndex) {
    return createRecognizeFrameHandler({
      faceIndex,
      records: stores.records,
      images: stores.images,
      messaging,
      visits: new MemoryVisitStore(),
      searchBudget: new MemorySearchBudget(),
      clock: () => NOW,
      logger: logs.logger,
    });
  }

  /**
   * Nothing changes: no command, no snapshot, no access event, the door untouched. A rejected frame
   * from a registered door leaves one 'door_event' saying why (rate-limited); stale frames and
   * frames for unknown doors leave none.
   */
  async function expectNothingChanged(
    outcome: RecognizeOutcome,
    reason: RegExp,
    status = 'rejected',
    reportsProblem = status === 'rejected',
  ) {
    expect(outcome.status).toBe(status);
    if (outcome.status === 'rejected') expect(outcome.reason).toMatch(reason);
    expect(messaging.published).toEqual([]);
    expect(await stores.images.list('snapshots/')).toEqual([]);
    const { events } = await stores.records.listEvents();
    if (reportsProblem) {
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        kind: 'door_event',
        doorId: 'front-door',
        personId: null,
        result: null,
        snapshotKey: null,
      });
      expect(events[0]!.detail).toMatch(/^frame rejected: /);
    } else {
      expect(events).toEqual([]);
    }
    expect(await stores.records.getDoor('front-door')).toEqual(makeDoor('front-door'));
    const warned = logs.lines.filter((l) => (l.level as number) >= 30 && /frame/.test(String(l.msg)));
    expect(warned.length, 'a log line says what happened').toBeGreaterThan(0);
    expect(logs.text()).not.toContain(jpeg.toString('base64').slice(0, 40));
  }

  beforeAll(async () => {
    jpeg = await plainJpeg();
  });
  beforeEach(async () => {
    stores = openLocalStores('recognize-input');
    messaging = new RecordingMessaging();
    logs = captureLogger();
    await stores.records.putDoor(makeDoor('front-door'));
  });
  afterEach(async () => {
    await stores.close();
  });

  describe('refused before the engine is asked', () => {
    let faceIndex: ScriptedFaceIndex;
    let handle: ReturnType<typeof handlerWith>;
    beforeEach(() => {
      faceIndex = new ScriptedFaceIndex();
      faceIndex.willFindStranger(); // were it reached, it would decide 'denied: unknown' and store an event
      handle = handlerWith(faceIndex);
    });
    afterEach(() => {
      expect(faceIndex.searches).toBe(0);
    });

    it('wrong JSON', async () => {
      await expectNothingChanged(
        await handle({ topicDoorId: 'front-door', payload: Buffer.from('{"v":1,"doorId":') }),
        /not JSON/,
      );
    });

    it('valid JSON of the wrong shape', async () => {
      const bad = { ...frameMessage('front-door', jpeg, NOW), v: 2, capturedAt: 'yesterday' };
      await expectNothingChanged(
        await handle({ topicDoorId: 'front-door', payload: asPayload(bad) }),
        /invalid message/,
      );
      await expectNothingChanged(await handle({ topicDoorId: 'front-door', payload: 'null' }), /invalid message/);
      await expectNothingChanged(await handle({ topicDoorId: 'front-door', payload: null }), /not a JSON object/);
      await expectNothingChanged(await handle({ topicDoorId: 'front-door', payload: 42 }), /not a JSON object/);
    });

    it('a 10 MB payload, raw or already parsed (the Lambda path)', async () => {
      const huge = frameMessage('front-door', randomBytes(7.5 * 1024 * 1024), NOW);
      await expectNothingChanged(
        await handle({ topicDoorId: 'front-door', payload: asPayload(huge) }),
        /over the .*limit/,
      );
      await expectNothingChanged(await handle({ topicDoorId: 'front-door', payload: huge }), /at most/);
    });

    it('a payload that is not an image', async () => {
      const text = Buffer.from('this is a plain text file, not a photograph of anyone');
      await expectNothingChanged(
        await handle({ topicDoorId: 'front-door', payload: asPayload(frameMessage('front-door', text, NOW)) }),
        /not a JPEG or PNG/,
      );
    });

    it('an unknown door', async () => {
      await stores.records.putDoor(makeDoor('front-door')); // unchanged by the test
      const msg = frameMessage('ghost-door', jpeg, NOW);
      await expectNothingChanged(
        await handle({ topicDoorId: 'ghost-door', payload: asPayload(msg) }),
        /unknown door/,
        'rejected',
        false,
      );
      expect(await stores.records.getDoor('ghost-door')).toBeNull();
    });

    it('a payload naming another door than its topic', async () => {
      await stores.records.putDoor(makeDoor('lab'));
      const msg = frameMessage('lab', jpeg, NOW);
      await expectNothingChanged(
        await handle({ topicDoorId: 'front-door', payload: asPayload(msg) }),
        /does not match the topic/,
      );
    });

    it('a stale frame is dropped', async () => {
      const msg = frameMessage('front-door', jpeg, NOW - 5_001);
      const outcome = await handle({ topicDoorId: 'front-door', payload: asPayload(msg) });
      expect(outcome).toEqual({ status: 'stale', ageMs: 5_001 });
      await expectNothingChanged(outcome, /./, 'stale');
    });

    it('a frame from the far future', async () => {
      const msg = frameMessage('front-door', jpeg, NOW + 60_000);
      await expectNothingChanged(await handle({ topicDoorId: 'front-door', payload: asPayload(msg) }), /in the future/);
    });
  });

  describe('refused by the real face engine', () => {
    let dir: string;
    let faceIndex: FaceIndex;
    beforeAll(async () => {
      dir = makeTempDir('recognize-engine');
      faceIndex = await openLocalFaceIndex({
        dbPath: path.join(dir, 'faces.db'),
        dataKey: randomBytes(32),
        logger: silentLogger(),
      });
    });
    afterAll(async () => {
      await faceIndex?.close();
      removeDir(dir);
    });

    it('a corrupt JPEG (right magic bytes, garbage after)', async () => {
      const corrupt = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(4000)]);
      const outcome = await handlerWith(faceIndex)({
        topicDoorId: 'front-door',
        payload: asPayload(frameMessage('front-door', corrupt, NOW)),
      });
      await expectNothingChanged(outcome, /could not be decoded/);
    });

    it('a truncated JPEG', async () => {
      const truncated = jpeg.subarray(0, Math.floor(jpeg.length / 2));
      const outcome = await handlerWith(faceIndex)({
        topicDoorId: 'front-door',
        payload: asPayload(frameMessage('front-door', truncated, NOW)),
      });
      await expectNothingChanged(outcome, /could not be decoded/);
    });

    it('a valid image with no face: no command, no event', async () => {
      const outcome = await handlerWith(faceIndex)({
        topicDoorId: 'front-door',
        payload: asPayload(frameMessage('front-door', jpeg, NOW)),
      });
      expect(outcome).toMatchObject({ status: 'no_face' });
      expect(messaging.published).toEqual([]);
      expect((await stores.records.listEvents()).events).toEqual([]);
      expect(await stores.images.list('snapshots/')).toEqual([]);
    });
  });

  it('a door that keeps sending bad frames leaves one audit event per problem a minute, not one per frame', async () => {
    let now = NOW;
    const handle = createRecognizeFrameHandler({
      faceIndex: new ScriptedFaceIndex(),
      records: stores.records,
      images: stores.images,
      messaging,
      visits: new MemoryVisitStore(),
      searchBudget: new MemorySearchBudget(),
      clock: () => now,
      logger: logs.logger,
    });
    const notAnImage = () => asPayload(frameMessage('front-door', Buffer.from('not an image at all'), now));
    for (let i = 0; i < 5; i++) await handle({ topicDoorId: 'front-door', payload: notAnImage() });
    await handle({ topicDoorId: 'front-door', payload: Buffer.from('{"v":1') }); // another problem: its own event
    expect((await stores.records.listEvents()).events.map((e) => e.detail).sort()).toEqual([
      'frame rejected: frame is not a JPEG or PNG image',
      'frame rejected: payload is not JSON',
    ]);
    now += PROBLEM_EVENT_WINDOW_MS;
    await handle({ topicDoorId: 'front-door', payload: notAnImage() });
    expect((await stores.records.listEvents()).events).toHaveLength(3);
    expect(messaging.published).toEqual([]);
  });
});
