/**
 * Copies a local installation into a deployed stack, through the ports only: doors, people and
 * the audit log from one Records to another; enrolment photos and door snapshots from one
 * ImageStore to another; each enrolment photo indexed again into the target's face index (local
 * embeddings mean nothing to Rekognition), its face row written with the new face id and the
 * same photo key.
 *
 * Safe to run again: an item the target already holds is left as it is (a door or person changed
 * on AWS since is not overwritten; a photo whose face row exists is done), events are upserts
 * under their own ids read from where the journal says the last run stopped, and a photo's new
 * face id is journaled the moment the index returns it, so a rerun links that face rather than
 * indexing the photo twice.
 */
import type { AuditEvent, Door, EnrolledFace } from '../../cloud/src/domain/types.js';
import { ImageDecodeError, PhotoRejectedError } from '../../cloud/src/errors.js';
import type { FaceIndex } from '../../cloud/src/ports/face-index.js';
import type { ImageStore } from '../../cloud/src/ports/image-store.js';
import type { Records } from '../../cloud/src/ports/records.js';
import type { MigrationJournal } from './migration-journal.js';
import type { Progress } from './progress.js';

export interface MigrationSource {
  records: Records;
  images: ImageStore;
}

/** A face in the target's collection (Rekognition's ListFaces: FaceId and ExternalImageId). */
export interface CollectionFace {
  faceId: string;
  personId: string | null;
}

export interface MigrationTarget {
  records: Records;
  images: ImageStore;
  faceIndex: Pick<FaceIndex, 'index' | 'deleteFaces'>;
  /** Every face in the collection. */
  listCollectionFaces(): Promise<CollectionFace[]>;
}

export const MIGRATION_KINDS = ['doors', 'people', 'photos', 'snapshots', 'events'] as const;
export type MigrationKind = (typeof MIGRATION_KINDS)[number];

export interface KindReport {
  /** Items found locally. */
  total: number;
  /** Written to the target by this run (with dryRun: what would be). */
  moved: number;
  /** Already in the target (or moved by an earlier run). */
  already: number;
  /** Moved by an earlier run and deleted on AWS since (an erased person, a removed door): not brought back. */
  removedSince: number;
}

export interface MigrationReport {
  kinds: Record<MigrationKind, KindReport>;
  /** Every door moved or already there: each needs a new certificate from IoT Core. */
  doors: Door[];
  /** true when `limit` stopped the run before everything was moved. */
  stoppedAtLimit: boolean;
  /** Photos the target's face index refused (the person must be enrolled again there); not moved. */
  refusedPhotos: { personId: string; photoKey: string; reason: string }[];
  /** Face rows whose photo is missing from the local image store; nothing to index. */
  missingPhotos: { personId: string; photoKey: string }[];
  /** Faces found in the collection for a migrated person that no face row or journal entry names
   * (left by a run that stopped between IndexFaces and the journal): deleted. */
  strayFacesDeleted: number;
}

export interface MigrateOptions {
  source: MigrationSource;
  target: MigrationTarget;
  journal: MigrationJournal;
  progress: Progress;
  /** Count what would move; write nothing (not even the journal). */
  dryRun?: boolean;
  /** Stop after writing this many items (a run in batches; the next run continues). */
  limit?: number;
  /** Parallel writes to the target (default 8). */
  concurrency?: number;
}

/** Local audit log pages read at a time. */
const EVENT_PAGE = 500;

class LimitReached extends Error {}

