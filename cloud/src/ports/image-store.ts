/**
 * Image store port: enrollment photos and door snapshots, encrypted at rest (S3 + KMS on AWS,
 * AES-256-GCM files locally). Keys are relative, slash-separated, and match IMAGE_KEY_PATTERN.
 */
export const IMAGE_KEY_PATTERN = /^(?:photos|snapshots)\/[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_.-]+){1,3}$/;

/** A list prefix: a top folder, optionally followed by more path (e.g. `photos/`, `photos/p1/`, `snapshots/door-1/2026-`). */
export const IMAGE_PREFIX_PATTERN = /^(?:photos|snapshots)\/[A-Za-z0-9_./-]*$/;

export function assertImageKey(key: string): void {
  if (!IMAGE_KEY_PATTERN.test(key) || key.includes('..')) {
    throw new Error(`invalid image key: ${JSON.stringify(key)}`);
  }
}

export function assertImagePrefix(prefix: string): void {
  if (!IMAGE_PREFIX_PATTERN.test(prefix) || prefix.includes('..') || prefix.includes('//')) {
    throw new Error(`invalid image key prefix: ${JSON.stringify(prefix)}`);
  }
}

/**
 * Behaviour every adapter must share (checked by test/contracts/image-store.contract.ts): every
 * method validates its key (assertImageKey / assertImagePrefix) and rejects a bad one; put
 * replaces; get of a missing key is null; delete of a missing key is not an error.
 */
export interface ImageStore {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** null when absent. */
  get(key: string): Promise<{ bytes: Buffer; contentType: string } | null>;
  delete(key: string): Promise<void>;
  /** Lists keys (full keys, sorted ascending) that start with a prefix such as `photos/{personId}/`, at any depth. */
  list(prefix: string): Promise<string[]>;
}
