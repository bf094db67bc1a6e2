/**
 * The Records port's contract, written once and run against every adapter (SQLite, DynamoDB).
 * `open` must return an empty store each time (a fresh file, table or table prefix); it is called
 * before every test and closed after it. Only behaviour promised by cloud/src/ports/records.ts
 * is checked, so nothing here depends on SQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent, EnrolledFace } from '../../cloud/src/domain/types.js';
import type { Records } from '../../cloud/src/ports/records.js';
import { makeDoor, makeEvent, makePerson, T0 } from '../support/records.js';

export interface OpenedRecords {
  records: Records;
  close(): Promise<void>;
}

function face(faceId: string, personId: string, createdAt = T0): EnrolledFace {
  return { faceId, personId, photoKey: `photos/${personId}/${faceId}.jpg`, createdAt };
}

/** Reads every page of a filter; checks each page respects the limit and the cursor terminates. */
async function readAll(records: Records, filter: Parameters<Records['listEvents']>[0] = {}): Promise<AuditEvent[]> {
  const all: AuditEvent[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 200; page++) {
    const res = await records.listEvents({ ...filter, ...(cursor ? { cursor } : {}) });
    if (filter.limit !== undefined) expect(res.events.length).toBeLessThanOrEqual(filter.limit);
    all.push(...res.events);
    if (res.cursor === null) return all;
    cursor = res.cursor;
  }
  throw new Error('listEvents paging did not terminate');
}