export async function migrateToAws(options: MigrateOptions): Promise<MigrationReport> {
  const { source, target, journal, progress } = options;
  const dryRun = options.dryRun ?? false;
  const concurrency = options.concurrency ?? 8;
  let budget = options.limit ?? Infinity;
  const kinds = Object.fromEntries(
    MIGRATION_KINDS.map((k) => [k, { total: 0, moved: 0, already: 0, removedSince: 0 } satisfies KindReport]),
  ) as Record<MigrationKind, KindReport>;
  const report: MigrationReport = {
    kinds,
    doors: [],
    stoppedAtLimit: false,
    refusedPhotos: [],
    missingPhotos: [],
    strayFacesDeleted: 0,
  };

  /** Takes one write from the budget; throws LimitReached when none is left. */
  const spend = () => {
    if (dryRun) return;
    if (budget <= 0) throw new LimitReached();
    budget--;
  };
  const finish = (kind: MigrationKind) => {
    const k = kinds[kind];
    const removed = k.removedSince > 0 ? `, ${k.removedSince} deleted on AWS since and left deleted` : '';
    progress.finish(
      dryRun
        ? `${k.total} found (would move ${k.moved}, ${k.already} already there${removed})`
        : `${k.moved + k.already + k.removedSince} of ${k.total} (moved ${k.moved}, ${k.already} already there${removed})`,
    );
  };

  try {
    // What an earlier run moved is journaled, so that something deleted on AWS since (a person
    // erased, a door removed) is not brought back by a rerun.
    const movedBefore = { doors: new Set(journal.state.doors), people: new Set(journal.state.people) };
    const remember = (kind: 'doors' | 'people', id: string) => {
      if (!dryRun && !movedBefore[kind].has(id)) {
        movedBefore[kind].add(id);
        journal.state[kind].push(id);
      }
    };

    // Doors first: people's allowedDoors and the events name them.
    const doors = await source.records.listDoors();
    const targetDoors = new Set((await target.records.listDoors()).map((d) => d.doorId));
    kinds.doors.total = doors.length;
    progress.start('doors', doors.length);
    try {
      await eachLimited(doors, concurrency, async (door) => {
        if (targetDoors.has(door.doorId)) {
          kinds.doors.already++;
          remember('doors', door.doorId);
          report.doors.push(door);
        } else if (movedBefore.doors.has(door.doorId)) kinds.doors.removedSince++;
        else {
          spend();
          // Its live state belongs to the local broker: on AWS it is offline until re-provisioned.
          if (!dryRun) await target.records.putDoor({ ...door, online: false, lock: 'unknown', agentVersion: null });
          remember('doors', door.doorId);
          kinds.doors.moved++;
          report.doors.push(door);
        }
        progress.update(kinds.doors.moved + kinds.doors.already + kinds.doors.removedSince);
      });
    } finally {
      if (!dryRun) journal.save();
    }
    finish('doors');

    const people = await source.records.listPeople();
    const targetPeople = new Set((await target.records.listPeople()).map((p) => p.personId));
    const onTarget: string[] = [];
    /** People erased on AWS since an earlier run moved them: their snapshots and names stay local. */
    const erased = new Set<string>();
    kinds.people.total = people.length;
    progress.start('people', people.length);
    try {
      await eachLimited(people, concurrency, async (person) => {
        if (targetPeople.has(person.personId)) {
          kinds.people.already++;
          remember('people', person.personId);
          onTarget.push(person.personId);
        } else if (movedBefore.people.has(person.personId)) {
          kinds.people.removedSince++;
          erased.add(person.personId);
        } else {
          spend();
          if (!dryRun) await target.records.putPerson(person);
          remember('people', person.personId);
          kinds.people.moved++;
          onTarget.push(person.personId);
        }
        progress.update(kinds.people.moved + kinds.people.already + kinds.people.removedSince);
      });
    } finally {
      if (!dryRun) journal.save();
    }
    finish('people');

    // Only the photos of people on the target: an erased person's photos stay local.
    await migratePhotos(options, onTarget.sort(), report, spend, dryRun);
    finish('photos');

    const erasedSnapshots = new Set<string>();
    for (const personId of erased) {
      for (const event of await allEvents(source.records, personId)) {
        if (event.snapshotKey) erasedSnapshots.add(event.snapshotKey);
      }
    }
    const snapshots = (await source.images.list('snapshots/')).filter((key) => !erasedSnapshots.has(key));
    kinds.snapshots.total = snapshots.length;
    progress.start('snapshots', snapshots.length);
    if (journal.state.snapshotsDone) {
      // Copied whole by an earlier run: one missing from the bucket now was erased there.
      kinds.snapshots.already = snapshots.length;
      progress.update(snapshots.length);
    } else {
      const targetSnapshots = new Set(await target.images.list('snapshots/'));
      await eachLimited(snapshots, concurrency, async (key) => {
        if (targetSnapshots.has(key)) kinds.snapshots.already++;
        else {
          spend();
          if (!dryRun) {
            const image = await source.images.get(key);
            // Listed a moment ago: only a deletion meanwhile (an erasure) makes it vanish.
            if (image) await target.images.put(key, image.bytes, image.contentType);
          }
          kinds.snapshots.moved++;
        }
        progress.update(kinds.snapshots.moved + kinds.snapshots.already);
      });
      if (!dryRun) {
        journal.state.snapshotsDone = true;
        journal.save();
      }
    }
    finish('snapshots');

    await migrateEvents(options, kinds.events, spend, dryRun, concurrency, erased);
    finish('events');
  } catch (err) {
    if (!(err instanceof LimitReached)) throw err;
    report.stoppedAtLimit = true;
  }
  return report;
}

/** Rekognition's IndexFaces rate is a few calls a second per account: stay well under it. */
const INDEX_CONCURRENCY = 2;

