/**
 * Issue 7 item 9 / issue 10 item 1: one pixel limit for every image path, read from the header
 * before anything decodes the image, with a message that names the reason and the limit. An
 * 8000×8000 JPEG made with sharp is refused by the engine's decoder, enrolment and the frame
 * handler alike; the admin upload and the CLI are tested in their own suites with the same file.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLimiter } from '../../lib/concurrency.js';
import { silentLogger } from '../../lib/logger.js';
import { decodeImage } from '../../cloud/src/adapters/local/face-engine/decode.js';
import { createEnrollmentService } from '../../cloud/src/app/enrollment-service.js';
import type { ServiceDeps } from '../../cloud/src/app/service-deps.js';
import { checkImagePixels, MAX_IMAGE_PIXELS } from '../../cloud/src/domain/image-limits.js';
import { MemorySearchBudget } from '../../cloud/src/adapters/local/memory-search-budget.js';
import { MemoryVisitStore } from '../../cloud/src/adapters/local/visits/memory-visit-store.js';
import { createRecognizeFrameHandler } from '../../cloud/src/handlers/recognize-frame.js';
import { ImageDecodeError } from '../../cloud/src/errors.js';
import { makeDoor } from '../support/records.js';
import { hugeJpeg, jpegClaiming } from '../support/huge-jpeg.js';
import { captureLogger } from './support/capture-logger.js';
import { asPayload, frameMessage } from './support/frames.js';
import { openLocalStores, type LocalStores } from './support/local-stores.js';
import { RecordingMessaging } from './support/recording-messaging.js';
import { ScriptedFaceIndex } from './support/scripted-face-index.js';

const NOW = 1_767_225_600_000;
const THE_MESSAGE = /8000 × 8000 pixels \(64\.0 megapixels\); the limit is 50 megapixels/;

describe('one pixel limit, from the header', () => {
  let huge: Buffer;
  beforeAll(async () => {
    huge = (await hugeJpeg()).bytes;
  }, 120_000);

  it('reads 8000×8000 from the JPEG header and names the size and the limit', () => {
    expect(MAX_IMAGE_PIXELS).toBe(50_000_000);
    const check = checkImagePixels(huge);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.message).toMatch(THE_MESSAGE);
  });

  it('draws the line at 50 megapixels exactly', async () => {
    expect(checkImagePixels(await jpegClaiming(7071, 7071)).ok).toBe(true); // 49.999 MP
    expect(checkImagePixels(await jpegClaiming(10_000, 5_000)).ok).toBe(true); // 50.0 MP
    expect(checkImagePixels(await jpegClaiming(10_001, 5_000)).ok).toBe(false);
    expect(checkImagePixels(Buffer.from('not an image')).ok).toBe(true); // left to the decoder to refuse
  });

  it("the face engine's decoder refuses it by its header, with the same message", async () => {
    const err = await decodeImage(huge).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect((err as Error).message).toMatch(THE_MESSAGE);
  });

  describe('enrolment and door frames', () => {
    let stores: LocalStores;
    let faceIndex: ScriptedFaceIndex;
    beforeEach(async () => {
      stores = openLocalStores('image-limits');
      faceIndex = new ScriptedFaceIndex();
      await stores.records.putDoor(makeDoor('front-door'));
    });
    afterEach(async () => stores.close());

    it('enrolment refuses it as too large, naming the size and the limit, before the engine sees it', async () => {
      // Only what enrolment uses; the scripted index's inspect() throws, so reaching it fails the test.
      const deps = {
        records: stores.records,
        faceIndex,
        images: stores.images,
        clock: () => NOW,
        logger: silentLogger(),
      };
      const enrollment = createEnrollmentService(deps as unknown as ServiceDeps);
      const check = await enrollment.checkPhoto(huge);
      expect(check.ok).toBe(false);
      expect(check.issues).toEqual([expect.objectContaining({ code: 'too_large', severity: 'error' })]);
      expect(check.issues[0]!.message).toMatch(THE_MESSAGE);
      expect(check.issues[0]!.message).not.toMatch(/corrupt|truncated/);
    });

    it('a door frame declaring 8000×8000 is refused unsearched, and the door event says why', async () => {
      const logs = captureLogger();
      const messaging = new RecordingMessaging();
      const handle = createRecognizeFrameHandler({
        faceIndex,
        records: stores.records,
        images: stores.images,
        messaging,
        visits: new MemoryVisitStore(),
        searchBudget: new MemorySearchBudget(),
        clock: () => NOW,
        logger: logs.logger,
      });
      const bomb = await jpegClaiming(8000, 8000); // fits a frame's 92 KB; the header claims 64 MP
      const outcome = await handle({
        topicDoorId: 'front-door',
        payload: asPayload(frameMessage('front-door', bomb, NOW)),
      });
      expect(outcome).toEqual({ status: 'rejected', reason: expect.stringMatching(THE_MESSAGE) });
      expect(faceIndex.searches).toBe(0);
      expect(messaging.published).toEqual([]);
      const { events } = await stores.records.listEvents({ kind: 'door_event' });
      expect(events.map((e) => e.detail)).toEqual([expect.stringMatching(/megapixels/)]);
    });
  });
});

describe('bounded concurrent decodes', () => {
  it('runs at most N tasks at once, in order, and hands a slot straight to the next', async () => {
    const limiter = createLimiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (n: number) =>
      limiter.run(async () => {
        running++;
        peak = Math.max(peak, running);
        order.push(n);
        await sleep(5);
        running--;
        return n;
      });
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map(task));
    expect(results).toEqual([1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5, 6]);
    expect(limiter.active).toBe(0);
  });

  it('frees the slot when a task fails', async () => {
    const limiter = createLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(() => Promise.resolve('next'))).toBe('next');
  });
});
