/**
 * One pixel limit for every image FaceGate takes in (admin uploads and webcam captures, `facegate
 * enroll`, door frames), checked from the file's header before anything decodes it. A 154 KB PNG
 * can declare 40 megapixels and cost 150 MB to decode: the header says so in its first bytes.
 */
import { imageDimensions, type ImageDimensions } from './image-dimensions.js';

/** Covers 48- and 50-megapixel phone photos; the engine needs at most 1280 px a side anyway. */
export const MAX_IMAGE_PIXELS = 50_000_000;

export type PixelCheck =
  { ok: true; size: ImageDimensions | null } | { ok: false; size: ImageDimensions; message: string };

const megapixels = (pixels: number) => (pixels / 1_000_000).toFixed(1);

/** The sentence shown to a person whose image is over the limit. */
export function tooManyPixelsMessage(size: ImageDimensions, maxPixels = MAX_IMAGE_PIXELS): string {
  return (
    `The image is ${size.width} × ${size.height} pixels (${megapixels(size.width * size.height)} megapixels); ` +
    `the limit is ${maxPixels / 1_000_000} megapixels. Scale it down (e.g. to 4000 pixels on the long side) and try again.`
  );
}

/**
 * Reads the size from a JPEG or PNG header. `size: null` means the header could not be read (not
 * an image, or corrupt): the decoder that follows refuses such bytes with its own reason.
 */
export function checkImagePixels(bytes: Uint8Array, maxPixels = MAX_IMAGE_PIXELS): PixelCheck {
  const size = imageDimensions(bytes);
  if (size && size.width * size.height > maxPixels) {
    return { ok: false, size, message: tooManyPixelsMessage(size, maxPixels) };
  }
  return { ok: true, size };
}
