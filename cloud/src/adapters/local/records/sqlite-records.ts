/**
 * Records on SQLite (better-sqlite3): the local back end's people, faces, doors and audit log.
 * WAL so the admin site reads while the recognizer writes; foreign keys so a person's faces go
 * with them; secure_delete so erased rows are overwritten on disk rather than left in free pages.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { AuditEvent, Door, EnrolledFace, EventFilter, Person } from '../../../domain/types.js';
import type { DoorStatePatch, PersonFilter, Records } from '../../../ports/records.js';
import { decodeEventCursor, encodeEventCursor } from './event-cursor.js';
import { migrate } from './migrations.js';
import {
  doorToRow,
  eventToRow,
  foldName,
  personToRow,
  rowToDoor,
  rowToEvent,
  rowToFace,
  rowToPerson,
  type DoorRow,
  type EventRow,
  type FaceRow,
  type PersonRow,
} from './rows.js';

const DEFAULT_EVENT_LIMIT = 100;
const MAX_EVENT_LIMIT = 1000;

export class SqliteRecords implements Records {
  private readonly db: Database.Database;

  constructor(readonly dbPath: string) {
    if (dbPath !== ':memory:') {
      fs.mkdirSync(path.dirname(dbPath), { recursive: true, mode: 0o700 });
      // Create the file 0600 before SQLite does: names and the access log are personal data.
      fs.closeSync(fs.openSync(dbPath, 'a', 0o600));
      fs.chmodSync(dbPath, 0o600);
    }
    this.db = new Database(dbPath);
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('secure_delete = ON');
      this.db.pragma('busy_timeout = 5000');
      migrate(this.db);
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  // people

  async putPerson(person: Person): Promise<void> {
    // Not INSERT OR REPLACE: REPLACE deletes the old row first, which would cascade to the faces.
    this.db
      .prepare(
        `INSERT INTO people (person_id, name, name_fold, status, valid_from, valid_until, allowed_doors, created_at, updated_at)
         VALUES (@person_id, @name, @name_fold, @status, @valid_from, @valid_until, @allowed_doors, @created_at, @updated_at)
         ON CONFLICT (person_id) DO UPDATE SET name = excluded.name, name_fold = excluded.name_fold,
           status = excluded.status, valid_from = excluded.valid_from, valid_until = excluded.valid_until,
           allowed_doors = excluded.allowed_doors, created_at = excluded.created_at, updated_at = excluded.updated_at`,
      )
      .run(personToRow(person));
  }

  async getPerson(personId: string): Promise<Person | null> {
    const row = this.db.prepare('SELECT * FROM people WHERE person_id = ?').get(personId) as PersonRow | undefined;
    return row ? rowToPerson(row) : null;
  }

  async listPeople(filter: PersonFilter = {}): Promise<Person[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.search !== undefined && filter.search !== '') {
      // instr(), not LIKE: search text is literal, '%' and '_' are not wildcards.
      where.push('instr(name_fold, ?) > 0');
      params.push(foldName(filter.search));
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    const sql = `SELECT * FROM people ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY name_fold, person_id`;
    return (this.db.prepare(sql).all(...params) as PersonRow[]).map(rowToPerson);
  }

  async deletePerson(personId: string): Promise<EnrolledFace[]> {
    const removed = this.db.transaction(() => {
      const faces = (
        this.db
          .prepare('SELECT * FROM faces WHERE person_id = ? ORDER BY created_at, face_id')
          .all(personId) as FaceRow[]
      ).map(rowToFace);
      this.db.prepare('DELETE FROM faces WHERE person_id = ?').run(personId);
      this.db.prepare('DELETE FROM people WHERE person_id = ?').run(personId);
      return faces;
    })();
    this.flushErasure();
    return removed;
  }

  // faces

  async addFace(face: EnrolledFace): Promise<void> {
    this.db
      .prepare('INSERT INTO faces (face_id, person_id, photo_key, created_at) VALUES (?, ?, ?, ?)')
      .run(face.faceId, face.personId, face.photoKey, face.createdAt);
  }

  async listFaces(personId: string): Promise<EnrolledFace[]> {
    const rows = this.db
      .prepare('SELECT * FROM faces WHERE person_id = ? ORDER BY created_at, face_id')
      .all(personId) as FaceRow[];
    return rows.map(rowToFace);
  }

  async getFace(faceId: string): Promise<EnrolledFace | null> {
    const row = this.db.prepare('SELECT * FROM faces WHERE face_id = ?').get(faceId) as FaceRow | undefined;
    return row ? rowToFace(row) : null;
  }

  async deleteFace(faceId: string): Promise<EnrolledFace | null> {
    const row = this.db.prepare('DELETE FROM faces WHERE face_id = ? RETURNING *').get(faceId) as FaceRow | undefined;
    if (!row) return null;
    this.flushErasure();
    return rowToFace(row);
  }

  /** Face counts for many people in one query (the admin site's people list). */
  async countFacesByPerson(): Promise<Map<string, number>> {
    const rows = this.db.prepare('SELECT person_id, COUNT(*) AS n FROM faces GROUP BY person_id').all() as {
      person_id: string;
      n: number;
    }[];
    return new Map(rows.map((r) => [r.person_id, r.n]));
  }

  // doors

  async putDoor(door: Door): Promise<void> {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO doors (door_id, name, enabled, pulse_ms, online, lock, last_seen_at, agent_version, alarm, alarm_since, wiring, created_at)
         VALUES (@door_id, @name, @enabled, @pulse_ms, @online, @lock, @last_seen_at, @agent_version, @alarm, @alarm_since, @wiring, @created_at)`,
      )
      .run(doorToRow(door));
  }

  async getDoor(doorId: string): Promise<Door | null> {
    const row = this.db.prepare('SELECT * FROM doors WHERE door_id = ?').get(doorId) as DoorRow | undefined;
    return row ? rowToDoor(row) : null;
  }

  async listDoors(): Promise<Door[]> {
    return (this.db.prepare('SELECT * FROM doors ORDER BY door_id').all() as DoorRow[]).map(rowToDoor);
  }

  async deleteDoor(doorId: string): Promise<void> {
    this.db.prepare('DELETE FROM doors WHERE door_id = ?').run(doorId);
  }

  async updateDoorState(doorId: string, patch: DoorStatePatch): Promise<void> {
    const sets: string[] = [];
    const params: Record<string, unknown> = { door_id: doorId };
    if (patch.enabled !== undefined) {
      sets.push('enabled = @enabled');
      params.enabled = patch.enabled ? 1 : 0;
    }
    if (patch.online !== undefined) {
      sets.push('online = @online');
      params.online = patch.online ? 1 : 0;
    }
    if (patch.lock !== undefined) {
      sets.push('lock = @lock');
      params.lock = patch.lock;
    }
    if (patch.lastSeenAt !== undefined) {
      sets.push('last_seen_at = @last_seen_at');
      params.last_seen_at = patch.lastSeenAt;
    }
    if (patch.agentVersion !== undefined) {
      sets.push('agent_version = @agent_version');
      params.agent_version = patch.agentVersion;
    }
    if (patch.alarm !== undefined) {
      sets.push('alarm = @alarm');
      params.alarm = patch.alarm;
    }
    if (patch.alarmSince !== undefined) {
      sets.push('alarm_since = @alarm_since');
      params.alarm_since = patch.alarmSince;
    }
    if (patch.wiring !== undefined) {
      sets.push('wiring = @wiring');
      params.wiring = JSON.stringify(patch.wiring);
    }
    if (sets.length === 0) return;
    this.db.prepare(`UPDATE doors SET ${sets.join(', ')} WHERE door_id = @door_id`).run(params);
  }

  // audit log

  async appendEvent(event: AuditEvent): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO events (event_id, at, kind, door_id, person_id, person_name, result, reason, score, snapshot_key, decision_id, actor, detail)
         VALUES (@event_id, @at, @kind, @door_id, @person_id, @person_name, @result, @reason, @score, @snapshot_key, @decision_id, @actor, @detail)`,
      )
      .run(eventToRow(event));
  }

  async listEvents(filter: EventFilter = {}): Promise<{ events: AuditEvent[]; cursor: string | null }> {
    const requested = Number.isFinite(filter.limit) ? Math.trunc(filter.limit!) : DEFAULT_EVENT_LIMIT;
    const limit = Math.min(Math.max(requested, 1), MAX_EVENT_LIMIT);
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    const eq = (column: string, value: unknown) => {
      if (value === undefined) return;
      where.push(`${column} = @${column}`);
      params[column] = value;
    };
    eq('door_id', filter.doorId);
    eq('person_id', filter.personId);
    eq('result', filter.result);
    eq('kind', filter.kind);
    if (filter.from !== undefined) {
      where.push('at >= @from');
      params.from = filter.from;
    }
    if (filter.to !== undefined) {
      where.push('at <= @to');
      params.to = filter.to;
    }
    if (filter.cursor !== undefined) {
      const after = decodeEventCursor(filter.cursor);
      where.push('(at < @cursor_at OR (at = @cursor_at AND event_id < @cursor_id))');
      params.cursor_at = after.at;
      params.cursor_id = after.id;
    }
    params.limit = limit + 1; // one extra row says whether another page follows
    const sql = `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY at DESC, event_id DESC LIMIT @limit`;
    const rows = this.db.prepare(sql).all(params) as EventRow[];
    const page = rows.slice(0, limit).map(rowToEvent);
    const last = page[page.length - 1];
    const cursor = rows.length > limit && last ? encodeEventCursor({ at: last.at, id: last.eventId }) : null;
    return { events: page, cursor };
  }

  async redactPersonEvents(personId: string): Promise<string[]> {
    const unlinked = this.db.transaction(() => {
      const keys = (
        this.db
          .prepare('SELECT DISTINCT snapshot_key FROM events WHERE person_id = ? AND snapshot_key IS NOT NULL')
          .all(personId) as { snapshot_key: string }[]
      ).map((r) => r.snapshot_key);
      this.db
        .prepare('UPDATE events SET person_id = NULL, person_name = NULL, snapshot_key = NULL WHERE person_id = ?')
        .run(personId);
      return keys;
    })();
    this.flushErasure();
    return unlinked;
  }

  /**
   * Erased rows must not linger in the write-ahead log: checkpoint it into the (secure_delete)
   * database file and truncate it. Best effort: a reader holding the WAL open delays truncation.
   */
  private flushErasure(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

export function openSqliteRecords(dbPath: string): SqliteRecords {
  return new SqliteRecords(dbPath);
}
