/**
 * Issue 7 item 1 over inject(): a CSRF token works only for the session it was issued to, and a
 * state-changing request that a browser marks as coming from another origin is refused, even with
 * the right token. The browser version of the attack is in cross-site-attack.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHarness, collectCookies, cookieHeader, csrfFromHtml, signIn, type Harness } from './support/harness.js';
import { STATE_CHANGING } from './support/site-routes.js';

const SITE = 'http://localhost'; // what inject() requests are addressed to (Host: localhost:80)
const OTHER_PORT = 'http://localhost:8081';

const changes = (h: Harness) => h.calls.filter((c) => !c.method.endsWith('.list') && !c.method.endsWith('.get')).length;

describe('admin site: CSRF tokens bound to their session', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await buildHarness();
    await h.addDoor({ doorId: 'front-door', name: 'Front door' });
  });
  afterEach(async () => h.close());

  const unlock = (cookie: string, token: string, headers: Record<string, string> = {}) =>
    h.app.inject({
      method: 'POST',
      url: '/doors/front-door/unlock',
      headers: { cookie, ...headers },
      payload: { reason: 'courier', _csrf: token },
    });

  it("works with the session's own token (the control)", async () => {
    const s = await signIn(h.app);
    const res = await unlock(s.cookie, s.csrf);
    expect(res.statusCode).toBe(303);
    expect(h.callsTo('doors.remoteUnlock')).toHaveLength(1);
  });

  it.each(STATE_CHANGING)(
    '$method $url: the token the sign-in form carried (anonymous) is refused once signed in',
    async ({ method, url, payload }) => {
      const s = await signIn(h.app);
      const before = changes(h);
      const res = await h.app.inject({
        method,
        url,
        headers: { cookie: s.cookie, 'x-csrf-token': s.loginCsrf },
        payload: payload as object,
      });
      expect(res.statusCode).toBe(403);
      expect(res.json<{ error: string }>().error).toBe('csrf');
      expect(changes(h)).toBe(before);
    },
  );

  it("refuses another session's token, even for the same account", async () => {
    const mine = await signIn(h.app);
    const theirs = await signIn(h.app);
    expect(theirs.csrf).not.toBe(mine.csrf);
    expect((await unlock(mine.cookie, theirs.csrf)).statusCode).toBe(403);
    expect((await unlock(theirs.cookie, mine.csrf)).statusCode).toBe(403);
    expect(h.callsTo('doors.remoteUnlock')).toHaveLength(0);
  });

  it('refuses the planted-cookie attack: an anonymous token pair planted beside the real session', async () => {
    const victim = await signIn(h.app);
    // The attacker fetches the public sign-in page for a pre-session cookie and its token…
    const login = await h.app.inject({ url: '/login' });
    const planted = collectCookies(login);
    const token = csrfFromHtml(login.body);
    // …and plants the cookie in the victim's browser, which still sends its own session cookie.
    const cookie = cookieHeader({ ...victim.jar, ...planted });
    const res = await unlock(cookie, token);
    expect(res.statusCode).toBe(403);
    expect(h.callsTo('doors.remoteUnlock')).toHaveLength(0);
  });

  it('a token dies with its session: after sign-out, signing in again needs the new one', async () => {
    const s = await signIn(h.app);
    const out = await h.app.inject({
      method: 'POST',
      url: '/logout',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
    });
    expect(out.statusCode).toBe(303);
    const again = await signIn(h.app);
    expect((await unlock(again.cookie, s.csrf)).statusCode).toBe(403);
    expect((await unlock(again.cookie, again.csrf)).statusCode).toBe(303);
  });

  it('refuses a sign-in whose token belongs to another pre-session', async () => {
    const a = await h.app.inject({ url: '/login' });
    const b = await h.app.inject({ url: '/login' });
    const res = await h.app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: cookieHeader(collectCookies(a)) },
      payload: { username: 'alice', password: 'correct horse battery', _csrf: csrfFromHtml(b.body) },
    });
    expect(res.statusCode).toBe(403);
    expect(String(res.headers['set-cookie'] ?? '')).not.toContain('fg_session=');
  });
});

describe('admin site: state-changing requests from another origin', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await buildHarness({ publicOrigins: ['https://gate.example.com'] });
    await h.addDoor({ doorId: 'front-door', name: 'Front door' });
  });
  afterEach(async () => h.close());

  it.each(STATE_CHANGING)(
    '$method $url with the right token but a foreign Origin: 403 and nothing changes',
    async ({ method, url, payload }) => {
      const s = await signIn(h.app);
      const before = changes(h);
      for (const origin of [OTHER_PORT, 'http://127.0.0.1', 'https://localhost', 'null']) {
        const res = await h.app.inject({
          method,
          url,
          headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, origin },
          payload: payload as object,
        });
        expect(res.statusCode, origin).toBe(403);
        expect(res.json<{ error: string }>().error, origin).toBe('cross_origin');
      }
      expect(changes(h)).toBe(before);
    },
  );

  it('without Origin, a foreign Referer is refused and a same-origin one accepted', async () => {
    const s = await signIn(h.app);
    const post = (referer: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/doors/front-door/unlock',
        headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, referer },
        payload: { reason: 'courier' },
      });
    const foreign = await post(`${OTHER_PORT}/attack.html`);
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json<{ error: string }>().error).toBe('cross_origin');
    expect(h.callsTo('doors.remoteUnlock')).toHaveLength(0);
    expect((await post('not a url')).statusCode).toBe(403);
    expect((await post(`${SITE}/doors/front-door`)).statusCode).toBe(200);
    expect(h.callsTo('doors.remoteUnlock')).toHaveLength(1);
  });

  it('accepts its own origin and a configured public origin; Origin wins over Referer', async () => {
    const s = await signIn(h.app);
    const post = (headers: Record<string, string>) =>
      h.app.inject({
        method: 'POST',
        url: '/api/doors/front-door/unlock',
        headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, ...headers },
        payload: { reason: 'courier' },
      });
    expect((await post({ origin: SITE })).statusCode).toBe(200);
    expect((await post({ origin: 'https://gate.example.com' })).statusCode).toBe(200);
    expect((await post({ origin: OTHER_PORT, referer: `${SITE}/doors` })).statusCode).toBe(403);
    expect(h.callsTo('doors.remoteUnlock')).toHaveLength(2);
  });

  it('refuses a cross-origin sign-in (login CSRF) before it checks anything else', async () => {
    const page = await h.app.inject({ url: '/login' });
    const res = await h.app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: cookieHeader(collectCookies(page)), origin: OTHER_PORT },
      payload: { username: 'alice', password: 'correct horse battery', _csrf: csrfFromHtml(page.body) },
    });
    expect(res.statusCode).toBe(403);
    expect(String(res.headers['set-cookie'] ?? '')).not.toContain('fg_session=');
  });
});
