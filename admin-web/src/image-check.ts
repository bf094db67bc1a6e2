/**
 * Content checks for every image that comes in (uploads, webcam captures, virtual-door frames):
 * the magic bytes must say JPEG or PNG, and the whole image must decode. File names and
 * declared content types are never trusted.
 */
import sharp from 'sharp';
import { createLimiter } from '../../lib/concurrency.js';
import { checkImagePixels, MAX_IMAGE_PIXELS } from '../../cloud/src/domain/image-limits.js';
import { badImage } from './errors.js';

export type ImageFormat = 'jpeg' | 'png';

/**
 * Images decoded at once by the admin site (each may hold tens of MB while it decodes); further
 * uploads wait their turn. The face engine's worker pool bounds its own decodes the same way.
 */
const decodes = createLimiter(2);
/** Decoded no larger than the engine ever looks at: JPEGs shrink while they load. */
const CHECK_SIDE = 1280;

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
  const pixels = checkImagePixels(bytes);
  if (!pixels.ok) throw badImage(`${label}: ${pixels.message}`);
  try {
    // Every byte is decoded (not just the header), so truncated or corrupt files are refused here,
    // before they reach the face engine; failOn 'truncated' makes libvips strict about it. The
    // resize lets libvips shrink a JPEG while decoding it instead of holding it at full size.
    const options = { failOn: 'truncated' as const, limitInputPixels: MAX_IMAGE_PIXELS };
    await decodes.run(() =>
      sharp(bytes, options)
        .resize({ width: CHECK_SIDE, height: CHECK_SIDE, fit: 'inside', withoutEnlargement: true })
        .raw()
        .toBuffer(),
    );
    // The size from the header (as displayed, EXIF rotation applied), else as libvips reads it.
    const size = pixels.size ?? (await sharp(bytes, options).metadata());
    return { format, width: size.width ?? 0, height: size.height ?? 0 };
  } catch (err) {
    if (/pixel limit/i.test(String((err as Error | undefined)?.message))) {
      throw badImage(`${label} has more than ${MAX_IMAGE_PIXELS / 1_000_000} megapixels, the limit`, { cause: err });
    }
    throw badImage(`${label} could not be decoded (corrupt or truncated ${format.toUpperCase()})`, { cause: err });
  }
}
