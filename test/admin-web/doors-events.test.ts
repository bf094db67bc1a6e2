/** Doors (bundle, remote unlock, live state over SSE), the access log (filters, CSV, snapshots). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeDoorKeyRequest } from '../../agent/src/door-key.js';
import { buildHarness, makeJpeg, signIn, type Harness, type Session } from './support/harness.js';
import { formatTime } from '../../admin-web/src/layout.js';

describe('admin site: doors and access log', () => {
  let h: Harness;
  let s: Session;
  beforeEach(async () => {
    // UTC, whatever the machine's zone: the filters below are read on the site's clock.
    h = await buildHarness({ timeZone: 'UTC' });
    await h.addDoor({
      doorId: 'front-door',
      name: 'Front door',
      online: true,
      agentVersion: '0.1.0',
      lastSeenAt: Date.now(),
    });
    s = await signIn(h.app);
  });
  afterEach(async () => h.close());

  const post = (url: string, payload: Record<string, unknown>) =>
    h.app.inject({ method: 'POST', url, headers: { cookie: s.cookie }, payload: { ...payload, _csrf: s.csrf } });

  it('lists doors with state and agent version', async () => {
    const page = await h.app.inject({ url: '/doors', headers: { cookie: s.cookie } });
    expect(page.body).toContain('Front door');
    expect(page.body).toContain('Online');
    expect(page.body).toContain('0.1.0');
    expect((await h.app.inject({ url: '/api/doors', headers: { cookie: s.cookie } })).json().doors[0]).toMatchObject({
      doorId: 'front-door',
      online: true,
    });
  });

  it('adds a door and downloads its provisioning bundle once', async () => {
    const res = await post('/doors', { doorId: 'back-door', name: 'Back door', pulseMs: '2500' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="facegate-door-back-door.json"');
    expect(res.headers['cache-control']).toBe('private, no-store');
    // The single-file bundle `facegate agent --config` takes (issue 9 item 3).
    expect(res.json()).toMatchObject({
      bundle: { format: 'facegate-door-bundle', version: 1, privateKeyIncluded: true },
      doorId: 'back-door',
      mqtt: {
        caPem: expect.stringContaining('BEGIN CERTIFICATE'),
        certPem: expect.stringContaining('BEGIN CERTIFICATE'),
        keyPem: expect.stringContaining('PRIVATE KEY'),
      },
    });
    expect(h.callsTo('doors.create')[0]!.args).toEqual([
      { doorId: 'back-door', name: 'Back door', pulseMs: 2500 },
      { name: 'alice' },
      {},
    ]);
    const again = await post('/doors', { doorId: 'back-door', name: 'Back door' });
    expect(again.statusCode).toBe(409);
    expect(await h.services.doors.get('back-door')).toMatchObject({ name: 'Back door', pulseMs: 2500 });
  });

  it("passes the door's certificate request on, so the bundle carries no key", async () => {
    const csr = (await makeDoorKeyRequest('back-door')).csrPem.trim();
    const res = await post('/doors', { doorId: 'back-door', name: 'Back door', csr: `  ${csr}\n` });
    expect(res.statusCode).toBe(200);
    expect(h.callsTo('doors.create')[0]!.args[2]).toEqual({ csrPem: csr });
    expect(res.json()).toMatchObject({ bundle: { privateKeyIncluded: false } });
    expect(res.json().mqtt.keyPem).toBeUndefined();
  });

  it('the door page shows the certificate expiry and the disable, renew, revoke and delete forms', async () => {
    const page = await h.app.inject({ url: '/doors/front-door', headers: { cookie: s.cookie } });
    expect(page.statusCode).toBe(200);
    const [certificate] = await h.services.doors.certificates('front-door');
    expect(page.body).toContain(new Date(certificate!.notAfter).toISOString().slice(0, 10));
    for (const action of ['disable', 'renew', 'revoke', 'delete']) {
      expect(page.body).toMatch(
        new RegExp(`action="/doors/front-door/${action}"[^>]*>\\s*<input type="hidden" name="_csrf"`),
      );
    }
  });

  it('door-event rows (opened, closed, forced, held, exit button) show door, time, kind and the event in words', async () => {
    const at = Date.UTC(2026, 11, 4, 9, 30, 5);
    const details = [
      'door_opened',
      'door_closed: open 4 s',
      'door_forced_open: opened with no granted unlock',
      'door_held_open: open for 45 s (limit 30 s)',
      'exit_button',
    ];
    for (const [i, detail] of details.entries()) {
      await h.addEvent({ at: at + i * 1000, kind: 'door_event', doorId: 'front-door', detail });
    }
    const expected = [
      'Door opened',
      'Door closed: open 4 s',
      'Forced open: opened with no granted unlock',
      'Held open: open for 45 s (limit 30 s)',
      'Exit button pressed',
    ];
    for (const url of ['/doors/front-door', '/events']) {
      const page = await h.app.inject({ url, headers: { cookie: s.cookie } });
      expect(page.statusCode, url).toBe(200);
      const rows = page.body.split('<tr').filter((r) => r.includes('door event'));
      expect(rows, url).toHaveLength(5);
      for (const [i, words] of expected.entries()) {
        const row = rows.find((r) => r.includes(formatTime(at + i * 1000)));
        expect(row, `${url}: ${words}`).toBeDefined();
        expect(row).toContain('front-door');
        expect(row).toContain(words);
        expect(row).not.toMatch(/door_|exit_button/);
      }
    }
  });

  it('disables and enables a door, audited as the admin', async () => {
    const off = await post('/doors/front-door/disable', {});
    expect(off.statusCode).toBe(303);
    expect(off.headers.location).toBe('/doors/front-door?flash=disabled');
    expect(h.callsTo('doors.setEnabled')[0]!.args).toEqual(['front-door', false, { name: 'alice' }]);
    const page = await h.app.inject({ url: '/doors/front-door?flash=disabled', headers: { cookie: s.cookie } });
    expect(page.body).toContain('Door disabled');
    expect(page.body).toContain('Enable door');
    expect((await post('/doors/front-door/enable', {})).statusCode).toBe(303);
    expect(h.callsTo('doors.setEnabled')[1]!.args).toEqual(['front-door', true, { name: 'alice' }]);
  });

  it('revokes and deletes only with the confirmation ticked, and never without the CSRF token', async () => {
    expect((await post('/doors/front-door/revoke', {})).statusCode).toBe(400);
    const forged = await h.app.inject({
      method: 'POST',
      url: '/doors/front-door/revoke',
      headers: { cookie: s.cookie },
      payload: { confirm: 'revoke' },
    });
    expect(forged.statusCode).toBe(403);
    expect(h.callsTo('doors.revoke')).toEqual([]);
    const revoked = await post('/doors/front-door/revoke', { confirm: 'revoke' });
    expect(revoked.statusCode).toBe(303);
    expect(h.callsTo('doors.revoke')[0]!.args).toEqual(['front-door', { name: 'alice' }]);
    const page = await h.app.inject({ url: '/doors/front-door?flash=revoked', headers: { cookie: s.cookie } });
    expect(page.body).toContain('Certificates revoked');
    expect(page.body).toContain('data-status="revoked"');

    expect((await post('/doors/front-door/delete', {})).statusCode).toBe(400);
    const deleted = await post('/doors/front-door/delete', { confirm: 'delete' });
    expect(deleted.statusCode).toBe(303);
    expect(deleted.headers.location).toBe('/doors?flash=deleted');
    expect(h.callsTo('doors.remove')[0]!.args).toEqual(['front-door', { name: 'alice' }]);
    expect((await post('/doors/front-door/delete', { confirm: 'delete' })).statusCode).toBe(404);
  });

  it('renews a certificate and downloads the new bundle', async () => {
    const res = await post('/doors/front-door/renew', { csr: '' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="facegate-door-front-door.json"');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.json()).toMatchObject({
      doorId: 'front-door',
      mqtt: { keyPem: expect.stringContaining('PRIVATE KEY') },
    });
    expect(h.callsTo('doors.renew')[0]!.args).toEqual(['front-door', { name: 'alice' }, {}]);
  });

  it('adds a door with its wiring from the form, shows it, and a renewal keeps it or changes it', async () => {
    // What the Add door form sends: every field a string, the checkbox 'on', an empty field for "none".
    const added = await post('/doors', {
      doorId: 'back-door',
      name: 'Back door',
      relayPin: '23',
      relayActiveLow: 'on',
      contactPin: '27',
      exitButtonPin: '',
    });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json()).toMatchObject({ relay: { type: 'gpio', pin: 23, activeLow: true }, contact: { pin: 27 } });
    expect(added.json()).not.toHaveProperty('exitButton');
    const wiring = { relayPin: 23, relayActiveLow: true, contactPin: 27, exitButtonPin: null };
    expect(await h.services.doors.get('back-door')).toMatchObject({ wiring });

    const page = await h.app.inject({ url: '/doors/back-door', headers: { cookie: s.cookie } });
    expect(page.body).toContain('relay GPIO 23 (active low), contact GPIO 27, no exit button');
    // The renew form starts from the stored wiring, so renewing as it is keeps it.
    expect(page.body).toMatch(/id="renew-relayPin"[^>]*value="23"/);
    expect(page.body).toMatch(/id="renew-contactPin"[^>]*value="27"/);
    expect(page.body).toMatch(/id="renew-relayActiveLow"[^>]* checked/);

    // A caller that posts only a request (no relay pin) keeps the stored wiring.
    const kept = await post('/doors/back-door/renew', { csr: '' });
    expect(kept.json()).toMatchObject({ relay: { pin: 23, activeLow: true }, contact: { pin: 27 } });
    // Unticked box and a cleared contact: active high, no contact.
    const changed = await post('/doors/back-door/renew', { relayPin: '23', contactPin: '', exitButtonPin: '22' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ relay: { pin: 23, activeLow: false }, exitButton: { pin: 22 } });
    expect(changed.json()).not.toHaveProperty('contact');
    expect((await h.services.doors.get('back-door'))?.wiring).toEqual({
      relayPin: 23,
      relayActiveLow: false,
      contactPin: null,
      exitButtonPin: 22,
    });
  });

  it('refuses a wiring that shares a line or is off the header, naming the problem, and adds nothing', async () => {
    const shared = await post('/doors', { doorId: 'back-door', name: 'Back door', relayPin: '17', contactPin: '17' });
    expect(shared.statusCode).toBe(400);
    expect(shared.json().message).toMatch(/relay and the contact cannot share GPIO 17/);
    const offHeader = await post('/doors', { doorId: 'back-door', name: 'Back door', relayPin: '30' });
    expect(offHeader.statusCode).toBe(400);
    expect(offHeader.json().message).toMatch(/relayPin/);
    expect(await h.services.doors.get('back-door')).toBeNull();
    const renew = await post('/doors/front-door/renew', { relayPin: '17', exitButtonPin: '17' });
    expect(renew.statusCode).toBe(400);
    expect((await h.services.doors.get('front-door'))?.wiring.exitButtonPin).toBeNull();
  });

  it.each([
    [{ doorId: '../../etc/passwd', name: 'x' }, /doorId/],
    [{ doorId: 'Front Door', name: 'x' }, /doorId/],
    [{ doorId: 'ok-door', name: '' }, /name/],
    [{ doorId: 'ok-door', name: 'x', pulseMs: '99999999' }, /pulseMs/],
  ])('refuses a bad new door %j', async (body, message) => {
    const res = await post('/doors', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
    expect(h.callsTo('doors.create')).toEqual([]);
  });

  it('unlocks a door remotely with a reason, audited as the admin', async () => {
    const res = await post('/doors/front-door/unlock', { reason: 'Courier delivery' });
    expect(res.statusCode).toBe(303);
    expect(h.callsTo('doors.remoteUnlock')[0]!.args).toEqual(['front-door', 'Courier delivery', { name: 'alice' }]);
    expect(h.messaging.published).toEqual([expect.objectContaining({ doorId: 'front-door' })]);
    expect((await h.services.events.list()).events[0]).toMatchObject({
      kind: 'remote_unlock',
      actor: 'alice',
      detail: 'Courier delivery',
    });
    const api = await h.app.inject({
      method: 'POST',
      url: '/api/doors/front-door/unlock',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
      payload: { reason: 'fire drill' },
    });
    expect(api.statusCode).toBe(200);
    expect(api.json().decisionId).toBeTruthy();
  });

  it('refuses a remote unlock without a reason, or for a bad or unknown door', async () => {
    expect((await post('/doors/front-door/unlock', {})).statusCode).toBe(400);
    expect((await post('/doors/front-door/unlock', { reason: 'x' })).statusCode).toBe(400);
    expect((await post('/doors/..%2F..%2Fetc/unlock', { reason: 'delivery' })).statusCode).toBe(400);
    expect((await post('/doors/no-such-door/unlock', { reason: 'delivery' })).statusCode).toBe(404);
    expect((await h.app.inject({ url: '/doors/UPPER', headers: { cookie: s.cookie } })).statusCode).toBe(400);
    expect(h.callsTo('doors.remoteUnlock')).toEqual([]);
  });

  it('streams live door changes over server-sent events', async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (h.app.server.address() as AddressInfo).port;
    const received: string[] = [];
    let changed = false;
    const done = new Promise<void>((resolve, reject) => {
      const req = http.get({ port, host: '127.0.0.1', path: '/stream/doors', headers: { cookie: s.cookie } }, (res) => {
        expect(res.headers['content-type']).toContain('text/event-stream');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received.push(chunk);
          const text = received.join('');
          // The current state comes first; then the door reports an unlock, as telemetry would.
          if (!changed && text.includes('"doorId":"front-door"')) {
            changed = true;
            void h.changeDoor('front-door', { lock: 'unlocked' });
          }
          if (text.includes('"lock":"unlocked"')) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', reject);
    });
    await done;
    const text = received.join('');
    expect(text).toContain('event: door');
    expect(text).toMatch(/"doorId":"front-door"[^\n]*"lock":"unlocked"/);
  });

  it('ends open event streams when the app closes, so shutdown does not hang', async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (h.app.server.address() as AddressInfo).port;
    const ended = new Promise<void>((resolve, reject) => {
      const req = http.get({ port, host: '127.0.0.1', path: '/stream/doors', headers: { cookie: s.cookie } }, (res) => {
        res.once('data', () => void h.app.close());
        res.on('end', resolve);
        res.resume();
      });
      req.on('error', reject);
    });
    await ended;
  });

  describe('access log', () => {
    beforeEach(async () => {
      await h.addEvent({
        kind: 'access',
        doorId: 'front-door',
        personId: 'p1',
        personName: 'Hana',
        result: 'granted',
        reason: 'match',
        score: 0.93,
        snapshotKey: 'snapshots/2025/ev1.jpg',
      });
      await h.addEvent({ kind: 'access', doorId: 'front-door', result: 'denied', reason: 'unknown' });
      await h.addEvent({
        kind: 'access',
        doorId: 'front-door',
        personId: 'p2',
        personName: '=HYPERLINK("http://evil","x")',
        result: 'granted',
        reason: 'match',
      });
    });

    it('filters by result, person and door, and shows snapshot thumbnails', async () => {
      const denied = await h.app.inject({ url: '/events?result=denied', headers: { cookie: s.cookie } });
      expect(denied.body).toContain('Denied');
      expect(denied.body).not.toContain('Hana');
      const hana = await h.app.inject({ url: '/events?person=p1', headers: { cookie: s.cookie } });
      expect(hana.body).toContain('Hana');
      expect(hana.body).toContain('src="/snapshots?key=snapshots%2F2025%2Fev1.jpg"');
      expect(h.callsTo('events.list').at(-1)!.args[0]).toMatchObject({ personId: 'p1' });
      const api = await h.app.inject({
        url: '/api/events?door=front-door&from=2020-01-01&to=2100-01-01&limit=2',
        headers: { cookie: s.cookie },
      });
      expect(api.json().events).toHaveLength(2);
      await h.app.inject({ url: '/events?from=2025-03-01T08:30&to=2025-03-01T17:00', headers: { cookie: s.cookie } });
      expect(h.callsTo('events.list').at(-1)!.args[0]).toMatchObject({
        from: Date.UTC(2025, 2, 1, 8, 30),
        to: Date.UTC(2025, 2, 1, 17, 0) + 59_999,
      });
    });

    it.each([
      '/events?from=2025-02-30',
      '/events?to=yesterday',
      '/events?from=2025-03-01T24:00',
      '/events?from=2025-03-01T12:60',
      '/events?from=2025-03-01T12:00:00Z',
      '/events?from=2025-05-02&to=2025-05-01',
      '/events?door=../x',
      '/events?result=maybe',
      '/events?person=a/b',
      '/api/events?limit=5000',
      '/events.csv?from=2025-13-01',
    ])('refuses the bad filter %s with 400', async (url) => {
      const res = await h.app.inject({ url, headers: { cookie: s.cookie } });
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toBeTruthy();
    });

    it('exports CSV with formula cells neutralised', async () => {
      const res = await h.app.inject({ url: '/events.csv', headers: { cookie: s.cookie } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/csv');
      expect(res.headers['content-disposition']).toContain('attachment');
      const lines = res.body.trim().split('\r\n');
      expect(lines[0]).toBe('time_utc,kind,door,person_id,person,result,reason,score,actor,detail,event_id');
      // The three access events, and the door_created event of adding the door.
      expect(lines).toHaveLength(5);
      expect(lines.filter((l) => l.includes(',access,'))).toHaveLength(3);
      expect(res.body).toContain(`"'=HYPERLINK(""http://evil"",""x"")"`);
      expect(res.body).not.toMatch(/(^|,)=HYPERLINK/m);
    });

    it('serves snapshots by validated key only, never cached', async () => {
      const jpeg = await makeJpeg(64, 48);
      await h.stores.images.put('snapshots/2025/ev1.jpg', jpeg, 'image/jpeg');
      const ok = await h.app.inject({
        url: '/snapshots?key=snapshots%2F2025%2Fev1.jpg',
        headers: { cookie: s.cookie },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['cache-control']).toBe('private, no-store');
      expect(ok.rawPayload.equals(jpeg)).toBe(true);
      for (const key of ['../../etc/passwd', '/etc/passwd', 'snapshots/../../x', 'a//b', 'a\\b', '%00', '']) {
        const res = await h.app.inject({
          url: `/snapshots?key=${encodeURIComponent(key)}`,
          headers: { cookie: s.cookie },
        });
        expect(res.statusCode, key).toBe(400);
      }
      expect(h.callsTo('events.getSnapshot').map((c) => c.args[0])).toEqual(['snapshots/2025/ev1.jpg']);
      expect(
        (await h.app.inject({ url: '/snapshots?key=snapshots%2F2025%2Fnone.jpg', headers: { cookie: s.cookie } }))
          .statusCode,
      ).toBe(404);
    });

    it("shows today's entries and denials on the dashboard", async () => {
      const res = await h.app.inject({ url: '/', headers: { cookie: s.cookie } });
      expect(res.body).toMatch(/id="stat-entries">2</);
      expect(res.body).toMatch(/id="stat-denials">1</);
      expect(res.body).toMatch(/id="stat-online">1\/1</);
    });
  });
});
