/** Fitting a frame's JPEG into the MQTT budget (sharp), for the visit pipeline. */
import sharp, { type Metadata } from 'sharp';
import { FrameError } from './errors.js';

/**
 * Returns a JPEG at most maxWidth wide and at most maxBytes long. A JPEG that already fits (and
 * needs no EXIF rotation) is passed through untouched, since re-encoding only loses detail;
 * anything else is re-encoded with falling quality, then smaller sizes, until it fits.
 */
export async function fitJpeg(image: Buffer, maxWidth: number, maxBytes: number): Promise<Buffer> {
  let meta: Metadata;
  try {
    meta = await sharp(image).metadata();
  } catch (cause) {
    throw new FrameError('frame could not be decoded', { cause });
  }
  const width = meta.autoOrient?.width ?? meta.width ?? maxWidth;
  const upright = meta.orientation === undefined || meta.orientation === 1;
  if (meta.format === 'jpeg' && upright && width <= maxWidth && image.length <= maxBytes) return image;

  let targetWidth = Math.min(width, maxWidth);
  for (let round = 0; round < 8; round++) {
    for (const quality of [82, 70, 58, 45]) {
      const out = await sharp(image)
        .rotate()
        .resize({ width: targetWidth, withoutEnlargement: true })
        .jpeg({ quality, mozjpeg: false })
        .toBuffer();
      if (out.length <= maxBytes) return out;
    }
    targetWidth = Math.max(16, Math.floor(targetWidth * 0.75));
  }
  throw new FrameError(`frame cannot be made smaller than ${maxBytes} bytes`);
}
