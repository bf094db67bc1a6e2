import { MAX_IMAGE_PIXELS } from '../../../domain/image-limits.js';

/** Input bounds of the face engine: a hostile or absurd image must be refused before decoding it fully. */
export const ENGINE_LIMITS = {
  /** Upload bytes; the admin site and MQTT have their own, smaller limits. */
  maxBytes: 20 * 1024 * 1024,
  /** Refuse decompression bombs: the one limit every image path shares (checked from the header first). */
  maxPixels: MAX_IMAGE_PIXELS,
  /** Images are downscaled so that the longer side is at most this before detection. */
  maxDetectSide: 1280,
  /** Smallest face (box side in pixels, original image) we report at all. */
  minFaceSide: 20,
} as const;
