/**
 * Issue 7 item 1, performed in a real browser against the real local stack: an admin signed in
 * in Chromium visits a page served on another port of 127.0.0.1. That page does what the attack
 * review did: it fetches a token pair from the public sign-in page, plants the cookie (cookies
 * ignore ports, so it lands on the admin site's host too) and auto-posts the remote-unlock form;
 * then it tries the same with a no-cors fetch. Both must be refused, no unlock may be recorded
 * and the virtual door's relay must stay locked. The control at the end unlocks the same door from
 * the admin site's own page in the same browser, so the test would see an unlock if one got through.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startLocalStack, type LocalStack } from '../../cli/local-stack.js';
import { VIRTUAL_DOOR_ID } from '../../cli/virtual-door.js';
import { hashPassword } from '../../admin-web/src/users/password.js';
import { silentLogger } from '../../lib/logger.js';
import { CHROMIUM } from './support/browser-fixtures.js';

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) console.warn(`cross-site attack test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const GUARD = { username: 'guard', password: 'cross site test passphrase' };
const ATTACK_REASON = 'cross-site attack';
const UNLOCK_PATH = `/doors/${VIRTUAL_DOOR_ID}/unlock`;

/** The attacker's site: another port of the same host, no relation to the admin site. */
function startAttackerSite(adminUrl: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    void (async () => {
      // Server-side, as an attacker would: a fresh token pair from the public sign-in page.
      const login = await fetch(`${adminUrl}/login`);
      const body = await login.text();
      const token = /<meta name="csrf-token" content="([^"]+)">/.exec(body)?.[1] ?? '';
      // Plant every cookie the sign-in page set, for this host (no port in a cookie's scope).
      const planted = login.headers.getSetCookie().map((c) => `${c.split(';')[0]}; Path=/`);
      const target = `${adminUrl}${UNLOCK_PATH}`;
      const script =
        req.url === '/form'
          ? `document.forms[0].submit();`
          : `fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', credentials: 'include',
               body: new URLSearchParams({ reason: ${JSON.stringify(ATTACK_REASON)}, _csrf: ${JSON.stringify(token)} }) })
             .then(() => { document.title = 'sent'; }, () => { document.title = 'failed'; });`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': planted });
      res.end(`<!doctype html><title>Win a prize</title>
        <form method="post" action="${target}">
          <input type="hidden" name="_csrf" value="${token}">
          <input type="hidden" name="reason" value="${ATTACK_REASON}">
        </form>
        <script>${script}</script>`);
    })().catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe.skipIf(!haveChromium)('a page on another port of 127.0.0.1 cannot unlock a door', () => {
  let tmp: string;
  let stack: LocalStack;
  let attacker: http.Server;
  let attackerUrl: string;
  let browser: Browser;
  let page: Page;
  const admin = (p: string) => new URL(p, stack.httpUrl!).href;

  const remoteUnlocks = async () =>
    (await stack.services.events.list({ kind: 'remote_unlock', limit: 50 })).events.map((e) => e.detail ?? '');

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-xsite-'));
    stack = await startLocalStack({ dataDir: tmp, httpPort: 0, mqttPort: 0, logger: silentLogger() });
    await stack.users!.create(
      { username: GUARD.username, passwordHash: await hashPassword(GUARD.password), mustChangePassword: false },
      Date.now(),
    );
    attacker = await startAttackerSite(stack.httpUrl!);
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    expect(new URL(attackerUrl).port).not.toBe(new URL(stack.httpUrl!).port);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
    // The victim: signed in as an admin, the virtual door connected.
    await page.goto(admin('/login'));
    await page.getByLabel('Username').fill(GUARD.username);
    await page.getByLabel('Password').fill(GUARD.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(admin('/'));
    await vi.waitFor(
      async () => {
        if (!(await stack.services.doors.get(VIRTUAL_DOOR_ID))?.online) throw new Error('virtual door not online yet');
      },
      { timeout: 30_000, interval: 200 },
    );
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (attacker ? attacker.close(resolve) : resolve(undefined)));
    await stack?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const unlockPosts = (p: Page) =>
    p.waitForResponse((r) => r.url() === admin(UNLOCK_PATH) && r.request().method() === 'POST');

  it('the auto-posted form with a planted token pair is refused', async () => {
    const response = unlockPosts(page);
    await page.goto(`${attackerUrl}/form`);
    const res = await response;
    expect(res.status()).toBe(403);
    // Chromium said where the request came from, and the site named the refusal.
    expect(res.request().headers().origin).toBe(attackerUrl);
    await page.waitForURL(admin(UNLOCK_PATH));
    expect(await page.locator('.error-text').textContent()).toMatch(/another site/);
    expect(await remoteUnlocks()).toEqual([]);
    expect((await stack.services.doors.get(VIRTUAL_DOOR_ID))?.lock).toBe('locked');
  });

  it('a no-cors fetch with credentials is refused too', async () => {
    // The site's Cross-Origin-Resource-Policy keeps the answer from the attacker's page, but the
    // request itself reaches the server: wait until it has been answered, then look at the door.
    const answered = page.waitForEvent(
      'requestfailed',
      (r) => r.url() === admin(UNLOCK_PATH) && r.failure()?.errorText === 'net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin',
    );
    await page.goto(`${attackerUrl}/fetch`);
    await answered;
    await expect.poll(() => page.title()).toBe('failed');
    expect(await remoteUnlocks()).toEqual([]);
    expect((await stack.services.doors.get(VIRTUAL_DOOR_ID))?.lock).toBe('locked');
  });

  it("control: the admin site's own page in the same browser does unlock the door", async () => {
    await page.goto(admin(`/doors/${VIRTUAL_DOOR_ID}`));
    await page.getByLabel('Reason (kept in the audit log)').fill('legitimate control');
    const response = unlockPosts(page);
    await page.getByRole('button', { name: 'Unlock now' }).click();
    expect((await response).status()).toBe(303);
    await page.waitForSelector('[data-field="lock"].lock-unlocked', { timeout: 15_000 });
    const details = await remoteUnlocks();
    expect(details).toHaveLength(1);
    expect(details[0]).toContain('legitimate control');
  });
});
