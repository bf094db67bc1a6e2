/**
 * SQLite storage of face embeddings. Every embedding is sealed (AES-256-GCM) before it touches the
 * disk: embeddings are biometric data. The associated data binds the face id, the person id and the
 * model id, so a row whose person (or model) is rewritten in the file no longer opens: whoever can
 * write faces.db cannot attach a face to another person without the key. secure_delete overwrites
 * freed pages so an erased person's embedding does not linger in the file.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { open, seal } from '../aead.js';

export interface StoredFace {
  faceId: string;
  personId: string;
  model: string;
  vector: Float32Array;
}

/** user_version from which every row is sealed with {@link embeddingAad}. */
const SCHEMA_BOUND_AAD = 2;

/** What a sealed embedding is bound to: its face, its person and the model that made it. */
export function embeddingAad(face: { faceId: string; personId: string; model: string }): string {
  return JSON.stringify(['facegate-embedding-v2', face.faceId, face.personId, face.model]);
}

interface Row {
  face_id: string;
  person_id: string;
  model: string;
  sealed: Buffer;
}

export class EmbeddingStore {
  private readonly db: Database.Database;
  private readonly insertStmt: Database.Statement;
  private readonly countStmt: Database.Statement;

  constructor(
    dbPath: string,
    private readonly dataKey: Buffer,
  ) {
    fs.mkdirSync(path.dirname(path.resolve(dbPath)), { recursive: true, mode: 0o700 });
    if (dbPath !== ':memory:') {
      // Create the file 0600 before SQLite does (its -wal/-shm take the database's mode).
      fs.closeSync(fs.openSync(dbPath, 'a', 0o600));
      fs.chmodSync(dbPath, 0o600);
    }
    this.db = new Database(dbPath);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('secure_delete = ON');
    this.db.pragma('busy_timeout = 5000'); // the CLI enrolls from another process while the server runs
    this.db.exec(`CREATE TABLE IF NOT EXISTS face_embeddings (
      face_id TEXT PRIMARY KEY,
      person_id TEXT NOT NULL,
      model TEXT NOT NULL,
      sealed BLOB NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS face_embeddings_person ON face_embeddings(person_id);`);
    this.migrateToBoundAad();
    this.insertStmt = this.db.prepare(
      'INSERT INTO face_embeddings (face_id, person_id, model, sealed, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.countStmt = this.db.prepare('SELECT COUNT(*) AS n FROM face_embeddings');
  }

  /**
   * One-time migration of rows sealed before the person and model were bound (associated data was
   * the face id alone): each is opened with the old binding and re-sealed with the new one, in one
   * transaction, then user_version records that only the new binding is accepted from now on.
   * Rows that do not open are left as they are (loadAll reports them unreadable).
   */
  private migrateToBoundAad(): void {
    const select = this.db.prepare('SELECT face_id, person_id, model, sealed FROM face_embeddings');
    const update = this.db.prepare('UPDATE face_embeddings SET sealed = ? WHERE face_id = ?');
    // IMMEDIATE: the CLI and the server may open the same file at once; only one migrates.
    this.db
      .transaction(() => {
        if ((this.db.pragma('user_version', { simple: true }) as number) >= SCHEMA_BOUND_AAD) return;
        for (const row of select.all() as Row[]) {
          let plain: Buffer;
          try {
            plain = open(this.dataKey, row.sealed, row.face_id);
          } catch {
            continue;
          }
          const face = { faceId: row.face_id, personId: row.person_id, model: row.model };
          update.run(seal(this.dataKey, plain, embeddingAad(face)), row.face_id);
        }
        this.db.pragma(`user_version = ${SCHEMA_BOUND_AAD}`);
      })
      .immediate();
  }

  /** Changes whenever another connection commits (SQLite's PRAGMA data_version). */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  insert(face: StoredFace): void {
    const bytes = new Uint8Array(face.vector.buffer, face.vector.byteOffset, face.vector.byteLength);
    this.insertStmt.run(
      face.faceId,
      face.personId,
      face.model,
      seal(this.dataKey, bytes, embeddingAad(face)),
      Date.now(),
    );
  }

  /**
   * The face's vector from another model, in place of the old one (same face id, person and
   * enrolment time): what re-embedding after an engine change writes. The old sealed bytes are
   * overwritten on disk (secure_delete), as on delete. False when the face is gone meanwhile.
   */
  replace(face: StoredFace): boolean {
    const bytes = new Uint8Array(face.vector.buffer, face.vector.byteOffset, face.vector.byteLength);
    const changes = this.db
      .prepare('UPDATE face_embeddings SET model = ?, sealed = ? WHERE face_id = ? AND person_id = ?')
      .run(face.model, seal(this.dataKey, bytes, embeddingAad(face)), face.faceId, face.personId).changes;
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return changes > 0;
  }

  /** All faces; rows that fail to open (wrong key, tampered) are reported, not returned. */
  loadAll(): { faces: StoredFace[]; unreadable: string[] } {
    const rows = this.db.prepare('SELECT face_id, person_id, model, sealed FROM face_embeddings').all() as Row[];
    const faces: StoredFace[] = [];
    const unreadable: string[] = [];
    for (const row of rows) {
      try {
        const plain = open(
          this.dataKey,
          row.sealed,
          embeddingAad({ faceId: row.face_id, personId: row.person_id, model: row.model }),
        );
        const vector = new Float32Array(plain.buffer.slice(plain.byteOffset, plain.byteOffset + plain.byteLength));
        faces.push({ faceId: row.face_id, personId: row.person_id, model: row.model, vector });
      } catch {
        unreadable.push(row.face_id);
      }
    }
    return { faces, unreadable };
  }

  delete(faceIds: string[]): number {
    const stmt = this.db.prepare('DELETE FROM face_embeddings WHERE face_id = ?');
    const run = this.db.transaction((ids: string[]) => ids.reduce((n, id) => n + stmt.run(id).changes, 0));
    const removed = run(faceIds);
    // Move WAL content (which still holds the old pages) into the main file, where secure_delete zeroed them.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return removed;
  }

  count(): number {
    return (this.countStmt.get() as { n: number }).n;
  }

  close(): void {
    this.db.close();
  }
}
