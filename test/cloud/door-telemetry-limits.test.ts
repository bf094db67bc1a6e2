/**
 * Issue 7 item 4: a door floods the audit log. 5,000 valid events in 2 s (the door's clock and
 * the back end's clock advance together) must leave a bounded number of rows in the real SQLite
 * log: the burst, what the rate earns back, and one "rate limited" door event per minute. A resent
 * event (same door-made eventId) is stored once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDoorTelemetryHandler, type DoorTelemetryHandler } from '../../cloud/src/handlers/door-telemetry.js';
import { makeDoor } from '../support/records.js';
import { captureLogger } from './support/capture-logger.js';
import { openLocalStores, type LocalStores } from './support/local-stores.js';

const START = 1_767_225_600_000;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const LIMITS = { eventBurst: 50, eventsPerSecond: 2, statusBurst: 10, statusPerSecond: 1, recentEventIds: 1000 };

describe('door telemetry limits', () => {
  let stores: LocalStores;
  let now: number;
  let telemetry: DoorTelemetryHandler;

  beforeEach(async () => {
    stores = openLocalStores('telemetry-limits');
    now = START;
    telemetry = createDoorTelemetryHandler({
      records: stores.records,
      logger: captureLogger().logger,
      clock: () => now,
      limits: LIMITS,
    });
    await stores.records.putDoor(makeDoor('front-door'));
    await stores.records.putDoor(makeDoor('back-door'));
  });
  afterEach(async () => {
    await stores.close();
  });

  const event = (doorId: string, n: number) =>
    json({ v: 2, doorId, eventId: `${doorId}-e${n}`, type: 'door_opened', at: now });

  const rows = async (doorId: string) => (await stores.records.listEvents({ doorId, limit: 1000 })).events;

  it('5,000 valid events in 2 s leave the burst, the refill and one rate-limit notice', async () => {
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < 5000; i++) {
      now = START + Math.floor((i * 2000) / 5000);
      const outcome = await telemetry.handleEvent({ topicDoorId: 'front-door', payload: event('front-door', i) });
      outcomes[outcome.status] = (outcomes[outcome.status] ?? 0) + 1;
    }
    const stored = await rows('front-door');
    const notices = stored.filter((e) => e.detail?.startsWith('rate limited'));
    // 50 at once, 2 per second earned over the 2 s: at most 54 stored events.
    expect(stored.length - notices.length).toBeLessThanOrEqual(LIMITS.eventBurst + 2 * LIMITS.eventsPerSecond);
    expect(stored.length - notices.length).toBeGreaterThanOrEqual(LIMITS.eventBurst);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.detail).toMatch(/rate limited: 1 event/); // the first drop writes the notice
    expect(outcomes.applied).toBe(stored.length - notices.length);
    expect(outcomes.rate_limited).toBe(5000 - outcomes.applied!);

    // A minute later the next notice counts everything dropped in between; other doors are unaffected.
    now = START + 61_000;
    for (let i = 5000; i < 5200; i++)
      await telemetry.handleEvent({ topicDoorId: 'front-door', payload: event('front-door', i) });
    const later = (await rows('front-door')).filter((e) => e.detail?.startsWith('rate limited'));
    expect(later).toHaveLength(2);
    expect(await telemetry.handleEvent({ topicDoorId: 'back-door', payload: event('back-door', 1) })).toEqual({
      status: 'applied',
    });
  });

  it('a resent event (same eventId) is stored once', async () => {
    const payload = event('front-door', 7);
    expect(await telemetry.handleEvent({ topicDoorId: 'front-door', payload })).toEqual({ status: 'applied' });
    for (let i = 0; i < 5; i++) {
      expect(await telemetry.handleEvent({ topicDoorId: 'front-door', payload })).toEqual({ status: 'duplicate' });
    }
    expect(await rows('front-door')).toHaveLength(1);
  });

  it('status messages are limited per door too', async () => {
    let applied = 0;
    for (let i = 0; i < 500; i++) {
      const status = { v: 2, doorId: 'front-door', online: true, lock: 'locked', at: now };
      if ((await telemetry.handleStatus({ topicDoorId: 'front-door', payload: json(status) })).status === 'applied')
        applied += 1;
    }
    expect(applied).toBe(LIMITS.statusBurst);
    const notices = (await rows('front-door')).filter((e) => e.detail?.startsWith('rate limited'));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.detail).toMatch(/status/);
  });
});
