/**
 * The admin site in a real browser (Debian's Chromium, headless, driven by playwright-core):
 * sign in with a one-time password, add a person from photos in ../shared/faces/dev, see them
 * listed, walk up to the virtual door (a fake webcam fed with another photo of that person) and
 * see it unlock; erase the person and see the door deny them. Screenshots of every page, at
 * desktop and phone sizes, go to test-results/screenshots/ for review.
 *
 * Runs on the real local stack (cli/local-stack.ts, startLocalStack) as `npm start` does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startLocalStack, type LocalStack } from '../../cli/local-stack.js';
import { silentLogger } from '../../lib/logger.js';
import { CHROMIUM, hasFaces, makeFakeWebcamVideo, pickPerson, SCREENSHOT_DIR } from './support/browser-fixtures.js';

const haveChromium = fs.existsSync(CHROMIUM);
const haveFaces = hasFaces();

if (!haveChromium) console.warn(`browser test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
if (!haveFaces) console.warn('browser test: ../shared/faces is absent, so the photo and recognition steps are skipped');

const NEW_PASSWORD = 'browser test passphrase 1';

describe.skipIf(!haveChromium)('admin site in a real browser', () => {
  let tmp: string;
  let stack: LocalStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let oneTimePassword: string;
  const username = 'admin';
  const person = haveFaces ? pickPerson() : null;
  let personId = '';

  const shot = async (name: string, p: Page = page) => {
    await p.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
  };
  const url = (p: string) => new URL(p, stack.httpUrl!).href;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-browser-'));
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    stack = await startLocalStack({
      dataDir: path.join(tmp, 'data'),
      httpPort: 0,
      mqttPort: 0,
      logger: silentLogger(),
    });
    expect(stack.httpUrl).toBeTruthy();
    // The first start prints a one-time password for `admin`.
    expect(stack.firstAdminPassword).toBeTruthy();
    oneTimePassword = stack.firstAdminPassword!;
    const args = [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ];
    if (person) {
      const video = makeFakeWebcamVideo(person.probe, tmp);
      args.push(
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`,
      );
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args });
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.grantPermissions(['camera'], { origin: new URL(stack.httpUrl!).origin });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('signs in with the one-time password and must choose a new one', async () => {
    await page.goto(url('/people'));
    expect(new URL(page.url()).pathname).toBe('/login');
    await shot('01-sign-in');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(oneTimePassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/account/password');
    await shot('02-change-password');
    await page.getByLabel('Current password').fill(oneTimePassword);
    await page.getByLabel(/^New password \(/).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Save password' }).click();
    await page.waitForURL(url('/?flash=password-changed'));
    await expect.poll(() => page.locator('h1').textContent()).toBe('Dashboard');
    expect(await page.locator('.flash').textContent()).toContain('Password changed.');
    await shot('03-dashboard');
  });

  it.skipIf(!haveFaces)(
    'adds a person by uploading photos and sees them listed',
    async () => {
      await page.goto(url('/people/new'));
      await page.getByLabel('Full name').fill(person!.name);
      await shot('04-add-person');
      await page.getByRole('button', { name: 'Add and continue to photos' }).click();
      await page.waitForURL(/\/people\/[A-Za-z0-9_-]+\?flash=created$/);
      personId = new URL(page.url()).pathname.split('/')[2]!;
      await page.getByLabel('Choose photos').setInputFiles(person!.enroll);
      await expect
        .poll(() => page.locator('#photo-feedback li.good').count(), { timeout: 60_000 })
        .toBe(person!.enroll.length);
      await shot('05-enroll-feedback');
      await page.getByRole('button', { name: /^Enroll \d photos?$/ }).click();
      await page.waitForURL(/flash=enrolled$/, { timeout: 90_000 });
      expect(await page.locator('.photo-grid img').count()).toBe(person!.enroll.length);
      await shot('06-person-enrolled');
      // The webcam path: capture a frame from the (fake) camera and get feedback on it.
      await page.getByRole('button', { name: 'Use webcam' }).click();
      await page.waitForFunction(() => (document.getElementById('webcam-video') as HTMLVideoElement).videoWidth > 0);
      await page.getByRole('button', { name: 'Capture photo' }).click();
      await expect
        .poll(() => page.locator('#photo-feedback li').first().textContent(), { timeout: 60_000 })
        .toMatch(/webcam-1\.jpg.*(Face found|No face found)/);
      await shot('06b-webcam-capture');
      await page.goto(url('/people'));
      await expect.poll(() => page.locator('#people-table').textContent()).toContain(person!.name);
      await shot('07-people');
    },
    180_000,
  );

  it.skipIf(!haveFaces)(
    'the virtual door unlocks for them (another photo of the same person)',
    async () => {
      await page.goto(url('/virtual-door'));
      await page.getByRole('button', { name: 'Start camera' }).click();
      await page.waitForSelector('#vdoor-decision.granted', { timeout: 90_000 });
      await page.waitForSelector('#vdoor-lamp.lamp-unlocked', { timeout: 30_000 });
      await shot('08-virtual-door-unlocked');
      await page.getByRole('button', { name: 'Stop' }).click();
    },
    150_000,
  );

  it('shows doors, the access log and a door on the desktop', async () => {
    await page.goto(url('/doors'));
    await shot('09-doors');
    await page.goto(url('/events'));
    const thumbs = page.locator('img.thumb');
    if (await thumbs.count()) {
      // The snapshot of the virtual door's entry is served (decrypted, authenticated) and decodes.
      await thumbs.first().scrollIntoViewIfNeeded();
      await page.waitForFunction(
        () => {
          const img = document.querySelector<HTMLImageElement>('img.thumb');
          return !!img && img.complete && img.naturalWidth > 0;
        },
        undefined,
        { timeout: 10_000 },
      );
    }
    await shot('10-access-log');
    const firstDoor = page.locator('#doors-table a').first();
    await page.goto(url('/doors'));
    if (await firstDoor.count()) {
      await firstDoor.click();
      await page.waitForSelector('#reason');
      await shot('11-door');
      await page.getByLabel('Reason (kept in the audit log)').fill('Browser test: courier');
      await page.getByRole('button', { name: 'Unlock now' }).click();
      await expect.poll(() => page.locator('.flash').textContent()).toContain('Unlock sent');
      // The page follows the door live (SSE): the relay opens for its pulse, then locks again.
      await page.waitForSelector('[data-field="lock"].lock-unlocked', { timeout: 15_000 });
      await shot('11b-door-remote-unlocked');
      await page.waitForSelector('[data-field="lock"].lock-locked', { timeout: 15_000 });
      const { events } = await stack.services.events.list({ kind: 'remote_unlock', limit: 5 });
      expect(events[0]).toMatchObject({ actor: username, detail: expect.stringContaining('Browser test: courier') });
    }
    await page.goto(url('/'));
    await shot('12-dashboard-after');
  });

  it.skipIf(!haveFaces)("removes one photo from the person's page, after confirming (issue 10 item 5)", async () => {
    await page.goto(url(`/people/${personId}`));
    const before = await page.locator('.photo-grid img').count();
    expect(before).toBe(person!.enroll.length);
    const dialog = page.waitForEvent('dialog');
    const clicked = page.getByRole('button', { name: `Remove photo 1 of ${person!.name}` }).click();
    const question = await dialog;
    expect(question.message()).toMatch(/^Remove photo 1\?/);
    await question.accept();
    await clicked;
    await page.waitForURL(/flash=photo-removed$/);
    expect(await page.locator('.flash').textContent()).toContain('Photo removed');
    expect(await page.locator('.photo-grid img').count()).toBe(before - 1);
    expect((await stack.services.people.get(personId))!.faces).toHaveLength(before - 1);
    await shot('12b-photo-removed');
  });

  it.skipIf(!haveFaces)('erases the person, with confirmation', async () => {
    await page.goto(url(`/people/${personId}`));
    await page.getByRole('link', { name: /^Erase/ }).click();
    await shot('13-erase-confirm');
    await page.getByLabel('I understand this cannot be undone').check();
    await page.getByRole('button', { name: 'Erase permanently' }).click();
    await page.waitForURL('**/people?flash=erased');
    await shot('14-people-after-erase');
    expect(await page.locator('main').textContent()).not.toContain(person!.name);
    expect(await stack.services.people.get(personId)).toBeNull();
  });

  it.skipIf(!haveFaces)(
    'the virtual door now denies them',
    async () => {
      await page.goto(url('/virtual-door'));
      await page.getByRole('button', { name: 'Start camera' }).click();
      await page.waitForSelector('#vdoor-decision.denied', { timeout: 90_000 });
      expect(await page.locator('#vdoor-lamp').getAttribute('class')).toContain('lamp-locked');
      await shot('15-virtual-door-denied');
      await page.getByRole('button', { name: 'Stop' }).click();
    },
    150_000,
  );

  it('is usable on a phone-sized screen', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    const [door] = await stack.services.doors.list();
    expect(door, 'the simulated door').toBeDefined();
    for (const [name, p] of [
      ['dashboard', '/'],
      ['people', '/people'],
      ['doors', '/doors'],
      ['door', `/doors/${door!.doorId}`], // the renew form with its wiring fields
      ['access-log', '/events'],
      ['virtual-door', '/virtual-door'],
      ['add-person', '/people/new'],
    ] as const) {
      await phone.goto(url(p));
      // Nothing wider than the screen: no sideways scrolling on a phone.
      const overflow = await phone.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, name).toBeLessThanOrEqual(0);
      await shot(`phone-${name}`, phone);
    }
    // Every form control on these pages has a label.
    const unlabelled = await phone.evaluate(() =>
      [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label'))
        .map((el) => el.outerHTML),
    );
    expect(unlabelled).toEqual([]);
    await phone.close();
  });
});
