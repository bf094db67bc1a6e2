/**
 * The enrolment widget on a person's page in Chromium (issue 10 item 2), on the services double
 * (the glitches are in the page and the upload labels, not in recognition): three files chosen at
 * once, a text file among them, one photo's check held back by the test. Each problem must name
 * its own file, a file that is no image must not show a broken-image icon, and the button must not
 * offer to enroll while a photo is still being checked.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import { buildAdminApp } from '../../admin-web/src/app.js';
import { SqliteAdminUserStore } from '../../admin-web/src/users/sqlite-admin-user-store.js';
import { hashPassword } from '../../admin-web/src/users/password.js';
import { silentLogger } from '../../lib/logger.js';
import { MemoryServices } from './support/memory-services.js';
import { CHROMIUM } from './support/browser-fixtures.js';

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) console.warn(`enrolment page test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const ADMIN = { username: 'enroller', password: 'enrolment page passphrase' };

describe.skipIf(!haveChromium)('enrolment page in a real browser', () => {
  let tmp: string;
  let services: MemoryServices;
  let users: SqliteAdminUserStore;
  let close: () => Promise<void>;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  let jpeg: Buffer;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-enroll-page-'));
    services = new MemoryServices();
    users = SqliteAdminUserStore.open(path.join(tmp, 'admin.db'));
    await users.create(
      { username: ADMIN.username, passwordHash: await hashPassword(ADMIN.password), mustChangePassword: false },
      Date.now(),
    );
    const app = await buildAdminApp({ services, users, logger: silentLogger(), cookieSecure: false });
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    close = async () => {
      await app.close();
      await users.close();
    };
    jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 120, g: 110, b: 100 } } })
      .jpeg()
      .toBuffer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${baseUrl}/`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await close?.();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('names each problem by its own file, shows no broken image, and waits for every check before offering to enroll', async () => {
    const person = await services.people.create({ name: 'Ida Enrol' }, { name: 'test' });
    await page.goto(`${baseUrl}/people/${person.personId}`);

    // Hold back the check of slow.jpg until the test lets it go.
    let held: Route | null = null;
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/photos/check*', async (route) => {
      if (route.request().postDataBuffer()?.includes('filename="slow.jpg"')) {
        held = route;
        await released;
      }
      await route.continue();
    });

    await page.getByLabel('Choose photos').setInputFiles([
      { name: 'first.jpg', mimeType: 'image/jpeg', buffer: jpeg },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo at all') },
      { name: 'slow.jpg', mimeType: 'image/jpeg', buffer: jpeg },
    ]);
    const items = page.locator('#photo-feedback li');
    await expect.poll(() => items.count()).toBe(3);
    await expect.poll(() => items.nth(1).textContent()).toMatch(/is not a JPEG or PNG image/);
    await expect.poll(() => items.nth(0).textContent()).toMatch(/Good photo/);
    await expect.poll(() => held !== null).toBe(true);

    // One good photo checked, one still being checked: no "Enroll 1 photo" yet.
    const submit = page.locator('#enroll-submit');
    expect(await submit.textContent()).toBe('Checking 1 photo…');
    expect(await submit.isDisabled()).toBe(true);

    // The second file's problem names that file, not "photo 1".
    const refused = (await items.nth(1).textContent())!;
    expect(refused).toContain('notes.txt is not a JPEG or PNG image');
    expect(refused).not.toMatch(/photo 1/);

    // No broken image: the text file gets a plain tile, and every thumbnail shown decodes.
    expect(await items.nth(1).locator('img').count()).toBe(0);
    expect(await items.nth(1).locator('.thumb-missing').count()).toBe(1);
    const box = await items.nth(1).boundingBox();
    const textBox = await items.nth(1).locator('div').first().boundingBox();
    expect(textBox!.x).toBeGreaterThanOrEqual(box!.x + 64); // the message sits beside the tile, not over it

    release();
    await expect.poll(() => submit.textContent()).toBe('Enroll 2 photos');
    expect(await submit.isDisabled()).toBe(false);
    const broken = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLImageElement>('#photo-feedback img')]
        .filter((img) => !img.complete || img.naturalWidth === 0)
        .map((img) => img.alt),
    );
    expect(broken).toEqual([]);
    expect(await page.locator('#photo-feedback img').count()).toBe(2);

    await submit.click();
    await page.waitForURL(/flash=enrolled$/);
    expect(services.faces.get(person.personId)).toHaveLength(2);
  });
});
