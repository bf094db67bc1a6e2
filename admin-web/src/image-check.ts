/**
 * Content checks for every image that comes in (uploads, webcam captures, virtual-door frames):
 * the magic bytes must say JPEG or PNG, and the whole image must decode. File names and
 * declared content types are never trusted.
 */
import sharp from 'sharp';
import { badImage } from './errors.js';

export type ImageFormat = 'jpeg' | 'png';

/** Big enough for a 24-megapixel phone photo, small enough to bound decode memory. */
const MAX_INPUT_PIXELS = 40_000_000;

export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return 'png';
  return null;
}

export interface CheckedImage {
  format: ImageFormat;
  width: number;
  height: number;
}

/** Throws a 422 HttpError with a message a person can act on; `label` names the file in it. */
export async function checkImage(
  bytes: Uint8Array,
  label = 'the image',
  allowed: ImageFormat[] = ['jpeg', 'png'],
): Promise<CheckedImage> {
  const format = sniffImageFormat(bytes);
  if (!format || !allowed.includes(format)) {
    throw badImage(`${label} is not a ${allowed.map((f) => f.toUpperCase()).join(' or ')} image`);
  }
  try {
    // A full decode (not just the header) so truncated or corrupt files are refused here,
    // before they reach the face engine; failOn 'truncated' makes libvips strict about it.
    const { info } = await sharp(bytes, { failOn: 'truncated', limitInputPixels: MAX_INPUT_PIXELS })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { format, width: info.width, height: info.height };
  } catch (err) {
    throw badImage(`${label} could not be decoded (corrupt or truncated ${format.toUpperCase()})`, { cause: err });
  }
}
