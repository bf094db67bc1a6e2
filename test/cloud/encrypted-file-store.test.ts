import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EncryptedFileStore } from '../../cloud/src/adapters/local/file-store/encrypted-file-store.js';
import { imageStoreContract } from '../contracts/image-store.contract.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';

imageStoreContract('EncryptedFileStore', async () => {
  const dir = makeTempDir('images');
  return {
    store: new EncryptedFileStore(path.join(dir, 'images'), randomBytes(32)),
    close: async () => removeDir(dir),
  };
});

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => path.join(dir, f));
}

describe('EncryptedFileStore on disk', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) removeDir(d);
  });
  const setup = () => {
    const dir = makeTempDir('images');
    dirs.push(dir);
    const root = path.join(dir, 'images');
    const key = randomBytes(32);
    return { root, key, store: new EncryptedFileStore(root, key) };
  };

  it("never writes an object's bytes or content type in plain text", async () => {
    const { root, store } = setup();
    const marker = Buffer.from('FACEGATE-DISTINCTIVE-PLAINTEXT-0123456789');
    const photo = Buffer.concat([randomBytes(1000), marker, randomBytes(1000)]);
    await store.put('photos/person-0001/face-0001.jpg', photo, 'image/x-distinctive-type');
    const files = filesUnder(root).filter((f) => fs.statSync(f).isFile());
    expect(files).toEqual([path.join(root, 'photos', 'person-0001', 'face-0001.jpg.sealed')]);
    for (const f of files) {
      const bytes = fs.readFileSync(f);
      expect(bytes.includes(marker)).toBe(false);
      expect(bytes.includes(photo.subarray(0, 32))).toBe(false);
      expect(bytes.includes(Buffer.from('x-distinctive-type'))).toBe(false);
    }
    expect((await store.get('photos/person-0001/face-0001.jpg'))!.bytes.equals(photo)).toBe(true);
  });

  it('creates files 0600 and directories 0700, and leaves no temp files', async () => {
    const { root, store } = setup();
    await store.put('snapshots/front-door/2026-01-01/event-1.jpg', Buffer.from('x'), 'image/jpeg');
    await store.put('snapshots/front-door/2026-01-01/event-1.jpg', Buffer.from('y'), 'image/jpeg');
    for (const f of [root, ...filesUnder(root)]) {
      const st = fs.statSync(f);
      expect(st.mode & 0o777, f).toBe(st.isDirectory() ? 0o700 : 0o600);
      expect(f).not.toMatch(/\.tmp-/);
    }
  });

  it('binds a file to its key: renamed to another key it fails to open', async () => {
    const { root, store } = setup();
    await store.put('photos/alice/face-1.jpg', Buffer.from('alice'), 'image/jpeg');
    await store.put('photos/bob/face-1.jpg', Buffer.from('bob'), 'image/jpeg');
    fs.copyFileSync(path.join(root, 'photos/alice/face-1.jpg.sealed'), path.join(root, 'photos/bob/face-1.jpg.sealed'));
    await expect(store.get('photos/bob/face-1.jpg')).rejects.toMatchObject({ code: 'decryption_failed' });
    expect((await store.get('photos/alice/face-1.jpg'))!.bytes.toString()).toBe('alice');
  });

  it('fails to open with another data key, or when tampered with', async () => {
    const { root, store } = setup();
    await store.put('photos/alice/face-1.jpg', Buffer.from('alice'), 'image/jpeg');
    const other = new EncryptedFileStore(root, randomBytes(32));
    await expect(other.get('photos/alice/face-1.jpg')).rejects.toMatchObject({ code: 'decryption_failed' });
    const file = path.join(root, 'photos/alice/face-1.jpg.sealed');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 20]! ^= 0x01;
    fs.writeFileSync(file, bytes);
    await expect(store.get('photos/alice/face-1.jpg')).rejects.toMatchObject({ code: 'decryption_failed' });
  });

  it('delete removes the file and the directories it left empty, but not the root', async () => {
    const { root, store } = setup();
    await store.put('snapshots/front-door/2026-01-01/event-1.jpg', Buffer.from('1'), 'image/jpeg');
    await store.put('snapshots/front-door/2026-01-02/event-2.jpg', Buffer.from('2'), 'image/jpeg');
    await store.delete('snapshots/front-door/2026-01-01/event-1.jpg');
    expect(fs.existsSync(path.join(root, 'snapshots/front-door/2026-01-01'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'snapshots/front-door/2026-01-02/event-2.jpg.sealed'))).toBe(true);
    await store.delete('snapshots/front-door/2026-01-02/event-2.jpg');
    expect(fs.existsSync(path.join(root, 'snapshots'))).toBe(false);
    expect(fs.existsSync(root)).toBe(true);
    expect(filesUnder(root)).toEqual([]);
  });

  it('ignores stray files that are not sealed objects when listing', async () => {
    const { root, store } = setup();
    await store.put('photos/p1/a.jpg', Buffer.from('a'), 'image/jpeg');
    fs.writeFileSync(path.join(root, 'photos/p1/b.jpg.sealed.tmp-123'), 'partial');
    fs.writeFileSync(path.join(root, 'photos/p1/notes.txt'), 'x');
    expect(await store.list('photos/')).toEqual(['photos/p1/a.jpg']);
  });

  it('refuses a data key of the wrong size', () => {
    expect(() => new EncryptedFileStore('/tmp/x', randomBytes(16))).toThrow(/32 bytes/);
  });
});
