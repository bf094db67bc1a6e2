import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { open, seal } from '../../cloud/src/adapters/local/aead.js';
import { EmbeddingStore, embeddingAad } from '../../cloud/src/adapters/local/face-index/store.js';

// The attack of issue 7 item 10: someone who can write faces.db (but has no data key) rewrites a row
// so an enrolled face belongs to another person. The sealed embedding must then refuse to open.
const vector = (seed: number) => Float32Array.from({ length: 8 }, (_, i) => seed + i / 10);

describe('sealed embeddings are bound to face, person and model', () => {
  let dir: string;
  let dbPath: string;
  const key = randomBytes(32);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-embedding-store-'));
    dbPath = path.join(dir, 'faces.db');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function tamper(sql: string, ...args: unknown[]): void {
    const db = new Database(dbPath);
    db.prepare(sql).run(...args);
    db.close();
  }

  it('a face moved to another person (or another model) no longer opens', () => {
    const store = new EmbeddingStore(dbPath, key);
    store.insert({ faceId: 'f1', personId: 'alice', model: 'm1', vector: vector(1) });
    store.insert({ faceId: 'f2', personId: 'bob', model: 'm1', vector: vector(2) });
    store.insert({ faceId: 'f3', personId: 'carol', model: 'm1', vector: vector(3) });
    store.close();

    tamper("UPDATE face_embeddings SET person_id = 'bob' WHERE face_id = 'f1'");
    tamper("UPDATE face_embeddings SET model = 'm2' WHERE face_id = 'f3'");

    const reopened = new EmbeddingStore(dbPath, key);
    const { faces, unreadable } = reopened.loadAll();
    reopened.close();
    expect(unreadable.sort()).toEqual(['f1', 'f3']);
    expect(faces.map((f) => [f.faceId, f.personId])).toEqual([['f2', 'bob']]);
    expect(Array.from(faces[0]!.vector)).toEqual(Array.from(vector(2)));
  });

  it('a sealed blob copied onto another row of the same face id but another person does not open', () => {
    const store = new EmbeddingStore(dbPath, key);
    store.insert({ faceId: 'f1', personId: 'alice', model: 'm1', vector: vector(1) });
    store.close();
    // Re-insert the same ciphertext as a face of mallory's with the same face id.
    const db = new Database(dbPath);
    const { sealed } = db.prepare("SELECT sealed FROM face_embeddings WHERE face_id = 'f1'").get() as {
      sealed: Buffer;
    };
    db.prepare("DELETE FROM face_embeddings WHERE face_id = 'f1'").run();
    db.prepare("INSERT INTO face_embeddings VALUES ('f1', 'mallory', 'm1', ?, 0)").run(sealed);
    db.close();

    const reopened = new EmbeddingStore(dbPath, key);
    expect(reopened.loadAll()).toEqual({ faces: [], unreadable: ['f1'] });
    reopened.close();
  });

  it('rows sealed the old way (face id only) are re-sealed once on open, and are bound from then on', () => {
    // A faces.db from before the change: the table, a row sealed with the face id alone, user_version 0.
    const legacy = new Database(dbPath);
    legacy.exec(`CREATE TABLE face_embeddings (face_id TEXT PRIMARY KEY, person_id TEXT NOT NULL,
      model TEXT NOT NULL, sealed BLOB NOT NULL, created_at INTEGER NOT NULL)`);
    const v = vector(5);
    const legacySealed = seal(key, new Uint8Array(v.buffer), 'f9');
    legacy.prepare("INSERT INTO face_embeddings VALUES ('f9', 'dave', 'm1', ?, 0)").run(legacySealed);
    legacy.close();

    const store = new EmbeddingStore(dbPath, key);
    const { faces, unreadable } = store.loadAll();
    store.close();
    expect(unreadable).toEqual([]);
    expect(faces.map((f) => [f.faceId, f.personId, Array.from(f.vector)])).toEqual([['f9', 'dave', Array.from(v)]]);

    const db = new Database(dbPath);
    const row = db.prepare("SELECT sealed FROM face_embeddings WHERE face_id = 'f9'").get() as { sealed: Buffer };
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
    expect(() => open(key, row.sealed, 'f9')).toThrow(/failed authentication/);
    expect(open(key, row.sealed, embeddingAad({ faceId: 'f9', personId: 'dave', model: 'm1' })).length).toBe(32);

    // After migration, moving the face is refused like any other row.
    tamper("UPDATE face_embeddings SET person_id = 'eve' WHERE face_id = 'f9'");
    const again = new EmbeddingStore(dbPath, key);
    expect(again.loadAll().unreadable).toEqual(['f9']);
    again.close();
  });
});
