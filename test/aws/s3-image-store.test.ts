/** S3ImageStore on a real s3rver (temp directory), plus the SSE-KMS headers it must send to real S3. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ImageStore } from '../../cloud/src/adapters/aws/s3-image-store.js';
import { imageStoreContract } from '../contracts/image-store.contract.js';
import { startS3rver, type LocalS3 } from './local-aws.js';

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.stop();
});

imageStoreContract('S3ImageStore (s3rver)', async () => {
  const bucket = `facegate-${randomUUID().slice(0, 8)}`;
  await s3.createBucket(bucket);
  return { store: new S3ImageStore({ client: s3.client, bucket, kmsKeyId: null }), close: async () => {} };
});

describe('S3ImageStore encryption', () => {
  it('asks S3 for SSE-KMS with the configured key and a bucket key on every put', async () => {
    const bucket = `facegate-${randomUUID().slice(0, 8)}`;
    await s3.createBucket(bucket);
    const seen: Record<string, string>[] = [];
    // Observe the real HTTP request after signing; s3rver accepts and ignores the SSE headers.
    s3.client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { method?: string; headers?: Record<string, string> };
        if (request.method === 'PUT') seen.push({ ...request.headers });
        return next(args);
      },
      { step: 'finalizeRequest', name: 'captureHeaders', priority: 'low' },
    );
    try {
      const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/0f6a1c2e-1111-2222-3333-444455556666';
      const store = new S3ImageStore({ client: s3.client, bucket, kmsKeyId: keyArn });
      await store.put('photos/person-1/face-1.jpg', Buffer.from('jpeg bytes'), 'image/jpeg');
      expect((await store.get('photos/person-1/face-1.jpg'))?.bytes.toString()).toBe('jpeg bytes');
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': keyArn,
        'x-amz-server-side-encryption-bucket-key-enabled': 'true',
        'content-type': 'image/jpeg',
      });
    } finally {
      s3.client.middlewareStack.remove('captureHeaders');
    }
  });
});
