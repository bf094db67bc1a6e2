/** Image work for the frame gate, with sharp: change detection thumbnails and fitting a JPEG into the MQTT budget. */
import sharp, { type Metadata } from 'sharp';
import { FrameError } from './errors.js';

/** Side of the grayscale thumbnail compared between frames: small enough to ignore sensor noise and cheap to make. */
export const THUMB_SIDE = 32;

/** A THUMB_SIDE² grayscale thumbnail of an image (EXIF orientation applied). */
export async function thumbnail(image: Buffer): Promise<Buffer> {
  try {
    return await sharp(image, { failOn: 'error' })
      .rotate()
      .resize(THUMB_SIDE, THUMB_SIDE, { fit: 'fill' })
      .grayscale()
      .raw()
      .toBuffer();
  } catch (cause) {
    throw new FrameError('frame could not be decoded', { cause });
  }
}

/** How different two thumbnails are: mean absolute difference of their pixels, 0 (same) .. 1 (inverted). */
export function pictureChange(a: Buffer, b: Buffer): number {
  if (a.length !== b.length || a.length === 0) return 1;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] as number) - (b[i] as number));
  return sum / (a.length * 255);
}

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
