/**
 * Copies a local installation into a deployed stack, through the ports only: doors, people and
 * the audit log from one Records to another. Safe to run again: an item the target already holds
 * is left as it is (a door or person changed on AWS since is not overwritten), and events are
 * upserts under their own ids, read from where the journal says the last run stopped.
 */
import type { Door } from '../../cloud/src/domain/types.js';
import type { Records } from '../../cloud/src/ports/records.js';
import type { MigrationJournal } from './migration-journal.js';
import type { Progress } from './progress.js';

export interface MigrationSource {
  records: Records;
}

export interface MigrationTarget {
  records: Records;
}

export const MIGRATION_KINDS = ['doors', 'people', 'events'] as const;
export type MigrationKind = (typeof MIGRATION_KINDS)[number];

export interface KindReport {
  /** Items found locally. */
  total: number;
  /** Written to the target by this run (with dryRun: what would be). */
  moved: number;
  /** Already in the target (or moved by an earlier run). */
  already: number;
}

export interface MigrationReport {
  kinds: Record<MigrationKind, KindReport>;
  /** Every door moved or already there: each needs a new certificate from IoT Core. */
  doors: Door[];
  /** true when `limit` stopped the run before everything was moved. */
  stoppedAtLimit: boolean;
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
  const { source, target, progress } = options;
  const dryRun = options.dryRun ?? false;
  const concurrency = options.concurrency ?? 8;
  let budget = options.limit ?? Infinity;
  const kinds = Object.fromEntries(
    MIGRATION_KINDS.map((k) => [k, { total: 0, moved: 0, already: 0 } satisfies KindReport]),
  ) as Record<MigrationKind, KindReport>;
  const report: MigrationReport = { kinds, doors: [], stoppedAtLimit: false };

  /** Takes one write from the budget; throws LimitReached when none is left. */
  const spend = () => {
    if (dryRun) return;
    if (budget <= 0) throw new LimitReached();
    budget--;
  };
  const finish = (kind: MigrationKind) => {
    const k = kinds[kind];
    progress.finish(
      dryRun
        ? `${k.total} found (would move ${k.moved}, ${k.already} already there)`
        : `${k.moved + k.already} of ${k.total} (moved ${k.moved}, ${k.already} already there)`,
    );
  };

  try {
    // Doors first: people's allowedDoors and the events name them.
    const doors = await source.records.listDoors();
    const targetDoors = new Set((await target.records.listDoors()).map((d) => d.doorId));
    kinds.doors.total = doors.length;
    progress.start('doors', doors.length);
    await eachLimited(doors, concurrency, async (door) => {
      if (targetDoors.has(door.doorId)) kinds.doors.already++;
      else {
        spend();
        // Its live state belongs to the local broker: on AWS it is offline until re-provisioned.
        if (!dryRun) await target.records.putDoor({ ...door, online: false, lock: 'unknown', agentVersion: null });
        kinds.doors.moved++;
      }
      report.doors.push(door);
      progress.update(kinds.doors.moved + kinds.doors.already);
    });
    finish('doors');

    const people = await source.records.listPeople();
    const targetPeople = new Set((await target.records.listPeople()).map((p) => p.personId));
    kinds.people.total = people.length;
    progress.start('people', people.length);
    await eachLimited(people, concurrency, async (person) => {
      if (targetPeople.has(person.personId)) kinds.people.already++;
      else {
        spend();
        if (!dryRun) await target.records.putPerson(person);
        kinds.people.moved++;
      }
      progress.update(kinds.people.moved + kinds.people.already);
    });
    finish('people');

    await migrateEvents(options, kinds.events, spend, dryRun, concurrency);
    finish('events');
  } catch (err) {
    if (!(err instanceof LimitReached)) throw err;
    report.stoppedAtLimit = true;
  }
  return report;
}

async function migrateEvents(
  options: MigrateOptions,
  report: KindReport,
  spend: () => void,
  dryRun: boolean,
  concurrency: number,
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
        await target.records.appendEvent(event);
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
