import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDoorTelemetryHandler, type DoorTelemetryHandler } from '../../cloud/src/handlers/door-telemetry.js';
import { createDoorChangeFeed } from '../../cloud/src/app/door-change-feed.js';
import { auditEvent } from '../../cloud/src/domain/audit-event.js';
import type { Door } from '../../cloud/src/domain/types.js';
import { makeDoor } from '../support/records.js';
import { captureLogger, type CapturedLogs } from './support/capture-logger.js';
import { openLocalStores, type LocalStores } from './support/local-stores.js';

const NOW = 1_767_225_600_000;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('door telemetry', () => {
  let stores: LocalStores;
  let logs: CapturedLogs;
  let changes: Door[];
  let telemetry: DoorTelemetryHandler;

  beforeEach(async () => {
    stores = openLocalStores('telemetry');
    logs = captureLogger();
    changes = [];
    const feed = createDoorChangeFeed(logs.logger);
    feed.subscribe((d) => changes.push(d));
    telemetry = createDoorTelemetryHandler({
      records: stores.records,
      logger: logs.logger,
      clock: () => NOW,
      onDoorChange: (door) => feed.publish(door),
      provenanceRecheckMs: 0,
    });
    await stores.records.putDoor(makeDoor('front-door'));
  });
  afterEach(async () => {
    await stores.close();
  });

  it('applies a status: online, lock, agent version, last seen; and tells the feed', async () => {
    const status = { v: 2, doorId: 'front-door', online: true, lock: 'locked', agentVersion: '1.4.0', at: NOW - 50 };
    expect(await telemetry.handleStatus({ topicDoorId: 'front-door', payload: json(status) })).toEqual({
      status: 'applied',
    });
    const door = await stores.records.getDoor('front-door');
    expect(door).toMatchObject({ online: true, lock: 'locked', agentVersion: '1.4.0', lastSeenAt: NOW });
    expect(changes).toEqual([door]);

    // The last will: offline, version not repeated and so left as it was.
    await telemetry.handleStatus({
      topicDoorId: 'front-door',
      payload: json({ v: 2, doorId: 'front-door', online: false, lock: 'unknown', at: NOW }),
    });
    expect(await stores.records.getDoor('front-door')).toMatchObject({
      online: false,
      lock: 'unknown',
      agentVersion: '1.4.0',
    });
  });

  it('accepts an already-parsed object (the IoT rule → Lambda path)', async () => {
    const status = { v: 2, doorId: 'front-door', online: true, lock: 'unlocked', at: NOW };
    expect(await telemetry.handleStatus({ topicDoorId: 'front-door', payload: status })).toEqual({ status: 'applied' });
    expect((await stores.records.getDoor('front-door'))?.lock).toBe('unlocked');
  });

  it('records door events as audit events and tracks the relay', async () => {
    // The grant the door's unlock will name (unlock-provenance.test.ts covers unlocks without one).
    await stores.records.appendEvent(
      auditEvent({
        at: NOW - 500,
        kind: 'access',
        doorId: 'front-door',
        result: 'granted',
        decisionId: 'decision-0001',
      }),
    );
    let n = 0; // each event has its own door-made id (the same id again is a resend, recorded once)
    const ev = (type: string, extra: Record<string, unknown> = {}) =>
      telemetry.handleEvent({
        topicDoorId: 'front-door',
        payload: json({ v: 2, doorId: 'front-door', eventId: `event-0000000${++n}`, type, at: NOW, ...extra }),
      });
    expect(await ev('unlocked', { decisionId: 'decision-0001' })).toEqual({ status: 'applied' });
    expect((await stores.records.getDoor('front-door'))?.lock).toBe('unlocked');
    await ev('locked');
    expect((await stores.records.getDoor('front-door'))?.lock).toBe('locked');
    await ev('command_rejected', { decisionId: 'decision-0002', detail: 'expired' });
    await ev('door_opened');
    await ev('agent_error', { detail: 'camera unplugged' });

    const { events } = await stores.records.listEvents({ kind: 'door_event' });
    expect(logs.lines.some((l) => /suspicious/.test(String(l.msg)))).toBe(false);
    expect(events.map((e) => e.detail).sort()).toEqual(
      ['agent_error: camera unplugged', 'command_rejected: expired', 'door_opened', 'unlocked'].sort(),
    );
    expect(events.find((e) => e.detail === 'unlocked')).toMatchObject({
      doorId: 'front-door',
      decisionId: 'decision-0001',
      at: NOW,
    });
    expect(logs.lines.some((l) => l.level === 40 && /command_rejected/.test(String(l.msg)))).toBe(true);
  });

  it('raises the door alarm on forced and held open, keeps forced over held, clears it on closed (issue 9 item 6)', async () => {
    let n = 0;
    const ev = (type: string, at: number) =>
      telemetry.handleEvent({
        topicDoorId: 'front-door',
        payload: json({ v: 2, doorId: 'front-door', eventId: `alarm-event-${++n}`, type, at }),
      });
    const alarmOf = async () => {
      const d = await stores.records.getDoor('front-door');
      return { alarm: d?.alarm, alarmSince: d?.alarmSince };
    };
    await ev('door_opened', NOW - 9000); // an opening after a grant: no alarm
    expect(await alarmOf()).toEqual({ alarm: null, alarmSince: null });
    await ev('door_held_open', NOW - 5000);
    expect(await alarmOf()).toEqual({ alarm: 'held_open', alarmSince: NOW - 5000 });
    await ev('door_closed', NOW - 4000);
    expect(await alarmOf()).toEqual({ alarm: null, alarmSince: null });

    await ev('door_forced_open', NOW - 3000); // the time it happened at the door (maybe queued offline)
    expect(await alarmOf()).toEqual({ alarm: 'forced_open', alarmSince: NOW - 3000 });
    await ev('door_held_open', NOW - 1000);
    await ev('exit_button', NOW - 500);
    expect(await alarmOf()).toEqual({ alarm: 'forced_open', alarmSince: NOW - 3000 });
    expect(changes.at(-1)).toMatchObject({ alarm: 'forced_open' }); // the live view heard it
    await ev('door_closed', NOW);
    expect(await alarmOf()).toEqual({ alarm: null, alarmSince: null });
    expect(changes.at(-1)).toMatchObject({ alarm: null });
  });

  it("logs an event the door queued while offline at the door's time, with how late it came; a wrong door clock is not believed", async () => {
    const HOUR = 3_600_000;
    let n = 0;
    const ev = (type: string, at: number) =>
      telemetry.handleEvent({
        topicDoorId: 'front-door',
        payload: json({ v: 2, doorId: 'front-door', eventId: `late-event-${++n}`, type, at }),
      });
    await ev('door_forced_open', NOW - 4 * HOUR - 28 * 60_000); // 03:12 at the door, delivered at 07:40
    await ev('exit_button', NOW - 20_000); // on time, door clock 20 s behind: our clock, no note
    await ev('door_opened', NOW + 5 * 60_000); // door clock five minutes ahead
    await ev('door_closed', NOW - 90 * 24 * HOUR); // a quarter of a year: no outage queue is that old
    const { events } = await stores.records.listEvents({ kind: 'door_event' });
    const row = (prefix: string) => events.find((e) => e.detail?.startsWith(prefix));
    expect(row('door_forced_open')).toMatchObject({
      at: NOW - 4 * HOUR - 28 * 60_000,
      detail: 'door_forced_open (reported 4 h 28 min later)',
    });
    expect(row('exit_button')).toMatchObject({ at: NOW, detail: 'exit_button' });
    expect(row('door_opened')).toMatchObject({
      at: NOW,
      detail: 'door_opened (door clock 5 min ahead; logged when received)',
    });
    expect(row('door_closed')).toMatchObject({
      at: NOW,
      detail: 'door_closed (door clock says 90 d ago; logged when received)',
    });
    // Newest first: the forced opening sits at its own time, below the events of the morning.
    expect(events.at(-1)?.detail).toMatch(/^door_forced_open/);
  });

  it('tracks broker presence; offline makes the lock state unknown', async () => {
    await stores.records.updateDoorState('front-door', { lock: 'locked' });
    expect(await telemetry.handlePresence('front-door', true)).toEqual({ status: 'applied' });
    expect(await stores.records.getDoor('front-door')).toMatchObject({ online: true, lock: 'locked', lastSeenAt: NOW });
    await telemetry.handlePresence('front-door', false);
    expect(await stores.records.getDoor('front-door')).toMatchObject({ online: false, lock: 'unknown' });
    expect(await telemetry.handlePresence('ghost-door', true)).toEqual({ status: 'rejected', reason: 'unknown door' });
    expect(await stores.records.getDoor('ghost-door')).toBeNull();
  });

  describe('bad input is logged and changes nothing', () => {
    const bad: [string, string, unknown, RegExp][] = [
      ['not JSON', 'front-door', Buffer.from('{{'), /not JSON/],
      ['wrong shape', 'front-door', json({ v: 2, doorId: 'front-door', online: 'yes' }), /invalid message/],
      ['oversized', 'front-door', Buffer.alloc(10 * 1024 * 1024, 0x20), /limit/],
      [
        'another door in the payload',
        'front-door',
        json({ v: 2, doorId: 'lab', online: true, lock: 'locked', at: NOW }),
        /does not match/,
      ],
      [
        'unknown door',
        'ghost-door',
        json({ v: 2, doorId: 'ghost-door', online: true, lock: 'locked', at: NOW }),
        /unknown door/,
      ],
    ];
    it.each(bad)('status: %s', async (_name, topicDoorId, payload, reason) => {
      const outcome = await telemetry.handleStatus({ topicDoorId, payload });
      expect(outcome.status).toBe('rejected');
      expect(outcome.status === 'rejected' && outcome.reason).toMatch(reason);
      expect(await stores.records.listDoors()).toEqual([makeDoor('front-door')]);
      expect(changes).toEqual([]);
      expect(logs.lines.some((l) => l.level === 40 && /rejected/.test(String(l.msg)))).toBe(true);
    });

    it('events: wrong type, mismatched door, unknown door', async () => {
      for (const [topicDoorId, payload] of [
        ['front-door', json({ v: 2, doorId: 'front-door', eventId: 'event-00000002', type: 'exploded', at: NOW })],
        ['front-door', json({ v: 2, doorId: 'lab', eventId: 'event-00000003', type: 'door_opened', at: NOW })],
        ['ghost-door', json({ v: 2, doorId: 'ghost-door', eventId: 'event-00000004', type: 'door_opened', at: NOW })],
      ] as const) {
        expect((await telemetry.handleEvent({ topicDoorId, payload })).status).toBe('rejected');
      }
      expect((await stores.records.listEvents()).events).toEqual([]);
      expect(await stores.records.listDoors()).toEqual([makeDoor('front-door')]);
    });
  });

  it('a storage failure is logged, not thrown', async () => {
    await stores.records.close();
    const outcome = await telemetry.handleStatus({
      topicDoorId: 'front-door',
      payload: json({ v: 2, doorId: 'front-door', online: true, lock: 'locked', at: NOW }),
    });
    expect(outcome).toEqual({ status: 'rejected', reason: 'internal error' });
    expect(logs.lines.some((l) => l.level === 50)).toBe(true);
    await stores.reopen(); // so afterEach can close cleanly
  });
});
