/**
 * Issue 7 items 6 and 8, issue 10 item 12: the change-password form refuses guessable passwords
 * with a helpful message, is rate-limited like sign-in, confirms a change; and a one-time password
 * written to a file for want of a terminal is removed at the first sign-in.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OneTimePasswordFiles } from '../../admin-web/src/users/one-time-password-file.js';
import { judgePassword } from '../../admin-web/src/users/password-strength.js';
import { verifyPassword } from '../../admin-web/src/users/password.js';
import {
  ADMIN,
  buildHarness,
  collectCookies,
  cookieHeader,
  csrfFromHtml,
  signIn,
  type Harness,
} from './support/harness.js';

const GOOD = 'lantern orbit pickle gravel';

describe('change password', () => {
  let h: Harness | undefined;
  afterEach(async () => h?.close());

  const change = (s: { cookie: string; csrf: string }, body: Record<string, string>, accept = 'application/json') =>
    h!.app.inject({
      method: 'POST',
      url: '/account/password',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, accept },
      payload: body,
    });

  it.each(['aaaaaaaaaaaa', 'password1234', '123456789012', 'qwertyuiop[]', 'abcdefghijklmnop', 'alice-alice-alice'])(
    'refuses %j with a helpful message and changes nothing',
    async (weak) => {
      h = await buildHarness();
      const s = await signIn(h.app);
      const res = await change(s, { current: ADMIN.password, password: weak, confirm: weak });
      expect(res.statusCode).toBe(400);
      const { message } = res.json<{ message: string }>();
      expect(message).toMatch(/^This password is too easy to guess\. .+ A few unrelated words/);
      expect(await verifyPassword(ADMIN.password, (await h.users.findByUsername(ADMIN.username))!.passwordHash)).toBe(
        true,
      );
    },
  );

  it('shows the refusal on the page for a browser, and confirms a good change on the dashboard', async () => {
    h = await buildHarness();
    const s = await signIn(h.app);
    const page = await change(
      s,
      { current: ADMIN.password, password: 'aaaaaaaaaaaa', confirm: 'aaaaaaaaaaaa' },
      'text/html',
    );
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('Repeated characters like &quot;aaa&quot; are easy to guess.');
    const ok = await change(s, { current: ADMIN.password, password: GOOD, confirm: GOOD }, 'text/html');
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/?flash=password-changed');
    const jar = collectCookies(ok, { ...s.jar });
    const dashboard = await h.app.inject({
      url: ok.headers.location,
      headers: { cookie: cookieHeader(jar), accept: 'text/html' },
    });
    expect(dashboard.body).toContain('<p class="flash flash-ok" role="status">Password changed.');
    expect(await verifyPassword(GOOD, (await h.users.findByUsername(ADMIN.username))!.passwordHash)).toBe(true);
  });

  it('is rate-limited like sign-in: wrong current passwords, then even the right one, get 429', async () => {
    h = await buildHarness({ loginRateLimit: 3 });
    const s = await signIn(h.app);
    for (let i = 0; i < 3; i++) {
      const res = await change(s, { current: `wrong guess ${i}`, password: GOOD, confirm: GOOD });
      expect(res.statusCode).toBe(400);
      expect(res.json<{ message: string }>().message).toBe('The current password is not correct.');
    }
    const limited = await change(s, { current: ADMIN.password, password: GOOD, confirm: GOOD });
    expect(limited.statusCode).toBe(429);
    expect(await verifyPassword(ADMIN.password, (await h.users.findByUsername(ADMIN.username))!.passwordHash)).toBe(
      true,
    );
  });

  it('judges only the first 64 characters, so a long run of one letter is still refused quickly', () => {
    expect(judgePassword('a'.repeat(256)).ok).toBe(false);
    expect(judgePassword(`${GOOD} ${'x'.repeat(200)}`).ok).toBe(true);
    expect(judgePassword('short pass')).toMatchObject({ ok: false, message: expect.stringMatching(/at least 12/) });
  });
});

describe('one-time password file', () => {
  let h: Harness | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await h?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is written 0600, never through a planted link, and removed at the first sign-in', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-otp-'));
    const files = new OneTimePasswordFiles(dir);
    const elsewhere = path.join(dir, 'elsewhere.txt');
    fs.writeFileSync(elsewhere, 'untouched');
    fs.symlinkSync(elsewhere, files.pathFor(ADMIN.username));
    const file = files.write(ADMIN.username, ADMIN.password);
    expect(fs.lstatSync(file).isFile()).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${ADMIN.password}\n`);
    expect(fs.readFileSync(elsewhere, 'utf8')).toBe('untouched');

    h = await buildHarness({ oneTimePasswords: files });
    // A failed sign-in leaves it; the first successful one removes it.
    const page = await h.app.inject({ url: '/login' });
    const failed = await h.app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: cookieHeader(collectCookies(page)) },
      payload: { username: ADMIN.username, password: 'not the password', _csrf: csrfFromHtml(page.body) },
    });
    expect(failed.statusCode).toBe(401);
    expect(fs.existsSync(file)).toBe(true);
    await signIn(h.app);
    expect(fs.existsSync(file)).toBe(false);
  });
});
