/**
 * The enrolment widget on a person's page in Chromium (issue 10 item 2), on the real services over
 * SQLite (the harness of the route tests) with the scripted face index (the glitches are in the
 * page and the upload labels, not in recognition): three files chosen at once, a text file among
 * them, one photo's check held back by the test. Each problem must name its own file, a file that
 * is no image must not show a broken-image icon, and the button must not offer to enroll while a
 * photo is still being checked.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import { ADMIN, buildHarness, makeJpeg, type Harness } from './support/harness.js';
import { CHROMIUM } from './support/browser-fixtures.js';

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) console.warn(`enrolment page test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

describe.skipIf(!haveChromium)('enrolment page in a real browser', () => {
  let h: Harness;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  let jpeg: Buffer;

  beforeAll(async () => {
    h = await buildHarness();
    baseUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
    jpeg = await makeJpeg();
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
    await h?.close();
  });

  it('names each problem by its own file, shows no broken image, and waits for every check before offering to enroll', async () => {
    const person = await h.services.people.create({ name: 'Ida Enrol' }, { name: 'test' });
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
    expect(await h.stores.records.listFaces(person.personId)).toHaveLength(2);
    expect([...h.faceIndex.indexed.values()]).toEqual([person.personId, person.personId]);
  });
});
