/**
 * What a `migrate-to-aws` run has done that the target cannot tell by itself, kept in the local
 * data directory so a crash or an interrupted run continues where it stopped:
 * - the doors and people already moved, so one deleted on AWS since (an erasure) stays deleted;
 * - the audit log's read position (events are upserts under their own ids, so the page in flight
 *   when a run stopped is written again harmlessly, never twice);
 * - the Rekognition face id each enrolment photo was given, saved the moment IndexFaces answers
 *   and before the face row is written, so a rerun links that face instead of indexing the photo
 *   a second time.
 * One file per target (site and table/bucket/collection names): a second stack starts afresh.
 * Written whole to a temporary file, synced and renamed, so a crash leaves the old or the new one.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../lib/errors.js';

const JournalSchema = z.object({
  version: z.literal(1),
  target: z.string(),
  events: z.object({
    /** Cursor of the next local page to copy; null = from the newest event. */
    cursor: z.string().nullable(),
    moved: z.number().int().nonnegative(),
    done: z.boolean(),
  }),
  /** photo key → the face id Rekognition gave it. */
  indexed: z.record(z.string(), z.string()),
  /** Ids moved (or found there) by a run: one deleted on AWS since is not brought back. */
  doors: z.array(z.string()).default([]),
  people: z.array(z.string()).default([]),
  /** Every local snapshot was copied: later runs leave the bucket alone (an erasure there stays). */
  snapshotsDone: z.boolean().default(false),
});
export type JournalState = z.infer<typeof JournalSchema>;

export interface MigrationJournal {
  readonly file: string;
  readonly state: JournalState;
  save(): void;
}

/** The journal of migrations from `dataDir` to `target` (any JSON-able description of the target). */
export function openMigrationJournal(dataDir: string, site: string, target: unknown): MigrationJournal {
  const targetId = JSON.stringify(target);
  const hash = createHash('sha256').update(targetId).digest('hex').slice(0, 12);
  const dir = path.join(dataDir, 'migrations');
  const file = path.join(dir, `aws-${site}-${hash}.json`);
  let state: JournalState = {
    version: 1,
    target: targetId,
    events: { cursor: null, moved: 0, done: false },
    indexed: {},
    doors: [],
    people: [],
    snapshotsDone: false,
  };
  let raw: string | null = null;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (raw !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (cause) {
      throw new ConfigError(`the migration journal ${file} is not JSON; move it away to start over`, { cause });
    }
    const result = JournalSchema.safeParse(parsed);
    if (!result.success || result.data.target !== targetId) {
      throw new ConfigError(`the migration journal ${file} is not one this command wrote; move it away to start over`);
    }
    state = result.data;
  }
  return {
    file,
    state,
    save() {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const tmp = `${file}.tmp`;
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        fs.writeSync(fd, JSON.stringify(state));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, file);
    },
  };
}
