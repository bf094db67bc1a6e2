/** Sign-in, sessions, CSRF and headers across every route of the admin site. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildHarness,
  cookieHeader,
  collectCookies,
  csrfFromHtml,
  signIn,
  ADMIN,
  type Harness,
} from './support/harness.js';
import { PERSON, STATE_CHANGING } from './support/site-routes.js';

const FACE = 'face-1';

/** Every route behind the session gate (method, url). */
const PROTECTED_GETS = [
  '/',
  '/stream/doors',
  '/people',
  '/people/new',
  `/people/${PERSON}`,
  `/people/${PERSON}/erase`,
  `/people/${PERSON}/faces/${FACE}/photo`,
  '/doors',
  '/doors/front-door',
  '/events',
  '/events.csv',
  '/snapshots?key=snapshots/a.jpg',
  '/virtual-door',
  '/virtual-door/stream',
  '/account/password',
  '/api/people',
  '/api/doors',
  '/api/events',
  '/api/dashboard/today',
];

describe('admin site: authentication and CSRF', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await buildHarness();
    await h.addDoor({ doorId: 'front-door', name: 'Front door' });
  });
  afterEach(async () => h.close());

  it('serves health and sign-in without a session', async () => {
    expect((await h.app.inject({ url: '/healthz' })).json()).toEqual({ ok: true });
    const login = await h.app.inject({ url: '/login' });
    expect(login.statusCode).toBe(200);
    expect(login.body).toContain('<label for="username">');
    expect((await h.app.inject({ url: '/assets/app.css' })).statusCode).toBe(200);
  });

  it.each(PROTECTED_GETS)(
    'GET %s without a session: 401 for scripts, redirect to sign-in for browsers',
    async (url) => {
      const api = await h.app.inject({ url });
      expect(api.statusCode).toBe(401);
      expect(api.json()).toMatchObject({ error: 'unauthorized', message: 'sign in first' });
      const page = await h.app.inject({ url, headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(303);
      expect(page.headers.location).toBe(`/login?next=${encodeURIComponent(url)}`);
    },
  );

  it.each(STATE_CHANGING)(
    '$method $url without a session is refused and changes nothing',
    async ({ method, url, payload }) => {
      const res = await h.app.inject({ method, url, payload: payload as object });
      expect([401, 403]).toContain(res.statusCode);
      expect(h.calls.filter((c) => !c.method.endsWith('.list') && !c.method.endsWith('.get'))).toEqual([]);
    },
  );

  it.each(STATE_CHANGING)(
    '$method $url with a session but no or a wrong CSRF token: 403',
    async ({ method, url, payload }) => {
      const s = await signIn(h.app);
      const before = h.calls.length;
      const none = await h.app.inject({ method, url, headers: { cookie: s.cookie }, payload: payload as object });
      expect(none.statusCode).toBe(403);
      expect(none.json<{ error: string }>().error).toBe('csrf');
      const wrong = await h.app.inject({
        method,
        url,
        headers: { cookie: s.cookie, 'x-csrf-token': 'not-a-token' },
        payload: payload as object,
      });
      expect(wrong.statusCode).toBe(403);
      // A valid token from another browser (another CSRF secret) does not work either.
      const other = await h.app.inject({ url: '/login' });
      const foreign = await h.app.inject({
        method,
        url,
        headers: { cookie: s.cookie, 'x-csrf-token': csrfFromHtml(other.body) },
        payload: payload as object,
      });
      expect(foreign.statusCode).toBe(403);
      expect(h.calls.length).toBe(before);
    },
  );

  it('signs in with the right password, sets a strict httpOnly session cookie, and rotates it', async () => {
    const page = await h.app.inject({ url: '/login' });
    const jar = collectCookies(page);
    jar.fg_session = 'A'.repeat(43); // a planted session id (fixation attempt)
    const res = await h.app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: cookieHeader(jar) },
      payload: { username: ADMIN.username, password: ADMIN.password, _csrf: csrfFromHtml(page.body), next: '/people' },
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/people');
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/fg_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).not.toContain('A'.repeat(43));
    expect((await h.users.findByUsername(ADMIN.username))?.lastLoginAt).toBeGreaterThan(0);
  });

  it('sets the Secure flag when asked to', async () => {
    await h.close();
    h = await buildHarness({ cookieSecure: true });
    const page = await h.app.inject({ url: '/login' });
    expect(String(page.headers['set-cookie'])).toContain('Secure');
    expect(page.headers['strict-transport-security']).toBeDefined();
  });

  it('refuses a wrong password or unknown user with 401 and no session', async () => {
    for (const creds of [
      { username: ADMIN.username, password: 'wrong password!' },
      { username: 'mallory', password: ADMIN.password },
    ]) {
      const page = await h.app.inject({ url: '/login' });
      const jar = collectCookies(page);
      const res = await h.app.inject({
        method: 'POST',
        url: '/login',
        headers: { cookie: cookieHeader(jar) },
        payload: { ...creds, _csrf: csrfFromHtml(page.body) },
      });
      expect(res.statusCode).toBe(401);
      expect(String(res.headers['set-cookie'] ?? '')).not.toContain('fg_session=');
    }
  });

  it('refuses a sign-in without a CSRF token', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/login',
      payload: { username: ADMIN.username, password: ADMIN.password },
    });
    expect(res.statusCode).toBe(403);
  });

  it('does not redirect off-site after sign-in', async () => {
    const s = await signIn(h.app);
    for (const next of ['//evil.example/x', 'https://evil.example', '/\\evil.example']) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/login',
        headers: { cookie: s.cookie },
        payload: { username: ADMIN.username, password: ADMIN.password, _csrf: s.loginCsrf, next },
      });
      expect(res.headers.location).toBe('/');
      // Signed in already, the sign-in page forwards, but never off-site either.
      const page = await h.app.inject({
        url: `/login?next=${encodeURIComponent(next)}`,
        headers: { cookie: cookieHeader(collectCookies(res, { ...s.jar })) },
      });
      expect(page.statusCode).toBe(303);
      expect(page.headers.location).toBe('/');
    }
  });

  it('rate-limits sign-in attempts per address', async () => {
    await h.close();
    h = await buildHarness({ loginRateLimit: 3 });
    const page = await h.app.inject({ url: '/login' });
    const jar = collectCookies(page);
    const attempt = () =>
      h.app.inject({
        method: 'POST',
        url: '/login',
        headers: { cookie: cookieHeader(jar) },
        payload: { username: ADMIN.username, password: 'wrong password!', _csrf: csrfFromHtml(page.body) },
      });
    for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(401);
    const limited = await attempt();
    expect(limited.statusCode).toBe(429);
    expect(limited.json<{ message: string }>().message).toMatch(/too many/);
    // Even the right password is refused while limited.
    const right = await h.app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: cookieHeader(jar) },
      payload: { username: ADMIN.username, password: ADMIN.password, _csrf: csrfFromHtml(page.body) },
    });
    expect(right.statusCode).toBe(429);
  });

  it('sends security headers with a self-only CSP', async () => {
    const res = await h.app.inject({ url: '/login' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['permissions-policy']).toContain('camera=(self)');
  });

  it('signs out: the session cookie stops working', async () => {
    const s = await signIn(h.app);
    expect((await h.app.inject({ url: '/api/people', headers: { cookie: s.cookie } })).statusCode).toBe(200);
    const out = await h.app.inject({
      method: 'POST',
      url: '/logout',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
    });
    expect(out.statusCode).toBe(303);
    expect((await h.app.inject({ url: '/api/people', headers: { cookie: s.cookie } })).statusCode).toBe(401);
  });

  it('forces a password change after a one-time password, then ends old sessions', async () => {
    await h.users.setPassword(ADMIN.username, (await h.users.findByUsername(ADMIN.username))!.passwordHash, true);
    const page = await h.app.inject({ url: '/login' });
    const jar = collectCookies(page);
    const login = await h.app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: cookieHeader(jar) },
      payload: { username: ADMIN.username, password: ADMIN.password, _csrf: csrfFromHtml(page.body) },
    });
    expect(login.headers.location).toBe('/account/password');
    collectCookies(login, jar);
    const cookie = cookieHeader(jar);
    // The sign-in form's token was bound to the pre-session; the signed-in pages carry the session's.
    const passwordPage = await h.app.inject({ url: '/account/password', headers: { cookie, accept: 'text/html' } });
    const csrf = csrfFromHtml(passwordPage.body);
    expect(csrf).not.toBe(csrfFromHtml(page.body));
    // Everything else is closed until the password is changed.
    expect((await h.app.inject({ url: '/people', headers: { cookie, accept: 'text/html' } })).headers.location).toBe(
      '/account/password',
    );
    expect((await h.app.inject({ url: '/api/people', headers: { cookie } })).statusCode).toBe(403);
    // Too short, mismatched: 400 and nothing changes.
    const short = await h.app.inject({
      method: 'POST',
      url: '/account/password',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { current: ADMIN.password, password: 'short', confirm: 'short' },
    });
    expect(short.statusCode).toBe(400);
    expect(short.json<{ message: string }>().message).toMatch(/at least 12/);
    const changed = await h.app.inject({
      method: 'POST',
      url: '/account/password',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { current: ADMIN.password, password: 'a much better passphrase', confirm: 'a much better passphrase' },
    });
    expect(changed.statusCode).toBe(303);
    expect((await h.users.findByUsername(ADMIN.username))!.mustChangePassword).toBe(false);
    // The old session is gone; the new cookie works.
    expect((await h.app.inject({ url: '/api/people', headers: { cookie } })).statusCode).toBe(401);
    collectCookies(changed, jar);
    expect((await h.app.inject({ url: '/api/people', headers: { cookie: cookieHeader(jar) } })).statusCode).toBe(200);
  });
});
