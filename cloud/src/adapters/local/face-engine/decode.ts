/**
 * Image bytes → RGB pixels, with EXIF rotation applied and the input bounded. Anything that is
 * not a decodable JPEG/PNG/WebP becomes an ImageDecodeError (never a crash of the worker).
 */
import sharp from 'sharp';
import { ImageDecodeError } from '../../../errors.js';
import { checkImagePixels } from '../../../domain/image-limits.js';
import { ENGINE_LIMITS } from './limits.js';

export interface RgbImage {
  /** Packed RGB, 3 bytes per pixel, row-major. */
  data: Uint8Array;
  width: number;
  height: number;
  /** Size of the EXIF-rotated original; `data` may be smaller when it was downscaled. */
  originalWidth: number;
  originalHeight: number;
}

const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp']);

export async function decodeImage(bytes: Uint8Array, maxSide: number = ENGINE_LIMITS.maxDetectSide): Promise<RgbImage> {
  if (bytes.byteLength === 0) throw new ImageDecodeError('image is empty');
  if (bytes.byteLength > ENGINE_LIMITS.maxBytes) {
    throw new ImageDecodeError(`image is ${bytes.byteLength} bytes, over the ${ENGINE_LIMITS.maxBytes}-byte limit`);
  }
  const pixels = checkImagePixels(bytes);
  if (!pixels.ok) throw new ImageDecodeError(pixels.message);
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    // failOn 'warning' turns truncated or corrupt JPEG data into an error instead of a grey half-image.
    const options = { failOn: 'warning' as const, limitInputPixels: ENGINE_LIMITS.maxPixels, sequentialRead: true };
    const meta = await sharp(input, options).metadata();
    if (!meta.format || !ACCEPTED_FORMATS.has(meta.format)) {
      throw new ImageDecodeError(`unsupported image format ${JSON.stringify(meta.format ?? 'unknown')}`);
    }
    const rotated = sharp(input, options).rotate();
    const swap = (meta.orientation ?? 1) >= 5; // EXIF orientations 5-8 swap width and height
    const originalWidth = swap ? meta.height : meta.width;
    const originalHeight = swap ? meta.width : meta.height;
    if (!originalWidth || !originalHeight) throw new ImageDecodeError('image has no size');
    const pipeline =
      Math.max(originalWidth, originalHeight) > maxSide
        ? rotated.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
        : rotated;
    const { data, info } = await pipeline
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new ImageDecodeError(`expected 3 colour channels, got ${info.channels}`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      originalWidth,
      originalHeight,
    };
  } catch (err) {
    if (err instanceof ImageDecodeError) throw err;
    throw new ImageDecodeError('image could not be decoded', { cause: err });
  }
}
