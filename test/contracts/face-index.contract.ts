/**
 * The FaceIndex port's behaviour on real photos, written once and run against each adapter that
 * has a real engine behind it: the Rekognition adapter against rekognition-local
 * (test/aws/rekognition-face-index-local.test.ts), so its calls are checked by a server that
 * parses, validates and answers them for real rather than by hand-written replies. Kept to a few
 * engine passes (the engine is slow on shared CPUs). Cases run in order on one index.
 */
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageDecodeError, PhotoRejectedError } from '../../cloud/src/errors.js';
import type { FaceIndex } from '../../cloud/src/ports/face-index.js';
import { photo } from '../face/faces-dataset.js';

export interface FaceIndexHarness {
  /** A fresh, empty index. */
  open(): Promise<FaceIndex>;
}

const PERSON = 'Alan_Greenspan';
const OTHER = 'Adam_Scott';
const STRANGER = 'AJ_Cook';

export function faceIndexContract(name: string, harness: FaceIndexHarness): void {
  describe(`FaceIndex contract: ${name}`, () => {
    let index: FaceIndex;
    let blank: Buffer;
    const ids = new Map<string, string>();

    beforeAll(async () => {
      index = await harness.open();
      blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 120, g: 130, b: 140 } } })
        .jpeg()
        .toBuffer();
    });
    afterAll(async () => {
      await index?.close();
    });

    it('indexes the largest face of a photo under its person and counts it', async () => {
      for (const person of [PERSON, OTHER]) {
        const { faceId, face } = await index.index(person, photo(person, 1));
        expect(faceId).toMatch(/\S/);
        expect(face.box.width).toBeGreaterThan(20);
        ids.set(person, faceId);
      }
      expect(await index.countFaces()).toBe(2);
    });

    it('finds the person from another photo, one match per person, best first, similarity in 0..1', async () => {
      const result = await index.search(photo(PERSON, 4), { minSimilarity: 0, maxMatches: 5 });
      expect(result.face).not.toBeNull();
      expect(result.faceCount).toBeGreaterThanOrEqual(1);
      expect(result.matches.map((m) => m.personId)).toEqual([PERSON, OTHER]);
      expect(result.matches[0]!.faceId).toBe(ids.get(PERSON));
      expect(result.matches[0]!.similarity).toBeGreaterThan(result.matches[1]!.similarity);
      for (const m of result.matches) {
        expect(m.similarity).toBeGreaterThanOrEqual(0);
        expect(m.similarity).toBeLessThanOrEqual(1);
      }
      // At 0.9 only the person remains.
      const strict = await index.search(photo(PERSON, 4), { minSimilarity: 0.9 });
      expect(strict.matches.map((m) => m.personId)).toEqual([PERSON]);
    });

    it('matches nobody for a stranger at the default threshold', async () => {
      const result = await index.search(photo(STRANGER, 1));
      expect(result.face).not.toBeNull();
      expect(result.matches).toEqual([]);
    });

    it('reads a faceless image as no face for search and refuses to index it', async () => {
      expect(await index.search(blank)).toEqual({ face: null, faceCount: 0, matches: [] });
      const err = await index.index('nobody', blank).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PhotoRejectedError);
      expect((err as PhotoRejectedError).issues[0]?.code).toBe('no_face');
      expect(await index.countFaces()).toBe(2);
    });

    it('refuses bytes that are not a decodable image with ImageDecodeError', async () => {
      const jpeg = photo(PERSON, 4);
      const truncated = jpeg.subarray(0, 600); // a JPEG header, no picture
      await expect(index.search(truncated)).rejects.toBeInstanceOf(ImageDecodeError);
      await expect(index.search(Buffer.from('not an image at all'))).rejects.toBeInstanceOf(ImageDecodeError);
    });

    it('inspects faces without indexing them', async () => {
      const inspection = await index.inspect(photo(OTHER, 2));
      expect(inspection.faces.length).toBeGreaterThanOrEqual(1);
      expect(inspection.faces[0]!.box.width).toBeGreaterThan(20);
      expect(inspection.imageWidth).toBe(250);
      expect(await index.countFaces()).toBe(2);
    });

    it('deletes faces for real (unknown ids are no error): the person no longer matches', async () => {
      await index.deleteFaces([ids.get(PERSON)!, randomUUID()]);
      expect(await index.countFaces()).toBe(1);
      const result = await index.search(photo(PERSON, 4), { minSimilarity: 0, maxMatches: 5 });
      expect(result.matches.map((m) => m.personId)).toEqual([OTHER]);
    });
  });
}
