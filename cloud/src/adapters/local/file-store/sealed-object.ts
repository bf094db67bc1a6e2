/**
 * What goes inside a sealed file: the content type and the bytes, so nothing about the object
 * but its key (the file name) is readable on disk. Layout before sealing:
 * 2-byte big-endian content-type length | content type (utf8) | bytes.
 */
import { FacegateError } from '../../../../../lib/errors.js';

const MAX_CONTENT_TYPE_BYTES = 255;

export function packObject(contentType: string, bytes: Uint8Array): Buffer {
  const type = Buffer.from(contentType, 'utf8');
  if (type.length === 0 || type.length > MAX_CONTENT_TYPE_BYTES) {
    throw new FacegateError('invalid_input', `content type must be 1-${MAX_CONTENT_TYPE_BYTES} bytes`);
  }
  const header = Buffer.alloc(2);
  header.writeUInt16BE(type.length, 0);
  return Buffer.concat([header, type, bytes]);
}

export function unpackObject(packed: Buffer): { contentType: string; bytes: Buffer } {
  if (packed.length < 2) throw new FacegateError('corrupt_object', 'sealed object is truncated');
  const typeLength = packed.readUInt16BE(0);
  if (typeLength === 0 || packed.length < 2 + typeLength)
    throw new FacegateError('corrupt_object', 'sealed object header is corrupt');
  return {
    contentType: packed.subarray(2, 2 + typeLength).toString('utf8'),
    // Copy out so callers do not keep the whole decrypted buffer alive through a view.
    bytes: Buffer.from(packed.subarray(2 + typeLength)),
  };
}
