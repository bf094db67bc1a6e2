/**
 * One site time zone (issue 10 item 7): FACEGATE_TIME_ZONE, validated as an IANA name, default the
 * server's; pages show times in it, 24-hour, and name it; the CSV carries its offset.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readLocalSettings } from '../../cli/settings.js';
import { parseSiteDate } from '../../admin-web/src/dates.js';
import {
  serverTimeZone,
  setSiteTimeZone,
  siteDateTime,
  siteIso,
  siteStartOfDay,
  validTimeZone,
} from '../../admin-web/src/site-time.js';
import { buildHarness, signIn, type Harness } from './support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
  setSiteTimeZone(serverTimeZone());
});

describe('site time zone', () => {
  it('accepts IANA names, refuses anything else with the variable named, and defaults to the server zone', () => {
    expect(validTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(() => validTimeZone('Mars/Olympus')).toThrow(/FACEGATE_TIME_ZONE must be an IANA time zone/);
    expect(() => readLocalSettings({ FACEGATE_TIME_ZONE: 'CEST+2' })).toThrow(/FACEGATE_TIME_ZONE/);
    expect(readLocalSettings({}).timeZone).toBe(serverTimeZone());
    expect(readLocalSettings({ FACEGATE_TIME_ZONE: 'Asia/Kolkata' }).timeZone).toBe('Asia/Kolkata');
  });

  it('shows access-log times in the site zone, 24-hour, names the zone on the page, and exports the offset in the CSV', async () => {
    h = await buildHarness({ timeZone: 'America/New_York' });
    const at = Date.UTC(2026, 11, 4, 21, 30, 5); // 16:30:05 in New York (UTC-5 in December)
    await h.addEvent({ at, kind: 'door_event', doorId: 'front-door', detail: 'door_opened' });
    const s = await signIn(h.app);
    const page = await h.app.inject({ url: '/events', headers: { cookie: s.cookie } });
    expect(page.body).toContain('2026-12-04 16:30:05');
    expect(page.body).not.toMatch(/\bPM\b|21:30:05/);
    expect(page.body).toContain('Times in America/New_York');
    expect(page.body).toContain('<meta name="site-time-zone" content="America/New_York">');
    const dashboard = await h.app.inject({ url: '/', headers: { cookie: s.cookie } });
    expect(dashboard.body).toContain('Times in America/New_York');
    const csv = await h.app.inject({ url: '/events.csv', headers: { cookie: s.cookie } });
    expect(csv.body).toContain('2026-12-04T16:30:05-05:00');
    expect(siteIso(at)).toBe('2026-12-04T16:30:05-05:00');
  });

  it('reads the access-log date filters on the site clock: from=2026-12-05 starts that day in Auckland, to= ends it', async () => {
    h = await buildHarness({ timeZone: 'Pacific/Auckland' }); // UTC+13 in December
    const dayStart = Date.UTC(2026, 11, 4, 11, 0); // 2026-12-05 00:00 in Auckland
    const dayEnd = Date.UTC(2026, 11, 5, 11, 0) - 1; // 2026-12-05 23:59:59.999 in Auckland
    const ids: Record<string, string> = {};
    for (const [name, at] of Object.entries({
      eveBefore: dayStart - 1000,
      firstSecond: dayStart,
      lastSecond: dayEnd - 999,
      nextDay: dayEnd + 1,
    })) {
      ids[name] = (
        await h.addEvent({ at, kind: 'access', doorId: 'front-door', result: 'granted', reason: 'match' })
      ).eventId;
    }
    const s = await signIn(h.app);
    const api = await h.app.inject({ url: '/api/events?from=2026-12-05&to=2026-12-05', headers: { cookie: s.cookie } });
    expect(api.statusCode).toBe(200);
    expect(api.json().events.map((e: { eventId: string }) => e.eventId)).toEqual([ids.lastSecond, ids.firstSecond]);
    expect(h.callsTo('events.list').at(-1)!.args[0]).toMatchObject({ from: dayStart, to: dayEnd });

    // The same rows in the CSV and on the page, whose fields name the zone they are read in.
    const csv = await h.app.inject({ url: '/events.csv?from=2026-12-05&to=2026-12-05', headers: { cookie: s.cookie } });
    expect(csv.body.trim().split('\r\n').slice(1)).toHaveLength(2);
    expect(csv.body).toContain('2026-12-05T00:00:00+13:00');
    expect(csv.body).toContain('2026-12-05T23:59:59+13:00');
    const page = await h.app.inject({ url: '/events?from=2026-12-05T08:30', headers: { cookie: s.cookie } });
    expect(page.body).toContain('From (Pacific/Auckland)');
    expect(page.body).toContain('To (Pacific/Auckland)');
    expect(h.callsTo('events.list').at(-1)!.args[0]).toMatchObject({ from: Date.UTC(2026, 11, 4, 19, 30) });
  });

  it('reads a date on a day the clocks change as that day: 25 hours in Los Angeles on 1 Nov 2026, a skipped time after the jump', () => {
    setSiteTimeZone('America/Los_Angeles');
    expect(parseSiteDate('from', '2026-11-01')).toBe(Date.UTC(2026, 10, 1, 7)); // 00:00 PDT
    expect(parseSiteDate('to', '2026-11-01', true)).toBe(Date.UTC(2026, 10, 2, 8) - 1); // 23:59:59.999 PST
    expect(parseSiteDate('from', '2026-11-01T01:30')).toBe(Date.UTC(2026, 10, 1, 8, 30)); // first 01:30 (PDT)
    expect(parseSiteDate('to', '2026-12-05T23:59', true)).toBe(Date.UTC(2026, 11, 6, 8) - 1);
    expect(parseSiteDate('from', '2027-03-14T02:30')).toBe(Date.UTC(2027, 2, 14, 10, 30)); // 02:30 is skipped: 03:30 PDT
    expect(parseSiteDate('to', '2027-03-14', true)).toBe(Date.UTC(2027, 2, 15, 7) - 1); // a 23-hour day
    setSiteTimeZone('Pacific/Auckland'); // east of UTC, clocks back on 5 Apr 2026 (03:00 NZDT -> 02:00 NZST)
    expect(parseSiteDate('from', '2026-04-05T02:30')).toBe(Date.UTC(2026, 3, 4, 13, 30)); // first 02:30 (NZDT)
    expect(parseSiteDate('to', '2026-04-05', true)).toBe(Date.UTC(2026, 3, 5, 12) - 1); // 25 hours
    expect(() => parseSiteDate('from', '2026-02-30')).toThrow(/not a valid date/);
  });

  it("reads a person's validity dates as whole days in the site zone, and shows them back as entered", async () => {
    h = await buildHarness({ timeZone: 'America/Los_Angeles' });
    const s = await signIn(h.app);
    const res = await h.app.inject({
      method: 'POST',
      url: '/people',
      headers: { cookie: s.cookie },
      payload: { name: 'Grace Hopper', validFrom: '2026-12-01', validUntil: '2026-12-31', _csrf: s.csrf },
    });
    expect(res.statusCode).toBe(303);
    const [person] = await h.stores.records.listPeople();
    // From 00:00 on 1 December to 23:59:59.999 on 31 December in Los Angeles (UTC-8): read as UTC
    // days, access would stop at 16:00 local on 31 December and start at 16:00 on 30 November.
    expect(person).toMatchObject({ validFrom: Date.UTC(2026, 11, 1, 8), validUntil: Date.UTC(2027, 0, 1, 8) - 1 });
    const edit = await h.app.inject({ url: `/people/${person!.personId}`, headers: { cookie: s.cookie } });
    expect(edit.body).toContain('name="validFrom" type="date" value="2026-12-01"');
    expect(edit.body).toContain('name="validUntil" type="date" value="2026-12-31"');
    const list = await h.app.inject({ url: '/people', headers: { cookie: s.cookie } });
    expect(list.body).toContain('2026-12-01 → 2026-12-31');
  });

  it("counts the dashboard's 'today' from midnight in the site zone", async () => {
    h = await buildHarness({ timeZone: 'Pacific/Auckland' });
    const midnight = siteStartOfDay(Date.now());
    expect(siteDateTime(midnight)).toMatch(/ 00:00:00$/);
    expect(siteDateTime(midnight - 1000)).toMatch(/ 23:59:59$/);
    // Auckland's midnight is 11 or 13 hours from UTC's: a UTC "today" would count 0 or 2 of these.
    for (const at of [midnight - 60_000, midnight + 60_000])
      await h.addEvent({ at, kind: 'access', doorId: 'front-door', result: 'granted', reason: 'match' });
    const s = await signIn(h.app);
    const res = await h.app.inject({ url: '/api/dashboard/today', headers: { cookie: s.cookie } });
    expect(res.json()).toMatchObject({ entries: 1, denials: 0 });
  });
});
