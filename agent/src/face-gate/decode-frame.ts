/**
 * Camera JPEG → RGB pixels at most `maxSide` on the longer side (EXIF rotation applied): the
 * face gate looks at frames the size the back end will get, and decoding smaller is cheaper.
 */
import sharp from 'sharp';
import { FrameError } from '../errors.js';
import type { RgbFrame } from '../ports/index.js';

/** A 1080p or 4K camera frame is fine; anything past this is not a camera frame. */
const MAX_INPUT_PIXELS = 50_000_000;

export async function decodeFrame(jpeg: Buffer, maxSide: number): Promise<RgbFrame> {
  try {
    // failOn 'warning': a truncated JPEG is refused rather than judged as a grey half-picture.
    const { data, info } = await sharp(jpeg, { failOn: 'warning', limitInputPixels: MAX_INPUT_PIXELS })
      .rotate()
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new FrameError(`expected 3 colour channels, got ${info.channels}`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
    };
  } catch (cause) {
    if (cause instanceof FrameError) throw cause;
    throw new FrameError('frame could not be decoded', { cause });
  }
}
