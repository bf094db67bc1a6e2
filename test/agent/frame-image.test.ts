/** Fitting a camera frame into the MQTT budget (agent/src/frame-image.ts). */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fitJpeg } from '../../agent/src/frame-image.js';
import { MAX_FRAME_JPEG_BYTES } from '../../protocol/index.js';
import { jpegWithSquare, noiseJpeg } from './support/images.js';

describe('frame images', () => {
  it('passes a small upright JPEG through untouched', async () => {
    const jpeg = await jpegWithSquare();
    expect(await fitJpeg(jpeg, 640, MAX_FRAME_JPEG_BYTES)).toBe(jpeg);
  });

  it('shrinks an oversize image under the byte limit and the width limit', async () => {
    const huge = await noiseJpeg(1600, 1200);
    expect(huge.length).toBeGreaterThan(MAX_FRAME_JPEG_BYTES);
    const out = await fitJpeg(huge, 640, MAX_FRAME_JPEG_BYTES);
    expect(out.length).toBeLessThanOrEqual(MAX_FRAME_JPEG_BYTES);
    const meta = await sharp(out).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width).toBeLessThanOrEqual(640);
  });

  it('re-encodes a PNG as a JPEG', async () => {
    const png = await sharp(await jpegWithSquare())
      .png()
      .toBuffer();
    const out = await fitJpeg(png, 640, MAX_FRAME_JPEG_BYTES);
    expect((await sharp(out).metadata()).format).toBe('jpeg');
  });
});
