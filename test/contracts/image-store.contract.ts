/**
 * The ImageStore port's contract, written once and run against every adapter (encrypted files,
 * S3). `open` must return an empty store each time; it is called before every test and closed
 * after it. Only behaviour promised by cloud/src/ports/image-store.ts is checked.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageStore } from '../../cloud/src/ports/image-store.js';

export interface OpenedImageStore {
  store: ImageStore;
  close(): Promise<void>;
}

/** Keys every adapter must refuse: traversal, absolute paths, other folders, odd characters. */
export const INVALID_IMAGE_KEYS = [
  '',
  'photos',
  'photos/',
  'photos/p1',
  'photos/p1/',
  '/photos/p1/a.jpg',
  '../photos/p1/a.jpg',
  'photos/../snapshots/a.jpg',
  'photos/p1/../../../etc/passwd',
  'photos/p1/..',
  'photos/p1/a/../b.jpg',
  'photos\\p1\\a.jpg',
  'photos/p1/a b.jpg',
  'photos/p1/a.jpg\u0000',
  'secrets/p1/a.jpg',
  'PHOTOS/p1/a.jpg',
  'photos//a.jpg',
  'photos/p1/a/b/c/d.jpg',
];

const run = <T>(fn: () => Promise<T>): Promise<T> => Promise.resolve().then(fn);