async function migratePhotos(
  options: MigrateOptions,
  personIds: string[],
  report: MigrationReport,
  spend: () => void,
  dryRun: boolean,
): Promise<void> {
  const { source, target, journal, progress } = options;
  const kind = report.kinds.photos;
  const local = new Map<string, EnrolledFace[]>();
  for (const personId of personIds) local.set(personId, await source.records.listFaces(personId));
  kind.total = [...local.values()].reduce((n, faces) => n + faces.length, 0);
  progress.start('photos', kind.total);

  const indexed = journal.state.indexed;
  let collection: Map<string, string | null> | null = null;
  const update = () => progress.update(kind.moved + kind.already);
  for (const [personId, faces] of local) {
    const done = new Set((await target.records.listFaces(personId)).map((f) => f.photoKey));
    const todo = faces.filter((f) => !done.has(f.photoKey));
    kind.already += faces.length - todo.length;
    update();
    if (todo.length === 0) continue;
    if (dryRun) {
      kind.moved += todo.length;
      update();
      continue;
    }
    collection ??= new Map((await target.listCollectionFaces()).map((f) => [f.faceId, f.personId]));
    const known = collection;
    // A face of this person that no face row and no journal entry names was indexed by a run
    // that stopped before it could journal it: remove it, or it would match with nothing to erase.
    const named = new Set([
      ...(await target.records.listFaces(personId)).map((f) => f.faceId),
      ...Object.values(indexed),
    ]);
    const strays = [...known].filter(([faceId, owner]) => owner === personId && !named.has(faceId)).map(([id]) => id);
    if (strays.length > 0) {
      await target.faceIndex.deleteFaces(strays);
      for (const faceId of strays) known.delete(faceId);
      report.strayFacesDeleted += strays.length;
    }

    await eachLimited(todo, INDEX_CONCURRENCY, async (face) => {
      spend();
      const image = await source.images.get(face.photoKey);
      if (!image) {
        report.missingPhotos.push({ personId, photoKey: face.photoKey });
        return;
      }
      let faceId = indexed[face.photoKey];
      if (faceId === undefined || !known.has(faceId)) {
        try {
          faceId = (await target.faceIndex.index(personId, image.bytes)).faceId;
        } catch (err) {
          if (!(err instanceof PhotoRejectedError || err instanceof ImageDecodeError)) throw err;
          report.refusedPhotos.push({ personId, photoKey: face.photoKey, reason: err.message });
          return;
        }
        known.set(faceId, personId);
        indexed[face.photoKey] = faceId;
        journal.save();
      }
      // The same order as enrolment: indexed, photo stored, then the row that makes it count.
      await target.images.put(face.photoKey, image.bytes, image.contentType);
      await target.records.addFace({ faceId, personId, photoKey: face.photoKey, createdAt: face.createdAt });
      kind.moved++;
      update();
    });
  }
}

async function migrateEvents(
  options: MigrateOptions,
  report: KindReport,
  spend: () => void,
  dryRun: boolean,
  concurrency: number,
  erased: ReadonlySet<string>,
): Promise<void> {
  const { source, target, journal, progress } = options;
  const state = journal.state.events;
  report.total = await countEvents(source.records);
  progress.start('events', report.total);
  if (state.done) {
    report.already = report.total;
    progress.update(report.total);
    return;
  }
  // Everything before the journal's cursor was written by an earlier run.
  report.already = state.moved;
  let cursor = state.cursor;
  for (;;) {
    const page = await source.records.listEvents({ limit: EVENT_PAGE, ...(cursor !== null && { cursor }) });
    if (dryRun) report.moved += page.events.length;
    else {
      // Progress within a page is not recorded: its events are upserts under their own ids, so a
      // rerun writes the interrupted page again without duplicating anything.
      await eachLimited(page.events, concurrency, async (event) => {
        spend();
        // Unlinked from a person erased on AWS, as the erasure unlinked the events already there.
        await target.records.appendEvent(
          event.personId !== null && erased.has(event.personId)
            ? { ...event, personId: null, personName: null, snapshotKey: null }
            : event,
        );
        report.moved++;
        progress.update(report.moved + report.already);
      });
      state.cursor = page.cursor;
      state.moved += page.events.length;
      state.done = page.cursor === null;
      journal.save();
    }
    progress.update(report.moved + report.already);
    if (page.cursor === null) return;
    cursor = page.cursor;
  }
}

/** A person's events in the local log (they name the person's snapshots). */
async function allEvents(records: Records, personId: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | null = null;
  do {
    const page: { events: AuditEvent[]; cursor: string | null } = await records.listEvents({
      personId,
      limit: 1000,
      ...(cursor !== null && { cursor }),
    });
    events.push(...page.events);
    cursor = page.cursor;
  } while (cursor !== null);
  return events;
}

async function countEvents(records: Records): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: { events: unknown[]; cursor: string | null } = await records.listEvents({
      limit: 1000,
      ...(cursor !== null && { cursor }),
    });
    count += page.events.length;
    cursor = page.cursor;
  } while (cursor !== null);
  return count;
}

/**
 * Runs `fn` over items with at most `concurrency` in flight; the first error stops new items and
 * is thrown once those in flight have settled (so the journal is never saved past a failure).
 */
async function eachLimited<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | null = null;
  const worker = async () => {
    while (failure === null && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failure !== null) throw (failure as { err: unknown }).err;
}
