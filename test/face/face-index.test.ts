import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { ImageDecodeError, PhotoRejectedError } from '../../cloud/src/errors.js';
import { FaceEngine } from '../../cloud/src/adapters/local/face-engine/index.js';
import { openLocalFaceIndex } from '../../cloud/src/adapters/local/face-index/index.js';
import { DEFAULT_RECIPE_ID } from '../../cloud/src/adapters/local/face-engine/recipes.js';
import type { FaceIndex } from '../../cloud/src/ports/face-index.js';
import { HAVE_FACES, photo } from './faces-dataset.js';

// Enrolled people (first photo) and their second photo as the probe; strangers have one photo only.
const ENROLLED = ['Alan_Greenspan', 'Abdel_Nasser_Assidi', 'Abdullah_al-Attiyah', 'Adam_Scott', 'Adolfo_Rodriguez_Saa'];
const PROBE_PERSON = 'Alan_Greenspan';
const STRANGERS = ['AJ_Cook', 'Aaron_Eckhart'];

function fileBytes(dbPath: string): Buffer {
  return Buffer.concat([dbPath, `${dbPath}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
}

describe.skipIf(!HAVE_FACES)('local face index (real engine, real SQLite, real photos)', () => {
  let dir: string;
  let dbPath: string;
  const dataKey = randomBytes(32);
  let faces: FaceIndex;
  const faceIds = new Map<string, string>();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-face-index-'));
    dbPath = path.join(dir, 'faces.db');
    faces = await openLocalFaceIndex({ dbPath, dataKey, logger: silentLogger() });
    for (const person of ENROLLED) {
      const { faceId, face } = await faces.index(person, photo(person, 1));
      expect(face.box.width).toBeGreaterThan(20);
      faceIds.set(person, faceId);
    }
  });

  afterAll(async () => {
    await faces?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds an enrolled person from another photo of them', async () => {
    const result = await faces.search(photo(PROBE_PERSON, 4));
    expect(result.face).not.toBeNull();
    expect(result.matches[0]?.personId).toBe(PROBE_PERSON);
    expect(result.matches[0]?.faceId).toBe(faceIds.get(PROBE_PERSON));
    expect(result.matches[0]!.similarity).toBeGreaterThanOrEqual(faces.threshold);
    expect(result.matches[0]!.similarity).toBeLessThanOrEqual(1);
  });

  it('analyses an enrollment photo once for inspect, search and index; door searches are never served from memory', async () => {
    const analyze = vi.spyOn(FaceEngine.prototype, 'analyze');
    try {
      const bytes = photo('Adam_Scott', 2);
      const inspection = await faces.inspect(bytes);
      expect(inspection.faces.length).toBeGreaterThan(0);
      await faces.search(bytes);
      const { faceId } = await faces.index('Adam_Scott', bytes);
      expect(analyze).toHaveBeenCalledTimes(1);
      await faces.deleteFaces([faceId]);
      const probe = photo(PROBE_PERSON, 4);
      await faces.search(probe);
      await faces.search(probe);
      expect(analyze).toHaveBeenCalledTimes(3);
    } finally {
      analyze.mockRestore();
    }
  });

  it('returns at most one match per person, best first', async () => {
    const extra = await faces.index(PROBE_PERSON, photo(PROBE_PERSON, 3));
    const result = await faces.search(photo(PROBE_PERSON, 4), { minSimilarity: 0, maxMatches: 10 });
    const people = result.matches.map((m) => m.personId);
    expect(new Set(people).size).toBe(people.length);
    expect(result.matches.length).toBe(ENROLLED.length);
    const sims = result.matches.map((m) => m.similarity);
    expect(sims).toEqual([...sims].sort((a, b) => b - a));
    await faces.deleteFaces([extra.faceId]);
  });

  it('does not match strangers at the default threshold', async () => {
    for (const stranger of STRANGERS) {
      const result = await faces.search(photo(stranger, 1));
      expect(result.face).not.toBeNull();
      expect(result.matches).toEqual([]);
    }
  });

  it('rejects bytes that are not an image with ImageDecodeError, and keeps working', async () => {
    const jpeg = photo(PROBE_PERSON, 4);
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length / 2));
    const corrupt = Buffer.from(jpeg);
    corrupt.fill(0x55, 200, 2000); // entropy-coded data overwritten
    const textAsPng = Buffer.from('this is not a PNG\n'.repeat(50));
    const random = randomBytes(4096);
    for (const bad of [truncated, corrupt, textAsPng, random, Buffer.alloc(0)]) {
      await expect(faces.search(bad)).rejects.toBeInstanceOf(ImageDecodeError);
    }
    await expect(faces.index('someone', random)).rejects.toBeInstanceOf(ImageDecodeError);
    const after = await faces.search(jpeg);
    expect(after.matches[0]?.personId).toBe(PROBE_PERSON);
  });

  it('refuses to index a photo without a face', async () => {
    const blank = await import('sharp').then(({ default: sharp }) =>
      sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 120, g: 130, b: 140 } } })
        .jpeg()
        .toBuffer(),
    );
    const before = await faces.countFaces();
    const err = await faces.index('nobody', blank).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhotoRejectedError);
    expect((err as PhotoRejectedError).issues[0]?.code).toBe('no_face');
    expect(await faces.countFaces()).toBe(before);
    const inspection = await faces.inspect(blank);
    expect(inspection.faces).toEqual([]);
    expect(inspection.imageWidth).toBe(200);
  });

  it('reports quality measures through inspect', async () => {
    const inspection = await faces.inspect(photo(PROBE_PERSON, 1));
    expect(inspection.faces.length).toBeGreaterThanOrEqual(1);
    const face = inspection.faces[0]!;
    expect(face.confidence).toBeGreaterThan(0.5);
    expect(face.sharpness).toBeGreaterThan(0);
    expect(face.sharpness).toBeLessThanOrEqual(100);
    expect(Math.abs(face.yaw ?? 90)).toBeLessThan(45);
    // A blurred copy of the same photo is less sharp.
    const { default: sharp } = await import('sharp');
    const blurred = await sharp(photo(PROBE_PERSON, 1)).blur(3).jpeg().toBuffer();
    const blurredFace = (await faces.inspect(blurred)).faces[0];
    expect(blurredFace?.sharpness ?? 0).toBeLessThan(face.sharpness!);
  });

  it('never stores embeddings in plain text', async () => {
    const engine = await FaceEngine.start({ logger: silentLogger() });
    try {
      const analysis = await engine.analyze(photo(ENROLLED[1]!, 1), { embed: true });
      const vector = analysis.embedding!;
      const plain = Buffer.from(vector.buffer, vector.byteOffset, 64);
      // The check can see plain text: the same bytes written into a buffer are found.
      expect(Buffer.concat([randomBytes(100), plain]).includes(plain)).toBe(true);
      expect(fileBytes(dbPath).includes(plain)).toBe(false);
    } finally {
      await engine.close();
    }
  });

  it('sees faces indexed through another connection (another process), and a reopened DB keeps them', async () => {
    const other = await openLocalFaceIndex({ dbPath, dataKey, logger: silentLogger() });
    try {
      expect(await other.countFaces()).toBe(ENROLLED.length);
      const probeFromOther = await other.search(photo(PROBE_PERSON, 4));
      expect(probeFromOther.matches[0]?.personId).toBe(PROBE_PERSON);
      // The other connection enrolls someone new; the first one finds them without reopening.
      await other.index('Adam_Scott_again', photo('Adam_Scott', 2));
    } finally {
      await other.close();
    }
    const result = await faces.search(photo('Adam_Scott', 2), { maxMatches: 1 });
    expect(result.matches[0]?.personId).toBe('Adam_Scott_again');
  });

  it('deleteFaces removes the embeddings for real', async () => {
    const db = new Database(dbPath, { readonly: true });
    const sealed = (
      db.prepare('SELECT sealed FROM face_embeddings WHERE face_id = ?').get(faceIds.get(PROBE_PERSON)) as {
        sealed: Buffer;
      }
    ).sealed;
    db.close();
    // The blob's head (magic, nonce, first ciphertext bytes) sits on one page; the rest may overflow.
    const head = sealed.subarray(0, 40);
    expect(fileBytes(dbPath).includes(head)).toBe(true);
    const before = await faces.countFaces();
    await faces.deleteFaces([faceIds.get(PROBE_PERSON)!, 'no-such-face']);
    expect(await faces.countFaces()).toBe(before - 1);
    const result = await faces.search(photo(PROBE_PERSON, 4), { minSimilarity: 0, maxMatches: 10 });
    expect(result.matches.map((m) => m.personId)).not.toContain(PROBE_PERSON);
    expect(fileBytes(dbPath).includes(head)).toBe(false);
  });
});

describe.skipIf(!HAVE_FACES)('local face index after an engine change (real engines, real photos)', () => {
  it('re-embeds faces of another model from their photos when it opens, keeping their ids; a face with no photo stays out', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-reembed-'));
    const dbPath = path.join(dir, 'faces.db');
    const dataKey = randomBytes(32);
    try {
      // Enrolled under the previous engine (a recipe that is still known, so its vectors are real).
      const old = await openLocalFaceIndex({ dbPath, dataKey, logger: silentLogger(), recipeId: 'dlib-v1' });
      const photos = new Map<string, Buffer>();
      for (const person of ['Alan_Greenspan', 'Adam_Scott']) {
        const { faceId } = await old.index(person, photo(person, 1));
        photos.set(faceId, photo(person, 1));
      }
      const { faceId: orphan } = await old.index('Aaron_Eckhart', photo('Aaron_Eckhart', 1));
      await old.close();
      const modelOf = () => {
        const db = new Database(dbPath, { readonly: true });
        const rows = db.prepare('SELECT face_id, model FROM face_embeddings ORDER BY face_id').all();
        db.close();
        return Object.fromEntries((rows as { face_id: string; model: string }[]).map((r) => [r.face_id, r.model]));
      };

      const progress: [number, number][] = [];
      const current = await openLocalFaceIndex({
        dbPath,
        dataKey,
        logger: silentLogger(),
        photoOf: async (faceId) => photos.get(faceId) ?? null,
        onReembedProgress: (done, total) => progress.push([done, total]),
      });
      try {
        expect(progress.at(-1)).toEqual([3, 3]);
        const models = modelOf();
        expect(models[orphan]).toBe('dlib-v1'); // no photo: left as it was, and never compared
        for (const faceId of photos.keys()) expect(models[faceId]).toBe(DEFAULT_RECIPE_ID);
        // Found again from another photo, under the same face id: records and erasure are unchanged.
        const result = await current.search(photo('Alan_Greenspan', 4));
        expect(result.matches[0]?.personId).toBe('Alan_Greenspan');
        expect(photos.has(result.matches[0]!.faceId)).toBe(true);
        const stranger = await current.search(photo('Aaron_Eckhart', 1), { minSimilarity: 0, maxMatches: 10 });
        expect(stranger.matches.map((m) => m.personId)).not.toContain('Aaron_Eckhart');
      } finally {
        await current.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