export function imageStoreContract(name: string, open: () => Promise<OpenedImageStore>): void {
  describe(`ImageStore contract: ${name}`, () => {
    let opened: OpenedImageStore;
    let store: ImageStore;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    it('round-trips bytes and content type', async () => {
      const bytes = randomBytes(4096);
      await store.put('photos/person-0001/face-0001.jpg', bytes, 'image/jpeg');
      const got = await store.get('photos/person-0001/face-0001.jpg');
      expect(got).not.toBeNull();
      expect(Buffer.isBuffer(got!.bytes)).toBe(true);
      expect(got!.bytes.equals(bytes)).toBe(true);
      expect(got!.contentType).toBe('image/jpeg');
    });

    it('round-trips every byte value, an empty object and a large one', async () => {
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      await store.put('snapshots/front-door/2026-01-01/event-1.jpg', all, 'image/png');
      expect((await store.get('snapshots/front-door/2026-01-01/event-1.jpg'))!.bytes.equals(all)).toBe(true);

      await store.put('photos/person-0001/empty.jpg', new Uint8Array(0), 'image/jpeg');
      expect((await store.get('photos/person-0001/empty.jpg'))!.bytes.length).toBe(0);

      const large = randomBytes(3 * 1024 * 1024);
      await store.put('photos/person-0001/large.jpg', large, 'image/jpeg');
      expect((await store.get('photos/person-0001/large.jpg'))!.bytes.equals(large)).toBe(true);
    });

    it('accepts a Uint8Array view into a larger buffer without leaking the rest', async () => {
      const backing = Buffer.from('XXXXhello-photoYYYY');
      const view = new Uint8Array(backing.buffer, backing.byteOffset + 4, 11);
      await store.put('photos/person-0001/view.jpg', view, 'image/jpeg');
      expect((await store.get('photos/person-0001/view.jpg'))!.bytes.toString()).toBe('hello-photo');
    });

    it('replaces an object on put', async () => {
      await store.put('photos/person-0001/face.jpg', Buffer.from('first'), 'image/jpeg');
      await store.put('photos/person-0001/face.jpg', Buffer.from('second'), 'image/png');
      const got = await store.get('photos/person-0001/face.jpg');
      expect(got!.bytes.toString()).toBe('second');
      expect(got!.contentType).toBe('image/png');
      expect(await store.list('photos/person-0001/')).toEqual(['photos/person-0001/face.jpg']);
    });

    it('returns null for a missing key', async () => {
      expect(await store.get('photos/person-0001/missing.jpg')).toBeNull();
      expect(await store.get('snapshots/nowhere/2026-01-01/x.jpg')).toBeNull();
    });

    it('deletes an object; deleting a missing key is not an error', async () => {
      await store.put('photos/person-0001/a.jpg', Buffer.from('a'), 'image/jpeg');
      await store.put('photos/person-0001/b.jpg', Buffer.from('b'), 'image/jpeg');
      await store.delete('photos/person-0001/a.jpg');
      expect(await store.get('photos/person-0001/a.jpg')).toBeNull();
      expect((await store.get('photos/person-0001/b.jpg'))!.bytes.toString()).toBe('b');
      await store.delete('photos/person-0001/a.jpg');
      await store.delete('photos/never/x.jpg');
      expect(await store.list('photos/')).toEqual(['photos/person-0001/b.jpg']);
    });

    it('lists full keys under a prefix, sorted, at any depth, without matching sibling prefixes', async () => {
      const keys = [
        'photos/p1/b.jpg',
        'photos/p1/a.jpg',
        'photos/p10/a.jpg',
        'photos/p2/a.jpg',
        'snapshots/front-door/2026-01-02/e2.jpg',
        'snapshots/front-door/2026-01-01/e1.jpg',
        'snapshots/lab/2026-01-01/e3.jpg',
      ];
      for (const k of keys) await store.put(k, Buffer.from(k), 'image/jpeg');
      expect(await store.list('photos/p1/')).toEqual(['photos/p1/a.jpg', 'photos/p1/b.jpg']);
      expect(await store.list('photos/')).toEqual([
        'photos/p1/a.jpg',
        'photos/p1/b.jpg',
        'photos/p10/a.jpg',
        'photos/p2/a.jpg',
      ]);
      expect(await store.list('snapshots/front-door/')).toEqual([
        'snapshots/front-door/2026-01-01/e1.jpg',
        'snapshots/front-door/2026-01-02/e2.jpg',
      ]);
      expect(await store.list('snapshots/front-door/2026-01-02/')).toEqual(['snapshots/front-door/2026-01-02/e2.jpg']);
      // A prefix may end mid-name (a month of snapshots).
      expect(await store.list('snapshots/front-door/2026-01-0')).toEqual([
        'snapshots/front-door/2026-01-01/e1.jpg',
        'snapshots/front-door/2026-01-02/e2.jpg',
      ]);
      expect(await store.list('photos/p1')).toEqual(['photos/p1/a.jpg', 'photos/p1/b.jpg', 'photos/p10/a.jpg']);
      expect(await store.list('photos/nobody/')).toEqual([]);
    });

    it('list reflects deletes', async () => {
      await store.put('photos/p1/a.jpg', Buffer.from('a'), 'image/jpeg');
      await store.put('photos/p1/b.jpg', Buffer.from('b'), 'image/jpeg');
      await store.delete('photos/p1/a.jpg');
      await store.delete('photos/p1/b.jpg');
      expect(await store.list('photos/p1/')).toEqual([]);
      expect(await store.list('photos/')).toEqual([]);
    });

    it('rejects invalid keys on put, get and delete, and stores nothing', async () => {
      for (const key of INVALID_IMAGE_KEYS) {
        await expect(
          run(() => store.put(key, Buffer.from('x'), 'image/jpeg')),
          `put ${JSON.stringify(key)}`,
        ).rejects.toThrow(/invalid image key/);
        await expect(
          run(() => store.get(key)),
          `get ${JSON.stringify(key)}`,
        ).rejects.toThrow(/invalid image key/);
        await expect(
          run(() => store.delete(key)),
          `delete ${JSON.stringify(key)}`,
        ).rejects.toThrow(/invalid image key/);
      }
      expect(await store.list('photos/')).toEqual([]);
      expect(await store.list('snapshots/')).toEqual([]);
    });

    it('rejects invalid list prefixes', async () => {
      for (const prefix of ['', '/', '../', 'photos/../', 'secrets/', '/photos/', 'photos/p1/../../']) {
        await expect(
          run(() => store.list(prefix)),
          `list ${JSON.stringify(prefix)}`,
        ).rejects.toThrow(/invalid image key/);
      }
    });
  });
}
