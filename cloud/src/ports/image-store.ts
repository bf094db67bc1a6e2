/**
 * Image store port: enrollment photos and door snapshots, encrypted at rest (S3 + KMS on AWS,
 * AES-256-GCM files locally). Keys are relative, slash-separated, and match IMAGE_KEY_PATTERN.
 */
export const IMAGE_KEY_PATTERN = /^(?:photos|snapshots)\/[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_.-]+){1,3}$/;

export function assertImageKey(key: string): void {
  if (!IMAGE_KEY_PATTERN.test(key) || key.includes('..')) {
    throw new Error(`invalid image key: ${JSON.stringify(key)}`);
  }
}

export interface ImageStore {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** null when absent. */
  get(key: string): Promise<{ bytes: Buffer; contentType: string } | null>;
  delete(key: string): Promise<void>;
  /** Lists keys under a prefix such as `photos/{personId}/`. */
  list(prefix: string): Promise<string[]>;
}
