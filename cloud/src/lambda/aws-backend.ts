/**
 * Every AWS adapter the admin site needs, from the admin host's configuration (readAdminHostConfig):
 * what a `serve-aws` composition root passes to createServices, plus a poller that brings door
 * state written by the telemetry Lambda into the process's door feed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTClient } from '@aws-sdk/client-iot';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../../../lib/logger.js';
import { DoorStatePoller } from '../adapters/aws/door-state-poller.js';
import { DynamoRecords } from '../adapters/aws/dynamo-records.js';
import { IotDoorMessaging } from '../adapters/aws/iot-door-messaging.js';
import { IotDoorProvisioner } from '../adapters/aws/iot-door-provisioner.js';
import { RekognitionFaceIndex } from '../adapters/aws/rekognition-face-index.js';
import { S3ImageStore, s3ClientConfig } from '../adapters/aws/s3-image-store.js';
import type { Door } from '../domain/types.js';
import { createIotDataClient } from './aws-clients.js';
import type { AdminHostConfig } from './env.js';

export interface AwsBackend {
  records: DynamoRecords;
  images: S3ImageStore;
  faceIndex: RekognitionFaceIndex;
  messaging: IotDoorMessaging;
  provisioner: IotDoorProvisioner;
  /** Starts publishing door state changes (e.g. into the DoorChangeFeed) every `intervalMs`. */
  watchDoors(publish: (door: Door) => void, intervalMs?: number): DoorStatePoller;
  /** Stops pollers and releases the SDK clients' sockets. */
  close(): Promise<void>;
}

export async function openAwsBackend(config: AdminHostConfig, logger: Logger): Promise<AwsBackend> {
  const region = config.region;
  const dynamo = new DynamoDBClient({ region });
  const s3 = new S3Client({ region, ...s3ClientConfig });
  const rekognition = new RekognitionClient({ region });
  const iot = new IoTClient({ region });
  const iotData = await createIotDataClient(region, config.iotDataEndpoint, () => iot);
  const pollers: DoorStatePoller[] = [];

  const records = new DynamoRecords({
    client: dynamo,
    tables: config.tables,
    eventRetentionDays: config.eventRetentionDays,
    logger,
  });
  return {
    records,
    images: new S3ImageStore({ client: s3, bucket: config.bucket, kmsKeyId: config.kmsKeyId }),
    faceIndex: new RekognitionFaceIndex({
      client: rekognition,
      collectionId: config.collectionId,
      threshold: config.matchThreshold,
      logger,
    }),
    messaging: new IotDoorMessaging({ client: iotData, siteId: config.siteId, logger }),
    provisioner: new IotDoorProvisioner({
      client: iot,
      siteId: config.siteId,
      policyName: config.iotPolicyName,
      logger,
    }),
    watchDoors(publish, intervalMs = 3000) {
      const poller = new DoorStatePoller({ records, publish, intervalMs, logger });
      poller.start();
      pollers.push(poller);
      return poller;
    },
    async close() {
      await Promise.all(pollers.map((p) => p.stop()));
      for (const client of [dynamo, s3, rekognition, iot, iotData]) client.destroy();
    },
  };
}
