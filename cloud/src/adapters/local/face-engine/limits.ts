/** Input bounds of the face engine: a hostile or absurd image must be refused before decoding it fully. */
export const ENGINE_LIMITS = {
  /** Upload bytes; the admin site and MQTT have their own, smaller limits. */
  maxBytes: 20 * 1024 * 1024,
  /** Refuse decompression bombs: 50 megapixels is well beyond any camera we support. */
  maxPixels: 50_000_000,
  /** Images are downscaled so that the longer side is at most this before detection. */
  maxDetectSide: 1280,
  /** Smallest face (box side in pixels, original image) we report at all. */
  minFaceSide: 20,
} as const;
