/**
 * ImageStore over S3: every object is written with SSE-KMS under the stack's customer-managed key
 * (the bucket policy also refuses anything else). Build the client with
 * `requestChecksumCalculation: 'WHEN_REQUIRED'` (see s3ClientConfig) so bodies are sent as-is.
 *
 * The bucket has no versioning, so a delete really erases (the admin site's erasure relies on it).
 * `get` tells "absent" from NoSuchKey, which S3 only returns to a caller allowed s3:ListBucket
 * (others get AccessDenied, which surfaces as an UpstreamError).
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { assertImageKey, assertImagePrefix, type ImageStore } from '../../ports/image-store.js';
import { callAws, isAwsError, asUpstream } from './aws-errors.js';

export interface S3ImageStoreOptions {
  client: S3Client;
  bucket: string;
  /** KMS key id or ARN for SSE-KMS; null lets the bucket's default encryption apply (tests on s3rver). */
  kmsKeyId: string | null;
}

/** Client settings every FaceGate S3 client uses: no streaming checksums (s3rver stores the framing otherwise). */
export const s3ClientConfig = {
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
} as const satisfies Partial<S3ClientConfig>;

export class S3ImageStore implements ImageStore {
  constructor(private readonly options: S3ImageStoreOptions) {}

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    assertImageKey(key);
    await callAws('s3', 'PutObject', () =>
      this.options.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.byteLength,
          ContentType: contentType,
          ...(this.options.kmsKeyId
            ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: this.options.kmsKeyId, BucketKeyEnabled: true }
            : {}),
        }),
      ),
    );
  }

  async get(key: string): Promise<{ bytes: Buffer; contentType: string } | null> {
    assertImageKey(key);
    try {
      const res = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
      const body = res.Body ? await res.Body.transformToByteArray() : new Uint8Array(0);
      return {
        bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        contentType: res.ContentType ?? 'application/octet-stream',
      };
    } catch (err) {
      if (isAwsError(err, 'NoSuchKey', 'NotFound')) return null;
      throw asUpstream('s3', 'GetObject', err);
    }
  }

  async delete(key: string): Promise<void> {
    assertImageKey(key);
    // S3 answers 204 for a missing key too, which is the port's contract.
    await callAws('s3', 'DeleteObject', () =>
      this.options.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key })),
    );
  }

  async list(prefix: string): Promise<string[]> {
    assertImagePrefix(prefix);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const res = await callAws('s3', 'ListObjectsV2', () =>
        this.options.client.send(
          new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: prefix, ContinuationToken: token }),
        ),
      );
      for (const object of res.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    // S3 lists in UTF-8 binary order already; sort anyway so the contract holds on any S3 clone.
    return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
