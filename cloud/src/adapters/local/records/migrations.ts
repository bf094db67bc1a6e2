/**
 * Schema migrations for the local records database. Each entry runs once, in order, inside a
 * transaction, and is remembered in `schema_version`; never edit a released migration, add one.
 */
import type Database from 'better-sqlite3';
import { ConfigError } from '../../../errors.js';

export const MIGRATIONS: readonly string[] = [
  // 1: people, faces, doors, events
  `
  CREATE TABLE people (
    person_id     TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    -- lower-cased name for case-insensitive search and ordering (SQLite's lower() is ASCII-only)
    name_fold     TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
    valid_from    INTEGER,
    valid_until   INTEGER,
    allowed_doors TEXT, -- JSON array of door ids, NULL = every door
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX people_by_name ON people (name_fold, person_id);

  CREATE TABLE faces (
    face_id    TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES people (person_id) ON DELETE CASCADE,
    photo_key  TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX faces_by_person ON faces (person_id, created_at, face_id);

  CREATE TABLE doors (
    door_id       TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    enabled       INTEGER NOT NULL,
    pulse_ms      INTEGER NOT NULL,
    online        INTEGER NOT NULL,
    lock          TEXT NOT NULL,
    last_seen_at  INTEGER,
    agent_version TEXT,
    created_at    INTEGER NOT NULL
  ) STRICT;

  -- No foreign keys: the log outlives the people and doors it mentions.
  CREATE TABLE events (
    event_id     TEXT PRIMARY KEY,
    at           INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    door_id      TEXT,
    person_id    TEXT,
    person_name  TEXT,
    result       TEXT,
    reason       TEXT,
    score        REAL,
    snapshot_key TEXT,
    decision_id  TEXT,
    actor        TEXT,
    detail       TEXT
  ) STRICT;
  CREATE INDEX events_by_time ON events (at, event_id);
  CREATE INDEX events_by_door ON events (door_id, at, event_id);
  CREATE INDEX events_by_person ON events (person_id, at, event_id);
  `,
  // 2: a door's forced/held-open alarm (issue 9 item 6)
  `
  ALTER TABLE doors ADD COLUMN alarm TEXT CHECK (alarm IN ('forced_open', 'held_open'));
  ALTER TABLE doors ADD COLUMN alarm_since INTEGER;
  `,
  // 3: how the door's Pi is wired (JSON of DoorWiring); null reads as the wiring every door had before
  `
  ALTER TABLE doors ADD COLUMN wiring TEXT;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT',
  );
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  const current = row.v ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new ConfigError(
      `records database is at schema version ${current}, newer than this FaceGate (${SCHEMA_VERSION}); upgrade FaceGate`,
    );
  }
  for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version - 1]!);
      db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(version, Date.now());
    })();
  }
}
