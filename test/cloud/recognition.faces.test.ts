/**
 * End to end on the local back end with the real face engine and real photos from
 * ../shared/faces/dev: enrollment feedback, recognition decisions at a door, a restart, and
 * erasure checked on disk. Skips (saying why) when the photos are absent. Each test starts from
 * empty stores and a fresh face index and sets up what it needs (enrollAlan, walkUp), so any one
 * of them runs alone and none depends on another's leftovers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { openLocalFaceIndex } from '../../cloud/src/adapters/local/face-index/index.js';
import { createDoorChangeFeed } from '../../cloud/src/app/door-change-feed.js';
import { createServices } from '../../cloud/src/app/create-services.js';
import type { FacegateServices } from '../../cloud/src/app/services.js';
import { MemorySearchBudget } from '../../cloud/src/adapters/local/memory-search-budget.js';
import { MemoryVisitStore } from '../../cloud/src/adapters/local/visits/memory-visit-store.js';
import { createRecognizeFrameHandler, type RecognizeFrameHandler } from '../../cloud/src/handlers/recognize-frame.js';
import type { FaceIndex } from '../../cloud/src/ports/face-index.js';
import type { DoorProvisioner } from '../../cloud/src/ports/door-provisioner.js';
import { makeDoor } from '../support/records.js';
import { DEV_DIR, HAVE_FACES, SKIP_REASON } from '../face/faces-dataset.js';
import { asPayload, frameMessage, plainJpeg } from './support/frames.js';
import { openLocalStores, type LocalStores } from './support/local-stores.js';
import { RecordingMessaging } from './support/recording-messaging.js';

const photo = (person: string, n: number) => fs.readFileSync(path.join(DEV_DIR, person, `${n}.jpg`));
const admin = { name: 'admin' };

/** Doors are created through the records here; provisioning is tested in services.test.ts. */
const noProvisioner: DoorProvisioner = {
  provision: async () => {
    throw new Error('not used');
  },
  revoke: async () => {},
  setEnabled: async () => {},
  remove: async () => {},
  certificates: async () => [],
};

function allFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).isFile());
}

function onDisk(dir: string, needle: Buffer | string): string[] {
  const bytes = Buffer.isBuffer(needle) ? needle : Buffer.from(needle);
  return allFiles(dir).filter((f) => fs.readFileSync(f).includes(bytes) || f.includes(needle.toString()));
}

