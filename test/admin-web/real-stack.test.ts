/**
 * The admin routes that touch recognition, on the real local back end (SQLite, sealed file store,
 * the on-CPU face engine) with real photos from ../shared/faces/dev: per-photo feedback, enrollment
 * with progress, "already matches another person", and erasure that really removes the faces.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startLocalStack, type LocalStack } from '../../cli/local-stack.js';
import { buildAdminApp } from '../../admin-web/src/app.js';
import { SqliteAdminUserStore } from '../../admin-web/src/users/sqlite-admin-user-store.js';
import { hashPassword } from '../../admin-web/src/users/password.js';
import { silentLogger } from '../../lib/logger.js';
import { hasFaces, pickPerson, DEV_DIR } from './support/browser-fixtures.js';
import { ADMIN, makeJpeg, multipart, signIn, type Session } from './support/harness.js';

const haveFaces = hasFaces();
if (!haveFaces) console.warn('real-stack admin tests skipped: ../shared/faces is absent');

describe.skipIf(!haveFaces)('admin site on the real local back end', () => {
  let tmp: string;
  let stack: LocalStack;
  let users: SqliteAdminUserStore;
  let app: FastifyInstance;
  let s: Session;
  const person = haveFaces ? pickPerson() : null!;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-admin-real-'));
    stack = await startLocalStack({
      dataDir: tmp,
      httpPort: 0,
      mqttPort: 0,
      logger: silentLogger(),
      adminSite: false,
      virtualDoor: false,
    });
    users = SqliteAdminUserStore.open(':memory:');
    await users.create(
      { username: ADMIN.username, passwordHash: await hashPassword(ADMIN.password), mustChangePassword: false },
      Date.now(),
    );
    app = await buildAdminApp({ services: stack.services, users, logger: silentLogger(), cookieSecure: false });
    await app.ready();
    s = await signIn(app);
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await users?.close();
    await stack?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const upload = (url: string, field: string, files: Buffer[]) => {
    const body = multipart(
      files.map((data, i) => ({ field, filename: `${i + 1}.jpg`, contentType: 'image/jpeg', data })),
    );
    return app.inject({
      method: 'POST',
      url,
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': body.contentType },
      payload: body.payload,
    });
  };
  const api = (method: 'POST' | 'DELETE', url: string, payload: unknown) =>
    app.inject({ method, url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, payload: payload as object });

  it('finds the face in a real photo and reports its size and sharpness', async () => {
    const res = await upload('/api/photos/check', 'photo', [fs.readFileSync(person.enroll[0]!)]);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ ok: true, faceCount: 1, width: 250, height: 250, matchedPerson: null });
    expect(body.face.box.width).toBeGreaterThan(40);
  });

  it('says when there is no face, or several', async () => {
    const blank = await upload('/api/photos/check', 'photo', [await makeJpeg(320, 240)]);
    expect(blank.json()).toMatchObject({ ok: false, faceCount: 0 });
    expect(blank.json().issues.map((i: { code: string }) => i.code)).toContain('no_face');

    const strangers = fs
      .readdirSync(DEV_DIR)
      .sort()
      .slice(-2)
      .map((d) => path.join(DEV_DIR, d, fs.readdirSync(path.join(DEV_DIR, d)).sort()[0]!));
    const pair = await sharp({ create: { width: 500, height: 250, channels: 3, background: '#808080' } })
      .composite(strangers.map((file, i) => ({ input: file, left: i * 250, top: 0 })))
      .jpeg()
      .toBuffer();
    const two = await upload('/api/photos/check', 'photo', [pair]);
    expect(two.json().faceCount).toBe(2);
    expect(two.json().issues.map((i: { code: string }) => i.code)).toContain('multiple_faces');
  });

  it('enrolls real photos with progress, flags the same face offered for someone else, and erases for real', async () => {
    const created = await api('POST', '/api/people', { name: person.name });
    expect(created.statusCode).toBe(201);
    const personId = created.json().person.personId as string;

    const res = await upload(
      `/api/people/${personId}/photos`,
      'photos',
      person.enroll.slice(0, 2).map((f) => fs.readFileSync(f)),
    );
    expect(res.statusCode).toBe(200);
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['start', 'progress', 'progress', 'done']);
    expect(lines[3].enrolled).toBe(2);
    expect(lines[3].results.every((r: { faceId: string | null }) => typeof r.faceId === 'string')).toBe(true);
    const stored = (await stack.services.people.get(personId))!;
    expect(stored.faces).toHaveLength(2);

    // Their enrolled photo comes back through the authenticated route (decrypted from the store).
    const photo = await app.inject({
      url: `/people/${personId}/faces/${stored.faces[0]!.faceId}/photo`,
      headers: { cookie: s.cookie },
    });
    expect(photo.statusCode).toBe(200);
    expect(photo.headers['content-type']).toMatch(/^image\//);
    expect((await sharp(photo.rawPayload).metadata()).width).toBeGreaterThan(0);

    // Another photo of them, offered for a different person, is flagged.
    const other = (await api('POST', '/api/people', { name: 'Someone Else' })).json().person.personId as string;
    const check = await upload(`/api/photos/check?personId=${other}`, 'photo', [fs.readFileSync(person.probe)]);
    expect(check.json().matchedPerson).toMatchObject({ personId, name: person.name });
    expect(check.json().issues.map((i: { code: string }) => i.code)).toContain('matches_other_person');

    const facesBefore = await stack.backend.faceIndex.countFaces();
    expect((await api('DELETE', `/api/people/${personId}`, { confirm: true })).statusCode).toBe(204);
    expect(await stack.services.people.get(personId)).toBeNull();
    expect(await stack.backend.faceIndex.countFaces()).toBe(facesBefore - 2);
    const gone = await app.inject({
      url: `/people/${personId}/faces/${stored.faces[0]!.faceId}/photo`,
      headers: { cookie: s.cookie },
    });
    expect(gone.statusCode).toBe(404);
    // The same photo no longer matches anyone.
    const after = await upload(`/api/photos/check?personId=${other}`, 'photo', [fs.readFileSync(person.probe)]);
    expect(after.json().matchedPerson).toBeNull();
  }, 120_000);
});
