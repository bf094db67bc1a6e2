/**
 * Issue 10 item 6: the Add door form's `pattern` attribute compiles in Chromium (which uses the
 * `v` flag) and agrees with the server's door id rule, so the browser checks the field again.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { DOOR_ID_HTML_PATTERN, DOOR_ID_SOURCE } from '../../admin-web/src/ids.js';
import { buildHarness, signIn } from './support/harness.js';
import { CHROMIUM } from './support/browser-fixtures.js';

const haveChromium = fs.existsSync(CHROMIUM);
const SAMPLES = [
  'front-door',
  'a',
  'door-2',
  'Front-Door',
  '-door',
  'door-',
  'back_door',
  'x'.repeat(64),
  'x'.repeat(65),
  '',
];

describe('door id pattern attribute', () => {
  it('is the page the doors list serves', async () => {
    const h = await buildHarness();
    try {
      const s = await signIn(h.app);
      const page = await h.app.inject({ url: '/doors', headers: { cookie: s.cookie, accept: 'text/html' } });
      expect(page.body).toContain(`pattern="${DOOR_ID_HTML_PATTERN.replace(/\\/g, '\\')}"`);
    } finally {
      await h.close();
    }
  });

  describe.skipIf(!haveChromium)('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu'],
      });
    }, 60_000);
    afterAll(async () => browser?.close());

    it('compiles and accepts exactly what the server accepts', async () => {
      const page = await browser.newPage();
      const warnings: string[] = [];
      page.on('console', (m) => warnings.push(m.text()));
      await page.setContent('<input id="d" required maxlength="64">');
      const verdicts = await page.evaluate(
        ({ pattern, samples }) => {
          const input = document.getElementById('d') as HTMLInputElement;
          input.setAttribute('pattern', pattern);
          return samples.map((v) => {
            input.value = v;
            return input.checkValidity();
          });
        },
        { pattern: DOOR_ID_HTML_PATTERN, samples: SAMPLES.filter((v) => v.length <= 64) },
      );
      const server = new RegExp(DOOR_ID_SOURCE);
      expect(verdicts).toEqual(SAMPLES.filter((v) => v.length <= 64).map((v) => server.test(v)));
      expect(verdicts.some((v) => !v)).toBe(true);
      expect(warnings.join('\n')).not.toMatch(/not a valid regular expression/);
      await page.close();
    });
  });
});