describe.skipIf(!HAVE_FACES)(`recognition with real faces${HAVE_FACES ? '' : ` (${SKIP_REASON})`}`, () => {
  let stores: LocalStores;
  let faceIndex: FaceIndex;
  let messaging: RecordingMessaging;
  let services: FacegateServices;
  let handle: RecognizeFrameHandler;
  let now: number;

  async function openAll() {
    faceIndex = await openLocalFaceIndex({
      dbPath: path.join(stores.dir, 'faces.db'),
      dataKey: stores.dataKey,
      logger: silentLogger(),
    });
    const deps = {
      records: stores.records,
      faceIndex,
      images: stores.images,
      messaging,
      clock: () => now,
      logger: silentLogger(),
    };
    services = createServices({ ...deps, provisioner: noProvisioner, doorFeed: createDoorChangeFeed() });
    handle = createRecognizeFrameHandler({
      ...deps,
      visits: new MemoryVisitStore(),
      searchBudget: new MemorySearchBudget(),
    });
  }

  const atDoor = async (jpeg: Buffer) => {
    now += 1000;
    return handle({ topicDoorId: 'front-door', payload: asPayload(frameMessage('front-door', jpeg, now - 300)) });
  };

  /** Alan Greenspan, enrolled from his photos 1 and 2; returns his person id. */
  const enrollAlan = async (): Promise<string> => {
    const alan = await services.people.create({ name: 'Alan Greenspan' }, admin);
    const results = await services.enrollment.enroll(
      alan.personId,
      [photo('Alan_Greenspan', 1), photo('Alan_Greenspan', 2)],
      admin,
    );
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    return alan.personId;
  };

  const restart = async () => {
    await faceIndex.close();
    await stores.reopen();
    await openAll();
  };

  beforeEach(async () => {
    now = Date.UTC(2026, 5, 1, 8, 0);
    stores = openLocalStores('recognition-faces');
    messaging = new RecordingMessaging();
    await openAll();
    await stores.records.putDoor(makeDoor('front-door', { pulseMs: 2000 }));
  });
  afterEach(async () => {
    await faceIndex?.close();
    await stores?.close();
  });

  describe('enrollment feedback', () => {
    it('accepts a good portrait', async () => {
      const check = await services.enrollment.checkPhoto(photo('Alan_Greenspan', 1));
      expect(check).toMatchObject({ ok: true, faceCount: 1, matchedPerson: null });
      expect(check.issues.filter((i) => i.severity === 'error')).toEqual([]);
      expect(check.face!.box.width).toBeGreaterThan(80);
    });

    it('refuses a photo with a second face of similar size', async () => {
      const check = await services.enrollment.checkPhoto(photo('Andre_Agassi', 1));
      expect(check.ok).toBe(false);
      expect(check.faceCount).toBe(2);
      expect(check.issues).toContainEqual(expect.objectContaining({ code: 'multiple_faces', severity: 'error' }));
    });

    it('refuses non-images, corrupt and oversized files, and pictures without a face', async () => {
      const codes = async (bytes: Uint8Array) =>
        (await services.enrollment.checkPhoto(bytes)).issues.map((i) => i.code);
      expect(await codes(Buffer.from('%PDF-1.7 not a photo'))).toEqual(['not_an_image']);
      expect(await codes(photo('Alan_Greenspan', 1).subarray(0, 3000))).toEqual(['not_an_image']);
      expect(await codes(Buffer.concat([photo('Alan_Greenspan', 1), Buffer.alloc(11 * 1024 * 1024)]))).toEqual([
        'too_large',
      ]);
      expect(await codes(await plainJpeg())).toEqual(['no_face']);
    });
  });

  describe('enroll, recognise, restart, erase', () => {
    it('enrolls two photos, reporting progress, storing each photo sealed', async () => {
      const alan = await services.people.create({ name: 'Alan Greenspan' }, admin);
      const alanId = alan.personId;
      const progress: [number, number][] = [];
      const results = await services.enrollment.enroll(
        alanId,
        [photo('Alan_Greenspan', 1), photo('Alan_Greenspan', 2)],
        admin,
        (d, t) => progress.push([d, t]),
      );
      expect(progress).toEqual([
        [1, 2],
        [2, 2],
      ]);
      expect(results.map((r) => r.ok)).toEqual([true, true]);
      const faces = (await services.people.get(alanId))!.faces;
      expect(faces.map((f) => f.faceId).sort()).toEqual(results.map((r) => r.faceId).sort());
      const alanPhotoKeys = faces.map((f) => f.photoKey);
      expect(alanPhotoKeys.every((k) => k.startsWith(`photos/${alanId}/`))).toBe(true);
      expect((await services.enrollment.getPhoto(alanPhotoKeys[0]!))!.bytes.length).toBeGreaterThan(1000);
      expect(await faceIndex.countFaces()).toBe(2);

      // A photo's bytes never appear in plain text anywhere under the data directory.
      const original = photo('Alan_Greenspan', 1);
      expect(onDisk(stores.dir, original.subarray(2000, 2064))).toEqual([]);
    });

    it('refuses to enroll a face that is already someone else', async () => {
      const alanId = await enrollAlan();
      const other = await services.people.create({ name: 'Someone Else' }, admin);
      const [result] = await services.enrollment.enroll(other.personId, [photo('Alan_Greenspan', 4)], admin);
      expect(result!.faceId).toBeNull();
      expect(result!.matchedPerson).toMatchObject({ personId: alanId, name: 'Alan Greenspan' });
      expect(result!.issues).toContainEqual(
        expect.objectContaining({ code: 'matches_other_person', severity: 'error' }),
      );
      expect(await faceIndex.countFaces()).toBe(2);
    });

    it('grants the enrolled person at the door, from a photo not enrolled', async () => {
      const alanId = await enrollAlan();
      const outcome = await atDoor(photo('Alan_Greenspan', 3));
      expect(outcome).toMatchObject({ status: 'decided', result: 'granted', reason: 'match', personId: alanId });
      expect(messaging.published.at(-1)).toMatchObject({
        type: 'unlock',
        source: 'face',
        pulseMs: 2000,
        doorId: 'front-door',
      });
    });

    it('leaves the door locked for someone not enrolled, and stores "denied: unknown" with a snapshot', async () => {
      await enrollAlan(); // someone the strangers could be mistaken for
      for (const stranger of ['AJ_Cook', 'Aaron_Eckhart']) {
        const outcome = await atDoor(photo(stranger, 1));
        expect(outcome, stranger).toMatchObject({
          status: 'decided',
          result: 'denied',
          reason: 'unknown',
          personId: null,
        });
      }
      expect(messaging.published.map((c) => c.type)).toEqual(['deny', 'deny']);
      const { events } = await services.events.list({ result: 'denied' });
      expect(events).toHaveLength(2);
      expect(events.every((e) => e.reason === 'unknown' && e.snapshotKey !== null)).toBe(true);
      expect(
        (await services.events.getSnapshot(events[0]!.snapshotKey!))!.bytes.equals(photo('Aaron_Eckhart', 1)),
      ).toBe(true);
    });

    it('denies the person once deactivated', async () => {
      const alanId = await enrollAlan();
      await services.people.update(alanId, { status: 'inactive' }, admin);
      expect(await atDoor(photo('Alan_Greenspan', 5))).toMatchObject({
        result: 'denied',
        reason: 'inactive',
        personId: alanId,
      });
      expect(messaging.published.at(-1)).toMatchObject({ type: 'deny', reason: 'inactive' });
    });

    it('keeps people, faces and events across a restart', async () => {
      const alanId = await enrollAlan();
      expect(await atDoor(photo('Alan_Greenspan', 3))).toMatchObject({ result: 'granted', personId: alanId });
      const eventsBefore = (await services.events.list()).events;
      expect(eventsBefore.map((e) => e.kind)).toContain('access');
      await restart();
      expect(await services.people.get(alanId)).toMatchObject({
        name: 'Alan Greenspan',
        status: 'active',
        faces: expect.any(Array),
      });
      expect((await services.people.get(alanId))!.faces).toHaveLength(2);
      expect(await faceIndex.countFaces()).toBe(2);
      expect((await services.events.list()).events).toEqual(eventsBefore);
      expect(await atDoor(photo('Alan_Greenspan', 4))).toMatchObject({ result: 'granted', personId: alanId });
    });

    it('removes one photo: its face stops matching, its embedding and sealed file are gone, logged (issue 10 item 5)', async () => {
      const alanId = await enrollAlan();
      const matchedFaces = async () =>
        (await faceIndex.search(photo('Alan_Greenspan', 2), { minSimilarity: 0, maxMatches: 1000 })).matches.map(
          (m) => m.faceId,
        );
      // Before: photo 2 finds its own enrolled face (one match per person: the best one). The two
      // faces share a createdAt here (fixed clock), so which one is photo 2's comes from the search.
      const faces = (await services.people.get(alanId))!.faces;
      const [bestId] = await matchedFaces();
      const removed = faces.find((f) => f.faceId === bestId);
      const kept = faces.find((f) => f.faceId !== bestId);
      expect(removed).toBeDefined();
      const sealedFile = path.join(stores.dir, 'images', `${removed!.photoKey}.sealed`);
      expect(fs.existsSync(sealedFile)).toBe(true);

      // Another person's face id through Alan, or an unknown one, changes nothing.
      await expect(services.people.removePhoto(alanId, 'no-such-face', admin)).rejects.toThrow(/not found/i);
      expect(await faceIndex.countFaces()).toBe(2);

      now += 60_000; // later than the enrolment, so the removal is the newest person_updated row
      await services.people.removePhoto(alanId, removed!.faceId, admin);

      expect(await matchedFaces()).not.toContain(removed!.faceId);
      expect(await faceIndex.countFaces()).toBe(1);
      expect((await services.people.get(alanId))!.faces).toEqual([kept]);
      expect(await stores.records.getFace(removed!.faceId)).toBeNull();
      expect(await stores.images.get(removed!.photoKey)).toBeNull();
      expect(fs.existsSync(sealedFile)).toBe(false);
      // The face id is gone from the embedding store on disk (WAL checkpointed, secure_delete).
      const faceFiles = allFiles(stores.dir).filter((f) => path.basename(f).startsWith('faces.db'));
      expect(faceFiles.length).toBeGreaterThan(0);
      expect(faceFiles.filter((f) => fs.readFileSync(f).includes(Buffer.from(removed!.faceId)))).toEqual([]);
      // And it survives a restart: the gallery is rebuilt from the store without it.
      await restart();
      expect(await faceIndex.countFaces()).toBe(1);
      expect(await matchedFaces()).not.toContain(removed!.faceId);

      const [logged] = (await services.events.list({ personId: alanId, kind: 'person_updated' })).events;
      expect(logged).toMatchObject({ actor: 'admin', personName: 'Alan Greenspan' });
      expect(logged!.detail).toContain(`removed photo ${removed!.faceId}`);
    });

    it('erasure removes faces, photos, snapshots and records (checked on disk)', async () => {
      const alanId = await enrollAlan();
      for (const n of [3, 4, 5])
        expect(await atDoor(photo('Alan_Greenspan', n)), `photo ${n}`).toMatchObject({ personId: alanId });
      expect(await atDoor(photo('AJ_Cook', 1))).toMatchObject({ result: 'denied', personId: null });
      const alanEvents = (await services.events.list({ personId: alanId, kind: 'access' })).events;
      const snapshotKeys = alanEvents.map((e) => e.snapshotKey).filter((k): k is string => k !== null);
      expect(snapshotKeys.length).toBeGreaterThanOrEqual(3);
      const strangerSnapshots = (await services.events.list({ result: 'denied' })).events
        .filter((e) => e.personId === null)
        .map((e) => e.snapshotKey);

      await services.people.erase(alanId, admin);

      expect(await faceIndex.countFaces()).toBe(0);
      expect(await services.people.get(alanId)).toBeNull();
      expect(await stores.records.listFaces(alanId)).toEqual([]);
      expect(await stores.images.list(`photos/${alanId}/`)).toEqual([]);
      for (const key of snapshotKeys) expect(await stores.images.get(key)).toBeNull();
      for (const key of strangerSnapshots) expect(await stores.images.get(key!)).not.toBeNull();
      expect((await services.events.list({ personId: alanId, kind: 'access' })).events).toEqual([]);

      // On disk: no photo or snapshot file of theirs, and the name is gone from every file.
      const imageFiles = allFiles(path.join(stores.dir, 'images'));
      expect(imageFiles.filter((f) => f.includes(alanId))).toEqual([]);
      for (const key of snapshotKeys)
        expect(fs.existsSync(path.join(stores.dir, 'images', `${key}.sealed`))).toBe(false);
      expect(onDisk(stores.dir, 'Alan Greenspan')).toEqual([]);
      expect(onDisk(stores.dir, 'alan greenspan')).toEqual([]);

      // The erasure itself is logged without a name.
      const erased = (await services.events.list({ kind: 'person_erased' })).events;
      expect(erased.find((e) => e.personId === alanId)).toMatchObject({ personName: null, actor: 'admin' });

      // And the face no longer opens the door.
      expect(await atDoor(photo('Alan_Greenspan', 3))).toMatchObject({
        result: 'denied',
        reason: 'unknown',
        personId: null,
      });
    });
  });
});
