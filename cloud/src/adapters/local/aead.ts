/**
 * AES-256-GCM sealing for everything the local back end keeps at rest (photos, snapshots,
 * embeddings). Layout: magic "FG1" | 12-byte nonce | ciphertext | 16-byte tag. The associated
 * data binds a blob to its name, so a file moved or swapped under another key fails to open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FacegateError } from '../../../../lib/errors.js';

const MAGIC = Buffer.from('FG1');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class DecryptionError extends FacegateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('decryption_failed', message, options);
  }
}

export function seal(key: Buffer, plaintext: Uint8Array, associatedData: string): Buffer {
  if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([MAGIC, nonce, body, cipher.getAuthTag()]);
}

export function open(key: Buffer, sealed: Uint8Array, associatedData: string): Buffer {
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (buf.length < MAGIC.length + NONCE_BYTES + TAG_BYTES || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new DecryptionError('not a FaceGate sealed blob');
  }
  const nonce = buf.subarray(MAGIC.length, MAGIC.length + NONCE_BYTES);
  const tag = buf.subarray(buf.length - TAG_BYTES);
  const body = buf.subarray(MAGIC.length + NONCE_BYTES, buf.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (err) {
    throw new DecryptionError('sealed blob failed authentication (wrong key, wrong name or tampered)', { cause: err });
  }
}
