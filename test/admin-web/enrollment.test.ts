/** Photo uploads: bounded in size and count, checked by content, progress streamed while indexing. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hugeJpeg } from '../support/huge-jpeg.js';
import { buildHarness, makeJpeg, makePng, multipart, signIn, type Harness, type Session } from './support/harness.js';

describe('admin site: enrollment uploads', () => {
  let h: Harness;
  let s: Session;
  let personId: string;
  let jpeg: Buffer;
  beforeEach(async () => {
    h = await buildHarness();
    s = await signIn(h.app);
    personId = (await h.services.people.create({ name: 'Frank' }, { name: 'test' })).personId;
    jpeg = await makeJpeg();
  });
  afterEach(async () => h.close());

  const upload = (url: string, parts: Parameters<typeof multipart>[0]) => {
    const body = multipart(parts);
    return h.app.inject({
      method: 'POST',
      url,
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': body.contentType },
      payload: body.payload,
    });
  };
  const enrollUrl = () => `/api/people/${personId}/photos`;
  const backendCalls = () => h.calls.filter((c) => c.method.startsWith('enrollment.'));

  it('enrolls 1-5 photos and streams progress as NDJSON', async () => {
    const png = await makePng();
    const res = await upload(enrollUrl(), [
      { field: 'photos', filename: 'a.jpg', contentType: 'image/jpeg', data: jpeg },
      { field: 'photos', filename: 'b.png', contentType: 'image/png', data: png },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['start', 'progress', 'progress', 'done']);
    expect(lines[1]).toMatchObject({ done: 1, total: 2, label: 'photo 1 (a.jpg)' });
    expect(lines[3].enrolled).toBe(2);
    const [id, photos, actor] = h.callsTo('enrollment.enroll')[0]!.args;
    expect([id, (photos as Uint8Array[]).length, actor]).toEqual([personId, 2, { name: 'alice' }]);
    expect(await h.stores.records.listFaces(personId)).toHaveLength(2);
    expect(await h.faceIndex.countFaces()).toBe(2);
  });

  it('serves an enrolled photo only through its person and face ids, never cached', async () => {
    await upload(enrollUrl(), [{ field: 'photos', filename: 'a.jpg', data: jpeg }]);
    const [face] = await h.stores.records.listFaces(personId);
    if (!face) throw new Error('nothing enrolled');
    const res = await h.app.inject({
      url: `/people/${personId}/faces/${face.faceId}/photo`,
      headers: { cookie: s.cookie },
    });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(jpeg)).toBe(true);
    expect(res.headers['cache-control']).toBe('private, no-store');
    // The same face id under another person is not found.
    const other = (await h.services.people.create({ name: 'Gina' }, { name: 'test' })).personId;
    expect(
      (await h.app.inject({ url: `/people/${other}/faces/${face.faceId}/photo`, headers: { cookie: s.cookie } }))
        .statusCode,
    ).toBe(404);
  });

  it('gives per-photo feedback without enrolling', async () => {
    const res = await upload(`/api/photos/check?personId=${personId}`, [
      { field: 'photo', filename: 'me.jpg', data: jpeg },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, faceCount: 1, width: 320, height: 240 });
    expect(await h.stores.records.listFaces(personId)).toEqual([]);
  });

  it('names a photo checked on its own by its file name, not "photo 1" (issue 10 item 2)', async () => {
    const res = await upload(`/api/photos/check?personId=${personId}`, [
      { field: 'photo', filename: 'notes.txt', contentType: 'text/plain', data: 'shopping list' },
    ]);
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toBe('notes.txt is not a JPEG or PNG image');
    const nameless = await upload('/api/photos/check', [{ field: 'photo', filename: '', data: 'x' }]);
    expect(nameless.json().message).toBe('the photo is not a JPEG or PNG image');
  });

  it('refuses an oversized photo with 413', async () => {
    const huge = Buffer.concat([jpeg, Buffer.alloc(8 * 1024 * 1024)]);
    const res = await upload(enrollUrl(), [{ field: 'photos', filename: 'big.jpg', data: huge }]);
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toMatch(/at most 8 MB/);
    expect(backendCalls()).toEqual([]);
  });

  it('refuses 6 photos with 413', async () => {
    const six = Array.from({ length: 6 }, (_, i) => ({ field: 'photos', filename: `${i}.jpg`, data: jpeg }));
    const res = await upload(enrollUrl(), six);
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toMatch(/at most 5 photos/);
    expect(backendCalls()).toEqual([]);
  });

  it('refuses non-image bytes named .jpg, judging by content not name', async () => {
    const res = await upload(enrollUrl(), [
      { field: 'photos', filename: 'photo.jpg', contentType: 'image/jpeg', data: 'MZ\x90\x00 not an image at all' },
    ]);
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toBe('photo 1 (photo.jpg) is not a JPEG or PNG image');
    const gif = await upload(enrollUrl(), [
      { field: 'photos', filename: 'x.jpg', data: Buffer.from('GIF89a\x01\x00\x01\x00') },
    ]);
    expect(gif.statusCode).toBe(422);
    expect(backendCalls()).toEqual([]);
  });

  it('refuses a truncated JPEG (right magic bytes, not decodable)', async () => {
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length / 2));
    const res = await upload(enrollUrl(), [
      { field: 'photos', filename: 'ok.jpg', data: jpeg },
      { field: 'photos', filename: 'cut.jpg', data: truncated },
    ]);
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toMatch(/photo 2 \(cut\.jpg\) could not be decoded/);
    // All or nothing: the good photo was not enrolled either.
    expect(backendCalls()).toEqual([]);
  });

  it('refuses an 8000×8000 JPEG by its pixel count, naming the size and the limit (not "corrupt")', async () => {
    const { bytes } = await hugeJpeg();
    const res = await upload(enrollUrl(), [
      { field: 'photos', filename: 'ok.jpg', data: jpeg },
      { field: 'photos', filename: 'huge.jpg', data: bytes },
    ]);
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toMatch(
      /^photo 2 \(huge\.jpg\): The image is 8000 × 8000 pixels \(64\.0 megapixels\); the limit is 50 megapixels/,
    );
    expect(res.json().message).not.toMatch(/corrupt|truncated/);
    expect(backendCalls()).toEqual([]);
  }, 120_000);

  it('refuses unexpected fields, wrong field names, empty and non-multipart uploads', async () => {
    const extra = await upload(enrollUrl(), [
      { field: 'photos', filename: 'a.jpg', data: jpeg },
      { field: 'path', data: '/etc/passwd' },
    ]);
    expect(extra.statusCode).toBe(400);
    const wrongName = await upload(enrollUrl(), [{ field: 'file', filename: 'a.jpg', data: jpeg }]);
    expect(wrongName.statusCode).toBe(400);
    expect(wrongName.json().message).toMatch(/send photos as "photos"/);
    const empty = await upload(enrollUrl(), []);
    expect(empty.statusCode).toBe(400);
    const json = await h.app.inject({
      method: 'POST',
      url: enrollUrl(),
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(json.statusCode).toBe(400);
    expect(json.json().message).toMatch(/multipart/);
    const twoForCheck = await upload('/api/photos/check', [
      { field: 'photo', filename: 'a.jpg', data: jpeg },
      { field: 'photo', filename: 'b.jpg', data: jpeg },
    ]);
    expect(twoForCheck.statusCode).toBe(413);
    expect(backendCalls()).toEqual([]);
  });

  it('refuses a bad person id on the check route before the services see it', async () => {
    const res = await upload('/api/photos/check?personId=../../etc/passwd', [
      { field: 'photo', filename: 'a.jpg', data: jpeg },
    ]);
    expect(res.statusCode).toBe(400);
    expect(backendCalls()).toEqual([]);
  });
});
