/**
 * Content sniffing for images from outside: the first bytes decide, never a file name or a
 * declared type. Cheap enough to run before handing anything to a decoder.
 */
export type ImageContentType = 'image/jpeg' | 'image/png';

const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function sniffImageType(bytes: Uint8Array): ImageContentType | null {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 8));
  if (head.length >= JPEG_MAGIC.length && head.subarray(0, JPEG_MAGIC.length).equals(JPEG_MAGIC)) return 'image/jpeg';
  if (head.length >= PNG_MAGIC.length && head.equals(PNG_MAGIC)) return 'image/png';
  return null;
}
