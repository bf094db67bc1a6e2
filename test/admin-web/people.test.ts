/** People pages and API: create, edit, deactivate, erase, escaping, and bad input refused before the services. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHarness, makeJpeg, signIn, type Harness, type Session } from './support/harness.js';

const MUTATIONS = ['people.create', 'people.update', 'people.erase'];

describe('admin site: people', () => {
  let h: Harness;
  let s: Session;
  beforeEach(async () => {
    // Validity dates are days in the site zone (site-time-zone.test.ts covers other zones).
    h = await buildHarness({ timeZone: 'UTC' });
    await h.addDoor({ doorId: 'front-door', name: 'Front door' });
    s = await signIn(h.app);
  });
  afterEach(async () => h.close());

  const mutations = () => h.calls.filter((c) => MUTATIONS.includes(c.method));
  const post = (url: string, payload: Record<string, unknown>) =>
    h.app.inject({ method: 'POST', url, headers: { cookie: s.cookie }, payload: { ...payload, _csrf: s.csrf } });

  it('adds a person from the form with validity dates and doors, audited as the admin', async () => {
    const res = await post('/people', {
      name: '  Ada   Lovelace ',
      validFrom: '2025-01-01',
      validUntil: '2025-12-31',
      access: 'some',
      doors: 'front-door',
    });
    expect(res.statusCode).toBe(303);
    const [person] = await h.stores.records.listPeople();
    expect(res.headers.location).toBe(`/people/${person!.personId}?flash=created`);
    expect(person).toMatchObject({
      name: 'Ada Lovelace',
      validFrom: Date.UTC(2025, 0, 1),
      validUntil: Date.UTC(2025, 11, 31) + 86_400_000 - 1,
      allowedDoors: ['front-door'],
    });
    expect(h.callsTo('people.create')[0]!.args[1]).toEqual({ name: 'alice' });
    expect((await h.services.events.list({ kind: 'person_created' })).events[0]).toMatchObject({ actor: 'alice' });
    const list = await h.app.inject({ url: '/people?q=ada', headers: { cookie: s.cookie } });
    expect(list.body).toContain('Ada Lovelace');
    const none = await h.app.inject({ url: '/people?q=zzz', headers: { cookie: s.cookie } });
    expect(none.body).not.toContain('Ada Lovelace');
  });

  it('edits and deactivates a person', async () => {
    const p = await h.services.people.create({ name: 'Bob' }, { name: 'test' });
    const res = await post(`/people/${p.personId}`, { name: 'Bob B', status: 'inactive', access: 'all' });
    expect(res.statusCode).toBe(303);
    expect(await h.stores.records.getPerson(p.personId)).toMatchObject({
      name: 'Bob B',
      status: 'inactive',
      allowedDoors: null,
    });
    const page = await h.app.inject({ url: `/people/${p.personId}`, headers: { cookie: s.cookie } });
    expect(page.body).toContain('Deactivated');
  });

  it('escapes HTML in names everywhere they appear', async () => {
    const evil = '<script>alert("x")</script><img src=x onerror=alert(1)>';
    const p = await h.services.people.create({ name: evil }, { name: 'test' });
    await h.addEvent({
      kind: 'access',
      personId: p.personId,
      personName: evil,
      doorId: 'front-door',
      result: 'granted',
      reason: 'match',
    });
    for (const url of ['/people', `/people/${p.personId}`, `/people/${p.personId}/erase`, '/events', '/']) {
      const res = await h.app.inject({ url, headers: { cookie: s.cookie } });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).not.toContain('<script>alert');
      expect(res.body, url).not.toContain('<img src=x');
      expect(res.body, url).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    }
  });

  it('erases a person only with the confirmation, and says so', async () => {
    const p = await h.services.people.create({ name: 'Carol' }, { name: 'test' });
    const unconfirmed = await post(`/people/${p.personId}/erase`, {});
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.json().message).toMatch(/confirm/);
    expect(await h.stores.records.getPerson(p.personId)).not.toBeNull();
    const confirmed = await post(`/people/${p.personId}/erase`, { confirm: 'erase' });
    expect(confirmed.statusCode).toBe(303);
    expect(await h.stores.records.getPerson(p.personId)).toBeNull();
    expect(h.callsTo('people.erase')[0]!.args).toEqual([p.personId, { name: 'alice' }]);
    expect((await h.services.events.list()).events[0]).toMatchObject({ kind: 'person_erased', actor: 'alice' });
  });

  it.each([
    ['an empty name', { name: '   ' }, /name/],
    ['a name too long', { name: 'x'.repeat(101) }, /name/],
    ['a month 13', { name: 'Dan', validFrom: '2025-13-01' }, /validFrom/],
    ['30 February', { name: 'Dan', validUntil: '2025-02-30' }, /validUntil/],
    ['a non-date', { name: 'Dan', validFrom: 'tomorrow' }, /validFrom/],
    ['until before from', { name: 'Dan', validFrom: '2025-06-01', validUntil: '2025-05-01' }, /after validFrom/],
    ['an unknown door', { name: 'Dan', access: 'some', doors: 'no-such-door' }, /unknown door/],
    ['a malformed door id', { name: 'Dan', access: 'some', doors: '../etc' }, /doors/],
    ['a bad status', { name: 'Dan', status: 'superuser' }, /status/],
  ])('refuses %s with 400 and a clear message', async (_label, body, message) => {
    const res = await post('/people', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
    expect(mutations()).toEqual([]);
  });

  it.each(['../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', 'a b', 'x'.repeat(65), '%00'])(
    'refuses the person id %s before any lookup',
    async (id) => {
      for (const url of [`/people/${id}`, `/people/${id}/erase`, `/api/people/${id}`, `/people/${id}/faces/f1/photo`]) {
        const res = await h.app.inject({ url, headers: { cookie: s.cookie } });
        expect([400, 404], url).toContain(res.statusCode);
      }
      const patch = await h.app.inject({
        method: 'PATCH',
        url: `/api/people/${encodeURIComponent(id)}`,
        headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
        payload: { name: 'x' },
      });
      expect(patch.statusCode).toBe(400);
      expect(h.calls.filter((c) => c.method === 'people.get' || MUTATIONS.includes(c.method))).toEqual([]);
    },
  );

  it("removes one photo from the person's page (issue 10 item 5); only that person's own, only with the CSRF token", async () => {
    const p = await h.services.people.create({ name: 'Fay' }, { name: 'test' });
    const other = await h.services.people.create({ name: 'Gus' }, { name: 'test' });
    const jpeg = await makeJpeg();
    await h.services.enrollment.enroll(p.personId, [jpeg, jpeg], { name: 'test' });
    await h.services.enrollment.enroll(other.personId, [jpeg], { name: 'test' });
    const [first, second] = await h.stores.records.listFaces(p.personId);
    const [gusFace] = await h.stores.records.listFaces(other.personId);
    if (!gusFace) throw new Error('Gus not enrolled');

    const page = await h.app.inject({ url: `/people/${p.personId}`, headers: { cookie: s.cookie } });
    const action = `/people/${p.personId}/faces/${first!.faceId}/remove`;
    expect(page.body).toContain(`action="${action}"`);
    expect(page.body).toContain('aria-label="Remove photo 1 of Fay"');

    const noToken = await h.app.inject({ method: 'POST', url: action, headers: { cookie: s.cookie }, payload: {} });
    expect(noToken.statusCode).toBe(403);
    // Gus's face through Fay's page is unknown here.
    const crossed = await post(`/people/${p.personId}/faces/${gusFace.faceId}/remove`, {});
    expect(crossed.statusCode).toBe(404);
    expect(await h.stores.records.listFaces(other.personId)).toHaveLength(1);

    const res = await post(action, {});
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/people/${p.personId}?flash=photo-removed`);
    expect(await h.stores.records.listFaces(p.personId)).toEqual([second]);
    expect(await h.stores.images.get(first!.photoKey)).toBeNull();
    expect(h.faceIndex.indexed.has(first!.faceId)).toBe(false);
    expect(h.callsTo('people.removePhoto').at(-1)!.args).toMatchObject([p.personId, first!.faceId, { name: 'alice' }]);
    const after = await h.app.inject({ url: res.headers.location as string, headers: { cookie: s.cookie } });
    expect(after.body).toContain('Photo removed');
    expect(after.body).not.toContain(first!.faceId);

    const api = await h.app.inject({
      method: 'DELETE',
      url: `/api/people/${p.personId}/faces/${second!.faceId}`,
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
    });
    expect(api.statusCode).toBe(204);
    expect(await h.stores.records.listFaces(p.personId)).toEqual([]);
  });

  it('answers 404 for a well-formed id that does not exist', async () => {
    const res = await h.app.inject({
      url: '/api/people/nobody-here/photos',
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
    });
    expect(res.statusCode).toBe(404);
    const page = await h.app.inject({ url: '/people/nobody-here', headers: { cookie: s.cookie, accept: 'text/html' } });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('no such person');
  });

  describe('JSON API', () => {
    const api = (
      method: 'POST' | 'PATCH' | 'DELETE',
      url: string,
      payload?: unknown,
      contentType = 'application/json',
    ) =>
      h.app.inject({
        method,
        url,
        headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': contentType },
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });

    it('creates, lists, updates and erases', async () => {
      const created = await api('POST', '/api/people', {
        name: 'Eve',
        validUntil: '2030-01-01',
        allowedDoors: ['front-door'],
      });
      expect(created.statusCode).toBe(201);
      const id = created.json().person.personId as string;
      const listed = await h.app.inject({ url: '/api/people', headers: { cookie: s.cookie } });
      expect(listed.json().people).toHaveLength(1);
      expect(listed.headers['cache-control']).toBe('private, no-store');
      const patched = await api('PATCH', `/api/people/${id}`, { name: 'Eve E', allowedDoors: null });
      // Only the fields sent change: validUntil stays.
      expect(patched.json().person).toMatchObject({
        name: 'Eve E',
        allowedDoors: null,
        validUntil: Date.UTC(2030, 0, 1) + 86_400_000 - 1,
      });
      expect((await api('PATCH', `/api/people/${id}`, { status: 'inactive' })).json().person.status).toBe('inactive');
      expect((await api('PATCH', `/api/people/${id}`, {})).statusCode).toBe(400);
      expect((await api('PATCH', `/api/people/${id}`, { validFrom: '2030-02-31' })).statusCode).toBe(400);
      expect((await api('DELETE', `/api/people/${id}`, { confirm: false })).statusCode).toBe(400);
      expect((await api('DELETE', `/api/people/${id}`, { confirm: true })).statusCode).toBe(204);
      expect(await h.stores.records.listPeople()).toEqual([]);
    });

    it('refuses bad JSON with 400 and a message', async () => {
      const res = await api('POST', '/api/people', '{"name": "Eve",', 'application/json');
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(/JSON/i);
      const wrongType = await api('POST', '/api/people', { name: { first: 'Eve' } });
      expect(wrongType.statusCode).toBe(400);
      const missing = await api('POST', '/api/people', { validFrom: '2025-01-01' });
      expect(missing.statusCode).toBe(400);
      expect(missing.json().message).toMatch(/name/);
      const big = await api('POST', '/api/people', { name: 'x', pad: 'y'.repeat(70_000) });
      expect(big.statusCode).toBe(413);
      expect(mutations()).toEqual([]);
    });
  });
});
