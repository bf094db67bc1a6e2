import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteRecords } from '../../cloud/src/adapters/local/records/sqlite-records.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../cloud/src/adapters/local/records/migrations.js';
import { DEFAULT_DOOR_WIRING } from '../../cloud/src/domain/door-wiring.js';
import { recordsContract } from '../contracts/records.contract.js';
import { makeEvent, makePerson } from '../support/records.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';

recordsContract('SqliteRecords', async () => {
  const dir = makeTempDir('records');
  const records = openSqliteRecords(path.join(dir, 'records.db'));
  return {
    records,
    close: async () => {
      await records.close();
      removeDir(dir);
    },
  };
});

describe('SqliteRecords on disk', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) removeDir(d);
  });

  it('keeps people, faces and events across a restart, and migrates once', async () => {
    const dir = makeTempDir('records');
    dirs.push(dir);
    const file = path.join(dir, 'db', 'records.db');
    const first = openSqliteRecords(file);
    await first.putPerson(makePerson('person-0001', { name: 'Alice' }));
    await first.addFace({
      faceId: 'face-0001',
      personId: 'person-0001',
      photoKey: 'photos/person-0001/face-0001.jpg',
      createdAt: 1,
    });
    await first.appendEvent(makeEvent('event-0001', { personId: 'person-0001' }));
    for (const f of fs.readdirSync(path.dirname(file))) {
      expect(fs.statSync(path.join(path.dirname(file), f)).mode & 0o777, f).toBe(0o600); // db, -wal, -shm
    }
    await first.close();

    const second = openSqliteRecords(file);
    expect((await second.getPerson('person-0001'))?.name).toBe('Alice');
    expect(await second.listFaces('person-0001')).toHaveLength(1);
    expect((await second.listEvents()).events.map((e) => e.eventId)).toEqual(['event-0001']);
    await second.close();

    const raw = new Database(file, { readonly: true });
    expect(raw.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual(
      Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
    );
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });

  it('reads a door stored before wiring was kept as the default wiring, and a damaged wiring as an error', async () => {
    const dir = makeTempDir('records');
    dirs.push(dir);
    const file = path.join(dir, 'records.db');
    // A database as FaceGate left it at schema 2, with one door in it.
    const old = new Database(file);
    old.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
    for (const [i, sql] of MIGRATIONS.slice(0, 2).entries()) {
      old.exec(sql);
      old.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, 0)').run(i + 1);
    }
    old
      .prepare(
        `INSERT INTO doors (door_id, name, enabled, pulse_ms, online, lock, created_at)
         VALUES ('front-door', 'Front', 1, 3000, 0, 'unknown', 1)`,
      )
      .run();
    old.close();

    const records = openSqliteRecords(file);
    expect((await records.getDoor('front-door'))?.wiring).toEqual(DEFAULT_DOOR_WIRING);
    await records.close();

    const raw = new Database(file);
    raw.prepare(`UPDATE doors SET wiring = '{"relayPin": 99}' WHERE door_id = 'front-door'`).run();
    raw.close();
    const again = openSqliteRecords(file);
    await expect(again.getDoor('front-door')).rejects.toThrow(/front-door: stored wiring is not valid/);
    await again.close();
  });

  it('refuses a database from a newer FaceGate', async () => {
    const dir = makeTempDir('records');
    dirs.push(dir);
    const file = path.join(dir, 'records.db');
    await openSqliteRecords(file).close();
    const raw = new Database(file);
    raw.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(SCHEMA_VERSION + 1, 0);
    raw.close();
    expect(() => openSqliteRecords(file)).toThrow(/newer than this FaceGate/);
  });

  it('erasure leaves no trace of the name in the database files', async () => {
    const dir = makeTempDir('records');
    dirs.push(dir);
    const file = path.join(dir, 'records.db');
    const records = openSqliteRecords(file);
    const name = 'Quentin Xylophonist-Zarathustra';
    await records.putPerson(makePerson('person-0001', { name }));
    await records.addFace({
      faceId: 'face-0001',
      personId: 'person-0001',
      photoKey: 'photos/person-0001/face-0001.jpg',
      createdAt: 1,
    });
    for (let i = 0; i < 20; i++) {
      await records.appendEvent(
        makeEvent(`event-${String(i).padStart(4, '0')}`, {
          personId: 'person-0001',
          personName: name,
          snapshotKey: `snapshots/d/2026-01-01/e${i}.jpg`,
        }),
      );
    }
    const onDisk = () =>
      fs
        .readdirSync(dir)
        .map((f) => fs.readFileSync(path.join(dir, f)))
        .some((b) => b.includes(Buffer.from(name)) || b.includes(Buffer.from(name.toLowerCase())));
    // Checkpoint so the "before" check sees the main file too; the name must be somewhere first.
    expect(onDisk()).toBe(true);

    expect(await records.redactPersonEvents('person-0001')).toHaveLength(20);
    expect(await records.deletePerson('person-0001')).toHaveLength(1);
    expect(onDisk()).toBe(false);
    await records.close();
    expect(onDisk()).toBe(false);
  });
});
