/** Every page renders for a signed-in admin, with its form controls labelled and no inline script. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHarness, signIn, type Harness, type Session } from './support/harness.js';

describe('admin site: pages', () => {
  let h: Harness;
  let s: Session;
  let personId: string;
  beforeAll(async () => {
    h = await buildHarness({
      virtualDoor: { doorId: 'virtual-door', submitFrame: async () => {}, onState: () => () => {} },
    });
    await h.addDoor({ doorId: 'front-door', name: 'Front door' });
    personId = (await h.services.people.create({ name: 'Ida' }, { name: 'test' })).personId;
    s = await signIn(h.app);
  });
  afterAll(async () => h.close());

  const pages = () => [
    '/',
    '/people',
    '/people/new',
    `/people/${personId}`,
    `/people/${personId}/erase`,
    '/doors',
    '/doors/front-door',
    '/events',
    '/virtual-door',
    '/account/password',
  ];

  it("answers today's entry and denial counts for the dashboard's live counters", async () => {
    await h.addEvent({ kind: 'access', result: 'granted', reason: 'match', doorId: 'front-door' });
    await h.addEvent({ kind: 'access', result: 'denied', reason: 'unknown', doorId: 'front-door' });
    await h.addEvent({
      kind: 'access',
      result: 'denied',
      reason: 'unknown',
      doorId: 'front-door',
      at: Date.now() - 3 * 86_400_000,
    });
    const res = await h.app.inject({ url: '/api/dashboard/today', headers: { cookie: s.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ entries: 1, denials: 1 });
  });

  it('renders each page with labelled controls, a viewport meta tag and no inline script', async () => {
    for (const url of pages()) {
      const res = await h.app.inject({ url, headers: { cookie: s.cookie } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toContain('text/html');
      expect(res.headers['cache-control'], url).toBe('private, no-store');
      const body = res.body;
      expect(body, url).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(body, url).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(body, url).not.toMatch(/\son[a-z]+=/i);
      // Each control with an id has a <label for=…>; the others sit inside a label.
      for (const m of body.matchAll(/<(input|select|textarea)\b([^>]*)>/g)) {
        const attrs = m[2]!;
        if (/type="hidden"/.test(attrs)) continue;
        const id = /\bid="([^"]+)"/.exec(attrs)?.[1];
        const before = body.slice(0, m.index);
        const insideLabel = before.lastIndexOf('<label') > before.lastIndexOf('</label>');
        expect(insideLabel || (id !== undefined && body.includes(`for="${id}"`)), `${url} ${m[0]}`).toBe(true);
      }
    }
  });

  it('serves the static assets from a fixed list only', async () => {
    expect((await h.app.inject({ url: '/assets/enroll.js' })).headers['content-type']).toContain('text/javascript');
    expect((await h.app.inject({ url: '/assets/..%2F..%2Fpackage.json' })).statusCode).toBe(400);
    expect((await h.app.inject({ url: '/assets/nope.js' })).statusCode).toBe(400);
  });
});