export function recordsContract(name: string, open: () => Promise<OpenedRecords>): void {
  describe(`Records contract: ${name}`, () => {
    let opened: OpenedRecords;
    let records: Records;

    beforeEach(async () => {
      opened = await open();
      records = opened.records;
    });
    afterEach(async () => {
      await opened.close();
    });

    describe('people', () => {
      it('round-trips a person with every field, and returns null for a missing one', async () => {
        const p = makePerson('person-0001', {
          name: 'Zoë Ångström',
          status: 'inactive',
          validFrom: T0 - 1000,
          validUntil: T0 + 86_400_000,
          allowedDoors: ['front-door', 'lab'],
          updatedAt: T0 + 5,
        });
        await records.putPerson(p);
        expect(await records.getPerson('person-0001')).toEqual(p);
        expect(await records.getPerson('person-missing')).toBeNull();
      });

      it('keeps an empty allowedDoors list distinct from null', async () => {
        await records.putPerson(makePerson('person-none', { allowedDoors: [] }));
        await records.putPerson(makePerson('person-all', { allowedDoors: null }));
        expect((await records.getPerson('person-none'))?.allowedDoors).toEqual([]);
        expect((await records.getPerson('person-all'))?.allowedDoors).toBeNull();
      });

      it('replaces a person on put (upsert)', async () => {
        await records.putPerson(makePerson('person-0001', { name: 'Old', allowedDoors: ['a'] }));
        const updated = makePerson('person-0001', {
          name: 'New',
          status: 'inactive',
          allowedDoors: null,
          updatedAt: T0 + 9,
        });
        await records.putPerson(updated);
        expect(await records.getPerson('person-0001')).toEqual(updated);
        expect(await records.listPeople()).toHaveLength(1);
      });

      it('lists people sorted by name, filtered by case-insensitive name substring and status', async () => {
        await records.putPerson(makePerson('person-c', { name: 'carol Jones' }));
        await records.putPerson(makePerson('person-a', { name: 'Alice Smith', status: 'inactive' }));
        await records.putPerson(makePerson('person-b', { name: 'Bob SMITHERS' }));
        expect((await records.listPeople()).map((p) => p.personId)).toEqual(['person-a', 'person-b', 'person-c']);
        expect((await records.listPeople({})).map((p) => p.personId)).toEqual(['person-a', 'person-b', 'person-c']);
        expect((await records.listPeople({ search: 'smith' })).map((p) => p.personId)).toEqual([
          'person-a',
          'person-b',
        ]);
        expect((await records.listPeople({ search: 'JONES' })).map((p) => p.personId)).toEqual(['person-c']);
        expect((await records.listPeople({ status: 'active' })).map((p) => p.personId)).toEqual([
          'person-b',
          'person-c',
        ]);
        expect((await records.listPeople({ search: 'smith', status: 'active' })).map((p) => p.personId)).toEqual([
          'person-b',
        ]);
        expect(await records.listPeople({ search: 'nobody' })).toEqual([]);
      });

      it('treats search text literally (no wildcard characters)', async () => {
        await records.putPerson(makePerson('person-a', { name: 'Ann 100% Real' }));
        await records.putPerson(makePerson('person-b', { name: 'Ann_Other' }));
        expect((await records.listPeople({ search: '%' })).map((p) => p.personId)).toEqual(['person-a']);
        expect((await records.listPeople({ search: '_' })).map((p) => p.personId)).toEqual(['person-b']);
      });
    });

    describe('faces', () => {
      it('adds, lists (oldest first) and gets faces; missing face is null', async () => {
        await records.putPerson(makePerson('person-0001'));
        await records.putPerson(makePerson('person-0002'));
        await records.addFace(face('face-b', 'person-0001', T0 + 2));
        await records.addFace(face('face-a', 'person-0001', T0 + 1));
        await records.addFace(face('face-c', 'person-0002', T0 + 3));
        expect(await records.listFaces('person-0001')).toEqual([
          face('face-a', 'person-0001', T0 + 1),
          face('face-b', 'person-0001', T0 + 2),
        ]);
        expect(await records.getFace('face-c')).toEqual(face('face-c', 'person-0002', T0 + 3));
        expect(await records.getFace('face-missing')).toBeNull();
        expect(await records.listFaces('person-missing')).toEqual([]);
      });

      it('deletePerson removes the person and only their faces, returning the removed faces', async () => {
        await records.putPerson(makePerson('person-0001'));
        await records.putPerson(makePerson('person-0002'));
        await records.addFace(face('face-a', 'person-0001', T0 + 1));
        await records.addFace(face('face-b', 'person-0001', T0 + 2));
        await records.addFace(face('face-c', 'person-0002', T0 + 3));

        const removed = await records.deletePerson('person-0001');
        expect([...removed].sort((x, y) => x.faceId.localeCompare(y.faceId))).toEqual([
          face('face-a', 'person-0001', T0 + 1),
          face('face-b', 'person-0001', T0 + 2),
        ]);
        expect(await records.getPerson('person-0001')).toBeNull();
        expect(await records.listFaces('person-0001')).toEqual([]);
        expect(await records.getFace('face-a')).toBeNull();
        expect(await records.getFace('face-b')).toBeNull();
        expect(await records.getFace('face-c')).not.toBeNull();
        expect((await records.listPeople()).map((p) => p.personId)).toEqual(['person-0002']);
      });

      it('deleteFace removes that one face and returns it; a missing face is null', async () => {
        await records.putPerson(makePerson('person-0001'));
        await records.addFace(face('face-a', 'person-0001', T0 + 1));
        await records.addFace(face('face-b', 'person-0001', T0 + 2));
        expect(await records.deleteFace('face-a')).toEqual(face('face-a', 'person-0001', T0 + 1));
        expect(await records.getFace('face-a')).toBeNull();
        expect(await records.listFaces('person-0001')).toEqual([face('face-b', 'person-0001', T0 + 2)]);
        expect(await records.getPerson('person-0001')).not.toBeNull();
        expect(await records.deleteFace('face-a')).toBeNull();
        expect(await records.deleteFace('face-missing')).toBeNull();
      });

      it('deletePerson of a missing person returns no faces and does not throw', async () => {
        expect(await records.deletePerson('person-missing')).toEqual([]);
      });
    });

    describe('doors', () => {
      it('round-trips doors, lists them sorted by id, and returns null for a missing one', async () => {
        const lab = makeDoor('lab', {
          enabled: false,
          pulseMs: 1500,
          online: true,
          lock: 'locked',
          lastSeenAt: T0 + 7,
          agentVersion: '1.2.3',
        });
        await records.putDoor(makeDoor('front-door'));
        await records.putDoor(lab);
        await records.putDoor(makeDoor('back-door'));
        expect(await records.getDoor('lab')).toEqual(lab);
        expect(await records.getDoor('nowhere')).toBeNull();
        expect((await records.listDoors()).map((d) => d.doorId)).toEqual(['back-door', 'front-door', 'lab']);
      });

      it('replaces a door on put (upsert)', async () => {
        await records.putDoor(makeDoor('front-door', { name: 'Old' }));
        const updated = makeDoor('front-door', { name: 'New', pulseMs: 4000 });
        await records.putDoor(updated);
        expect(await records.getDoor('front-door')).toEqual(updated);
        expect(await records.listDoors()).toHaveLength(1);
      });

      it('updateDoorState changes only the fields given', async () => {
        const door = makeDoor('front-door', { agentVersion: '0.9.0', lock: 'locked' });
        await records.putDoor(door);

        await records.updateDoorState('front-door', { online: true });
        expect(await records.getDoor('front-door')).toEqual({ ...door, online: true });

        await records.updateDoorState('front-door', { lock: 'unlocked', lastSeenAt: T0 + 100 });
        expect(await records.getDoor('front-door')).toEqual({
          ...door,
          online: true,
          lock: 'unlocked',
          lastSeenAt: T0 + 100,
        });

        await records.updateDoorState('front-door', { agentVersion: '1.0.0' });
        expect((await records.getDoor('front-door'))?.agentVersion).toBe('1.0.0');
        await records.updateDoorState('front-door', { agentVersion: null });
        expect((await records.getDoor('front-door'))?.agentVersion).toBeNull();

        await records.updateDoorState('front-door', {});
        expect(await records.getDoor('front-door')).toEqual({
          ...door,
          online: true,
          lock: 'unlocked',
          lastSeenAt: T0 + 100,
          agentVersion: null,
        });

        // The admin's switch is a patch too: the state the door reported stays.
        await records.updateDoorState('front-door', { enabled: false });
        expect(await records.getDoor('front-door')).toEqual({
          ...door,
          enabled: false,
          online: true,
          lock: 'unlocked',
          lastSeenAt: T0 + 100,
          agentVersion: null,
        });
        await records.updateDoorState('front-door', { enabled: true });
        expect((await records.getDoor('front-door'))?.enabled).toBe(true);
      });

      it("keeps a door's alarm and its time, and clears them (putDoor and updateDoorState)", async () => {
        const door = makeDoor('front-door', { alarm: 'held_open', alarmSince: T0 + 5 });
        await records.putDoor(door);
        expect(await records.getDoor('front-door')).toEqual(door);

        await records.updateDoorState('front-door', { alarm: 'forced_open', alarmSince: T0 + 10 });
        expect(await records.getDoor('front-door')).toEqual({ ...door, alarm: 'forced_open', alarmSince: T0 + 10 });
        await records.updateDoorState('front-door', { lastSeenAt: T0 + 20 });
        expect((await records.getDoor('front-door'))?.alarm).toBe('forced_open');

        await records.updateDoorState('front-door', { alarm: null, alarmSince: null });
        expect(await records.getDoor('front-door')).toEqual({
          ...door,
          alarm: null,
          alarmSince: null,
          lastSeenAt: T0 + 20,
        });
      });

      it("keeps a door's wiring (nulls included) and changes it only by a wiring patch", async () => {
        const wiring = { relayPin: 5, relayActiveLow: true, contactPin: 6, exitButtonPin: null };
        const door = makeDoor('front-door', { wiring });
        await records.putDoor(door);
        expect(await records.getDoor('front-door')).toEqual(door);

        await records.updateDoorState('front-door', { online: true, lock: 'locked' });
        expect((await records.getDoor('front-door'))?.wiring).toEqual(wiring);

        const rewired = { relayPin: 17, relayActiveLow: false, contactPin: null, exitButtonPin: 22 };
        await records.updateDoorState('front-door', { wiring: rewired });
        expect(await records.getDoor('front-door')).toEqual({ ...door, online: true, lock: 'locked', wiring: rewired });
        expect((await records.listDoors())[0]?.wiring).toEqual(rewired);
      });

      it('deletes a door but keeps its audit events; deleting a missing door is no error', async () => {
        await records.putDoor(makeDoor('front-door'));
        await records.putDoor(makeDoor('lab'));
        await records.appendEvent(makeEvent('ev-door-1', { doorId: 'front-door' }));
        await records.deleteDoor('front-door');
        await records.deleteDoor('ghost-door');
        expect(await records.getDoor('front-door')).toBeNull();
        expect((await records.listDoors()).map((d) => d.doorId)).toEqual(['lab']);
        expect((await records.listEvents({ doorId: 'front-door' })).events).toHaveLength(1);
        // A presence or status message arriving after the delete must not bring the door back.
        await records.updateDoorState('front-door', { online: true });
        expect(await records.getDoor('front-door')).toBeNull();
      });

      it('updateDoorState on an unknown door creates nothing and does not throw', async () => {
        await records.updateDoorState('ghost-door', { online: true, lock: 'locked', lastSeenAt: T0 });
        expect(await records.getDoor('ghost-door')).toBeNull();
        expect(await records.listDoors()).toEqual([]);
      });
    });

    describe('audit events', () => {
      it('round-trips an event with every field set, and one with every optional field null', async () => {
        const full = makeEvent('event-full', {
          at: T0 + 10,
          kind: 'access',
          doorId: 'front-door',
          personId: 'person-0001',
          personName: 'Alice',
          result: 'denied',
          reason: 'expired',
          score: 0.8125,
          snapshotKey: 'snapshots/front-door/2026-01-01/event-full.jpg',
          decisionId: 'decision-0001',
          actor: 'admin',
          detail: 'some detail',
        });
        const bare = makeEvent('event-bare', { at: T0 + 5, kind: 'person_erased' });
        await records.appendEvent(full);
        await records.appendEvent(bare);
        const { events, cursor } = await records.listEvents();
        expect(events).toEqual([full, bare]);
        expect(cursor).toBeNull();
      });

      it('returns an empty page with a null cursor when there is nothing', async () => {
        expect(await records.listEvents()).toEqual({ events: [], cursor: null });
      });

      it('lists newest first, ties broken by eventId descending', async () => {
        await records.appendEvent(makeEvent('event-a', { at: T0 + 1 }));
        await records.appendEvent(makeEvent('event-c', { at: T0 + 3 }));
        await records.appendEvent(makeEvent('event-b1', { at: T0 + 2 }));
        await records.appendEvent(makeEvent('event-b2', { at: T0 + 2 }));
        const { events } = await records.listEvents();
        expect(events.map((e) => e.eventId)).toEqual(['event-c', 'event-b2', 'event-b1', 'event-a']);
      });

      it('pages with limit + cursor without gaps or repeats', async () => {
        for (let i = 0; i < 7; i++) await records.appendEvent(makeEvent(`event-${i}`, { at: T0 + i * 1000 }));
        const first = await records.listEvents({ limit: 3 });
        expect(first.events.length).toBeLessThanOrEqual(3);
        expect(first.cursor).not.toBeNull();
        const all = await readAll(records, { limit: 3 });
        expect(all.map((e) => e.eventId)).toEqual([
          'event-6',
          'event-5',
          'event-4',
          'event-3',
          'event-2',
          'event-1',
          'event-0',
        ]);
      });

      it('pages through events that share a timestamp', async () => {
        for (let i = 0; i < 5; i++) await records.appendEvent(makeEvent(`event-${i}`, { at: T0 }));
        const all = await readAll(records, { limit: 2 });
        expect(all.map((e) => e.eventId)).toEqual(['event-4', 'event-3', 'event-2', 'event-1', 'event-0']);
      });

      it('applies the default limit of 100 and caps limit at 1000', async () => {
        for (let i = 0; i < 105; i++)
          await records.appendEvent(makeEvent(`event-${String(i).padStart(4, '0')}`, { at: T0 + i }));
        const page = await records.listEvents();
        expect(page.events.length).toBeLessThanOrEqual(100);
        expect(page.cursor).not.toBeNull();
        expect(await readAll(records)).toHaveLength(105);
        const capped = await records.listEvents({ limit: 5000 });
        expect(capped.events.length).toBeLessThanOrEqual(1000);
        expect(await readAll(records, { limit: 5000 })).toHaveLength(105);
      });

      describe('filters', () => {
        beforeEach(async () => {
          const rows: [string, number, Partial<AuditEvent>][] = [
            ['event-01', 1, { doorId: 'front-door', personId: 'person-a', result: 'granted', reason: 'match' }],
            ['event-02', 2, { doorId: 'front-door', personId: null, result: 'denied', reason: 'unknown' }],
            ['event-03', 3, { doorId: 'lab', personId: 'person-a', result: 'denied', reason: 'door_not_allowed' }],
            ['event-04', 4, { doorId: 'lab', personId: 'person-b', result: 'granted', reason: 'match' }],
            [
              'event-05',
              5,
              { kind: 'remote_unlock', doorId: 'lab', actor: 'admin', result: 'granted', reason: 'remote' },
            ],
            ['event-06', 6, { kind: 'person_created', personId: 'person-b', actor: 'admin' }],
            ['event-07', 7, { kind: 'door_event', doorId: 'front-door', detail: 'command_rejected' }],
            ['event-08', 8, { doorId: 'front-door', personId: 'person-b', result: 'granted', reason: 'match' }],
          ];
          for (const [id, minute, o] of rows)
            await records.appendEvent(makeEvent(id, { at: T0 + minute * 60_000, ...o }));
        });

        const ids = async (f: Parameters<Records['listEvents']>[0]) =>
          (await readAll(records, f)).map((e) => e.eventId);

        it('by door', async () => {
          expect(await ids({ doorId: 'front-door' })).toEqual(['event-08', 'event-07', 'event-02', 'event-01']);
          expect(await ids({ doorId: 'nowhere' })).toEqual([]);
        });
        it('by person', async () => {
          expect(await ids({ personId: 'person-b' })).toEqual(['event-08', 'event-06', 'event-04']);
        });
        it('by result', async () => {
          expect(await ids({ result: 'denied' })).toEqual(['event-03', 'event-02']);
          expect(await ids({ result: 'granted' })).toEqual(['event-08', 'event-05', 'event-04', 'event-01']);
        });
        it('by kind', async () => {
          expect(await ids({ kind: 'access' })).toEqual(['event-08', 'event-04', 'event-03', 'event-02', 'event-01']);
          expect(await ids({ kind: 'door_event' })).toEqual(['event-07']);
        });
        it('by time range, both ends inclusive', async () => {
          expect(await ids({ from: T0 + 3 * 60_000, to: T0 + 5 * 60_000 })).toEqual([
            'event-05',
            'event-04',
            'event-03',
          ]);
          expect(await ids({ from: T0 + 7 * 60_000 })).toEqual(['event-08', 'event-07']);
          expect(await ids({ to: T0 + 2 * 60_000 })).toEqual(['event-02', 'event-01']);
        });
        it('combined, and combined with paging', async () => {
          expect(await ids({ doorId: 'lab', result: 'granted' })).toEqual(['event-05', 'event-04']);
          expect(await ids({ doorId: 'front-door', kind: 'access', result: 'granted', limit: 1 })).toEqual([
            'event-08',
            'event-01',
          ]);
          expect(await ids({ personId: 'person-a', doorId: 'lab', from: T0, to: T0 + 3 * 60_000 })).toEqual([
            'event-03',
          ]);
          expect(await ids({ kind: 'access', limit: 2 })).toEqual([
            'event-08',
            'event-04',
            'event-03',
            'event-02',
            'event-01',
          ]);
        });
      });

      it('rejects a malformed cursor', async () => {
        await records.appendEvent(makeEvent('event-a'));
        await expect(Promise.resolve().then(() => records.listEvents({ cursor: 'not-a-cursor!!' }))).rejects.toThrow();
      });

      it('redactPersonEvents unlinks the person, returns their snapshot keys once, and keeps the events', async () => {
        const snapA1 = 'snapshots/front-door/2026-01-01/event-1.jpg';
        const snapA2 = 'snapshots/lab/2026-01-01/event-2.jpg';
        const snapB = 'snapshots/lab/2026-01-01/event-3.jpg';
        await records.appendEvent(
          makeEvent('event-1', {
            at: T0 + 1,
            doorId: 'front-door',
            personId: 'person-a',
            personName: 'Alice',
            result: 'granted',
            reason: 'match',
            score: 0.9,
            snapshotKey: snapA1,
          }),
        );
        await records.appendEvent(
          makeEvent('event-2', {
            at: T0 + 2,
            doorId: 'lab',
            personId: 'person-a',
            personName: 'Alice',
            result: 'denied',
            reason: 'door_not_allowed',
            snapshotKey: snapA2,
          }),
        );
        await records.appendEvent(
          makeEvent('event-2b', {
            at: T0 + 2,
            kind: 'person_updated',
            personId: 'person-a',
            personName: 'Alice',
            actor: 'admin',
          }),
        );
        await records.appendEvent(
          makeEvent('event-3', {
            at: T0 + 3,
            doorId: 'lab',
            personId: 'person-b',
            personName: 'Bob',
            result: 'granted',
            reason: 'match',
            snapshotKey: snapB,
          }),
        );

        const keys = await records.redactPersonEvents('person-a');
        expect([...keys].sort()).toEqual([snapA1, snapA2].sort());

        const all = await readAll(records);
        expect(all).toHaveLength(4);
        expect(await readAll(records, { personId: 'person-a' })).toEqual([]);
        for (const id of ['event-1', 'event-2', 'event-2b']) {
          const e = all.find((x) => x.eventId === id)!;
          expect(e.personId).toBeNull();
          expect(e.personName).toBeNull();
          expect(e.snapshotKey).toBeNull();
        }
        const redacted = all.find((x) => x.eventId === 'event-1')!;
        expect(redacted).toMatchObject({ doorId: 'front-door', result: 'granted', reason: 'match', score: 0.9 });
        const untouched = all.find((x) => x.eventId === 'event-3')!;
        expect(untouched).toMatchObject({ personId: 'person-b', personName: 'Bob', snapshotKey: snapB });

        expect(await records.redactPersonEvents('person-a')).toEqual([]);
        expect(await records.redactPersonEvents('person-missing')).toEqual([]);
      });
    });
  });
}
