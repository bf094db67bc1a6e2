import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { ImageDecodeError, UpstreamError } from '../../cloud/src/errors.js';
import { FaceEngine } from '../../cloud/src/adapters/local/face-engine/index.js';
import { HAVE_FACES, photo } from './faces-dataset.js';

/** A plain grey JPEG: decodes, has no face, needs no photo set. */
async function greyJpeg(): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  return sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .jpeg()
    .toBuffer();
}

// The cases that need real faces skip without ../shared/faces; the rest run everywhere.
describe('face engine worker pool (real engine)', () => {
  let engine: FaceEngine;

  beforeAll(async () => {
    engine = await FaceEngine.start({ logger: silentLogger(), workers: 1 });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it.skipIf(!HAVE_FACES)(
    'analyses a photo off the main thread: face, pose, sharpness and a unit-length embedding',
    async () => {
      const analysis = await engine.analyze(photo('Alan_Greenspan', 1), { embed: true });
      expect(analysis.imageWidth).toBe(250);
      expect(analysis.faces.length).toBeGreaterThanOrEqual(1);
      expect(analysis.faces[0]!.eyeDistance).toBeGreaterThan(15);
      const e = analysis.embedding!;
      const norm = Math.sqrt(e.reduce((s, x) => s + x * x, 0));
      expect(norm).toBeCloseTo(1, 4);
      const inspectOnly = await engine.analyze(photo('Alan_Greenspan', 1), { embed: false });
      expect(inspectOnly.embedding).toBeNull();
      expect(inspectOnly.faces[0]!.box).toEqual(analysis.faces[0]!.box);
    },
  );

  it.skipIf(!HAVE_FACES)('gives the same embedding for the same image (no cache, deterministic)', async () => {
    const a = await engine.analyze(photo('Adam_Scott', 1), { embed: true });
    const b = await engine.analyze(photo('Adam_Scott', 1), { embed: true });
    expect(Array.from(b.embedding!)).toEqual(Array.from(a.embedding!));
  });

  it.skipIf(!HAVE_FACES)(
    'counts two people side by side as two faces, not three (repeat detection merged)',
    async () => {
      // Two dev photos of one face each, 640 px square, side by side: FaceMesh found the left face
      // twice (once inside a box spanning most of its half) and the page said "3 faces".
      const { default: sharp } = await import('sharp');
      const half = async (person: string) => sharp(photo(person, 1)).resize(640, 640).toBuffer();
      const pair = await sharp({
        create: { width: 1280, height: 640, channels: 3, background: { r: 128, g: 128, b: 128 } },
      })
        .composite([
          { input: await half('Donald_Pettit'), left: 0, top: 0 },
          { input: await half('Ellen_Pompeo'), left: 640, top: 0 },
        ])
        .jpeg()
        .toBuffer();
      const analysis = await engine.analyze(pair, { embed: false });
      expect(analysis.faces).toHaveLength(2);
      const centres = analysis.faces.map((f) => f.box.x + f.box.width / 2).sort((a, b) => a - b);
      expect(centres[0]).toBeLessThan(640);
      expect(centres[1]).toBeGreaterThan(640);
    },
  );

  it('refuses images over the pixel limit without decoding them', async () => {
    const { default: sharp } = await import('sharp');
    // 10000×6000 = 60 MP, over the 50 MP bound; PNG of one colour stays small in bytes.
    const huge = await sharp({
      create: { width: 10_000, height: 6_000, channels: 3, background: { r: 0, g: 0, b: 0 } },
    })
      .png()
      .toBuffer();
    await expect(engine.analyze(huge, { embed: true })).rejects.toBeInstanceOf(ImageDecodeError);
  });

  it('replaces a worker that is stopped mid-call; only that call fails', async () => {
    // A 1 ms deadline cannot be met: the pool terminates the worker, fails the call, starts another.
    const image = await greyJpeg();
    await expect(engine.analyze(image, { embed: true, timeoutMs: 1 })).rejects.toBeInstanceOf(UpstreamError);
    const after = await engine.analyze(image, { embed: true });
    expect(after.imageWidth).toBe(320);
    expect(after.faces).toEqual([]);
  });
});
