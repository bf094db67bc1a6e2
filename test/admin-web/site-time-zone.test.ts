/**
 * One site time zone (issue 10 item 7): FACEGATE_TIME_ZONE, validated as an IANA name, default the
 * server's; pages show times in it, 24-hour, and name it; the CSV carries its offset.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readLocalSettings } from '../../cli/settings.js';
import { serverTimeZone, setSiteTimeZone, siteIso, validTimeZone } from '../../admin-web/src/site-time.js';
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
});
