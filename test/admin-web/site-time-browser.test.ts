/**
 * Times written by the browser-side scripts (issue 10 item 7) in headless Chromium: dashboard.js
 * (live door state on the dashboard and the doors page: last seen, a forced-open alert's "since")
 * and virtual-door.js (the decision time) show the site zone's 24-hour clock, as the server does,
 * never the browser's own. The site is Pacific/Auckland; Chromium runs with TZ=America/Los_Angeles
 * and an en-US locale, so a script falling back to the browser's clock would show another day,
 * another hour and AM/PM. Every time checked arrives live, after the page loaded.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN, buildHarness, type Harness } from './support/harness.js';
import { CHROMIUM } from './support/browser-fixtures.js';
import { RecordingDoor } from './support/recording-virtual-door.js';

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) console.warn(`site time browser test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const SITE_ZONE = 'Pacific/Auckland'; // UTC+13 in December
const BROWSER_ZONE = 'America/Los_Angeles'; // UTC-8 in December
const LOADED_AT = Date.UTC(2026, 11, 4, 20, 0, 0); // 09:00:00 on 5 Dec in Auckland: the door as the page loads
const SEEN_AT = Date.UTC(2026, 11, 5, 4, 7, 9); // 17:07:09 on 5 Dec in Auckland; 20:07:09 on 4 Dec in LA
const FORCED_AT = Date.UTC(2026, 11, 5, 5, 30, 0); // 18:30:00 in Auckland
const DECIDED_AT = Date.UTC(2026, 11, 5, 2, 45, 30); // 15:45:30 in Auckland; 6:45:30 PM in LA

describe.skipIf(!haveChromium)('times written by the page scripts, in Chromium', () => {
  let h: Harness;
  let door: RecordingDoor;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    door = new RecordingDoor();
    h = await buildHarness({ timeZone: SITE_ZONE, virtualDoor: door });
    await h.addDoor({ doorId: 'front-door', name: 'Front door', online: true, lastSeenAt: LOADED_AT });
    baseUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      env: { ...process.env, TZ: BROWSER_ZONE },
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    page = await (await browser.newContext({ locale: 'en-US' })).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${baseUrl}/`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  /** Opens a page with the live door stream and resolves once the server has subscribed it. */
  async function openLive(path: string): Promise<void> {
    const before = h.callsTo('doors.subscribe').length;
    await page.goto(`${baseUrl}${path}`);
    await expect.poll(() => h.callsTo('doors.subscribe').length).toBeGreaterThan(before);
  }

  it('runs the browser on another clock than the site (so the checks below can fail)', async () => {
    const browserSide = await page.evaluate((at) => {
      return { zone: Intl.DateTimeFormat().resolvedOptions().timeZone, local: new Date(at).toLocaleTimeString() };
    }, DECIDED_AT);
    expect(browserSide).toEqual({ zone: BROWSER_ZONE, local: '6:45:30 PM' });
  });

  it('dashboard: a live "last seen" and a forced-open alert read in the site zone, 24-hour, with the zone named', async () => {
    await openLive('/');
    const seen = page.locator('[data-door-id="front-door"] [data-field="lastSeenAt"]').first();
    // On load: rendered by the server, then rewritten by the script from the stream's first event.
    await expect.poll(() => seen.textContent()).toBe('2026-12-05 09:00:00');
    await h.changeDoor('front-door', { lastSeenAt: SEEN_AT, alarm: 'forced_open', alarmSince: FORCED_AT });
    await expect.poll(() => seen.textContent()).toBe('2026-12-05 17:07:09');
    const since = page.locator('[data-alarm-door="front-door"] [data-field="alarm-since"]');
    await expect.poll(() => since.textContent()).toBe('2026-12-05 18:30:00');
    expect(await page.locator('footer[data-field="site-time-zone"]').textContent()).toBe(`Times in ${SITE_ZONE}`);
  });

  it('doors page: the live "last seen" column too', async () => {
    await openLive('/doors');
    const seen = page.locator('[data-door-id="front-door"] [data-field="lastSeenAt"]').first();
    await h.changeDoor('front-door', { lastSeenAt: SEEN_AT + 60_000 });
    await expect.poll(() => seen.textContent()).toBe('2026-12-05 17:08:09');
    expect(await page.locator('footer[data-field="site-time-zone"]').textContent()).toBe(`Times in ${SITE_ZONE}`);
  });

  it('virtual door: the decision time, granted and denied', async () => {
    await page.goto(`${baseUrl}/virtual-door`);
    await expect.poll(() => door.listenerCount).toBeGreaterThan(0);
    const decision = page.locator('#vdoor-decision');
    door.set({ lock: 'unlocked', lastDecision: { type: 'unlock', at: DECIDED_AT } });
    await expect.poll(() => decision.textContent()).toBe('Access granted · 15:45:30');
    door.set({ lock: 'locked', lastDecision: { type: 'deny', reason: 'unknown', at: DECIDED_AT + 3_600_000 } });
    await expect.poll(() => decision.textContent()).toBe('Access denied: Face not recognised · 16:45:30');
    expect(await page.locator('footer[data-field="site-time-zone"]').textContent()).toBe(`Times in ${SITE_ZONE}`);
  });
});
