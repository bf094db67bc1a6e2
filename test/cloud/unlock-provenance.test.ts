/**
 * Issue 7 item 4: a door could claim an "unlocked" event for any decision id. A door's unlock
 * report must name a grant the back end issued to that door, or it is flagged as suspicious in
 * the audit log (real SQLite log, the real telemetry handler; grants written the way the frame
 * handler and the remote unlock write them).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditEvent } from '../../cloud/src/domain/audit-event.js';
import {
  createDoorTelemetryHandler,
  SUSPICIOUS_UNLOCK,
  type DoorTelemetryHandler,
} from '../../cloud/src/handlers/door-telemetry.js';
import { makeDoor } from '../support/records.js';
import { captureLogger, type CapturedLogs } from './support/capture-logger.js';
import { openLocalStores, type LocalStores } from './support/local-stores.js';

const NOW = 1_767_225_600_000;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

describe("a door's unlock must name a decision issued to it", () => {
  let stores: LocalStores;
  let logs: CapturedLogs;
  let telemetry: DoorTelemetryHandler;
  let n = 0;

  beforeEach(async () => {
    stores = openLocalStores('unlock-provenance');
    logs = captureLogger();
    telemetry = createDoorTelemetryHandler({
      records: stores.records,
      logger: logs.logger,
      clock: () => NOW,
      provenanceRecheckMs: 50,
    });
    await stores.records.putDoor(makeDoor('front-door'));
    await stores.records.putDoor(makeDoor('back-door'));
    // What the back end issued: a face grant and a remote unlock at the front door, a denial at the front door.
    await stores.records.appendEvent(
      auditEvent({
        at: NOW - 800,
        kind: 'access',
        doorId: 'front-door',
        result: 'granted',
        decisionId: 'grant-face-1',
      }),
    );
    await stores.records.appendEvent(
      auditEvent({
        at: NOW - 600,
        kind: 'remote_unlock',
        doorId: 'front-door',
        result: 'granted',
        reason: 'remote',
        decisionId: 'grant-remote-1',
        actor: 'admin',
      }),
    );
    await stores.records.appendEvent(
      auditEvent({ at: NOW - 400, kind: 'access', doorId: 'front-door', result: 'denied', decisionId: 'denial-0001' }),
    );
  });
  afterEach(async () => {
    await stores.close();
  });

  async function unlockReport(doorId: string, extra: Record<string, unknown>) {
    const eventId = `event-${String(++n).padStart(8, '0')}`;
    const outcome = await telemetry.handleEvent({
      topicDoorId: doorId,
      payload: json({ v: 2, doorId, eventId, type: 'unlocked', at: NOW, ...extra }),
    });
    expect(outcome).toEqual({ status: 'applied' });
    const { events } = await stores.records.listEvents({ kind: 'door_event', doorId });
    return events.find((e) => e.detail?.includes('unlocked'))!;
  }

  it('accepts unlocks naming a grant issued to that door (face or remote), and exit-button unlocks', async () => {
    expect((await unlockReport('front-door', { decisionId: 'grant-face-1', source: 'face' })).detail).toBe('unlocked');
    await unlockReport('front-door', { decisionId: 'grant-remote-1', source: 'remote' });
    await unlockReport('front-door', { source: 'exit_button' });
    const all = (await stores.records.listEvents({ kind: 'door_event' })).events;
    expect(all.map((e) => e.detail)).toEqual(['unlocked', 'unlocked', 'unlocked']);
    expect(logs.lines.some((l) => /suspicious/.test(String(l.msg)))).toBe(false);
  });

  it.each([
    ['a grant issued to another door', 'back-door', { decisionId: 'grant-face-1', source: 'face' }],
    ['a decision id never issued', 'front-door', { decisionId: 'forged-000001', source: 'face' }],
    ['a denial', 'front-door', { decisionId: 'denial-0001', source: 'face' }],
    ['no decision at all', 'front-door', { source: 'remote' }],
  ])('flags an unlock naming %s as suspicious', async (_label, doorId, extra) => {
    const row = await unlockReport(doorId, extra);
    expect(row.detail).toMatch(new RegExp(`^${SUSPICIOUS_UNLOCK}: .*; unlocked$`));
    expect(row.doorId).toBe(doorId);
    expect(logs.lines).toContainEqual(
      expect.objectContaining({ level: 40, doorId, msg: expect.stringMatching(/^suspicious unlock/) }),
    );
    // The door's live state still follows its report: it says the relay moved, and we show that.
    expect((await stores.records.getDoor(doorId))?.lock).toBe('unlocked');
  });

  it('finds a grant written just after the door reported (the back end tells the door first)', async () => {
    const report = unlockReport('back-door', { decisionId: 'grant-late-1', source: 'face' });
    await stores.records.appendEvent(
      auditEvent({ at: NOW - 100, kind: 'access', doorId: 'back-door', result: 'granted', decisionId: 'grant-late-1' }),
    );
    expect((await report).detail).toBe('unlocked');
  });

  it('does not take a grant from long before the unlock', async () => {
    await stores.records.appendEvent(
      auditEvent({
        at: NOW - 3_600_000,
        kind: 'access',
        doorId: 'back-door',
        result: 'granted',
        decisionId: 'grant-old-01',
      }),
    );
    expect((await unlockReport('back-door', { decisionId: 'grant-old-01', source: 'face' })).detail).toMatch(
      /^SUSPICIOUS/,
    );
  });
});
