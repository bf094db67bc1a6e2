/**
 * SDK clients and adapters for the Lambdas, built once per container (module scope in each
 * handler file) and reused across invocations, as Lambda intends.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTClient } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../../../lib/logger.js';
import { DynamoRecords } from '../adapters/aws/dynamo-records.js';
import { DynamoVisitStore } from '../adapters/aws/dynamo-visit-store.js';
import { describeIotDataEndpoint } from '../adapters/aws/iot-endpoint.js';
import { IotDoorMessaging } from '../adapters/aws/iot-door-messaging.js';
import { RekognitionFaceIndex } from '../adapters/aws/rekognition-face-index.js';
import { S3ImageStore, s3ClientConfig } from '../adapters/aws/s3-image-store.js';
import type { RecognizeConfig, RecordsConfig, VisitsConfig } from './env.js';

export function createRecords(
  config: RecordsConfig,
  logger: Logger,
  client = new DynamoDBClient({ region: config.region }),
): DynamoRecords {
  return new DynamoRecords({ client, tables: config.tables, eventRetentionDays: config.eventRetentionDays, logger });
}

export function createVisitStore(
  config: VisitsConfig,
  client = new DynamoDBClient({ region: config.region }),
): DynamoVisitStore {
  return new DynamoVisitStore({ client, tableName: config.visitsTable });
}

export function createImageStore(
  config: RecognizeConfig,
  client = new S3Client({ region: config.region, ...s3ClientConfig }),
): S3ImageStore {
  return new S3ImageStore({ client, bucket: config.bucket, kmsKeyId: config.kmsKeyId });
}

export function createFaceIndex(
  config: RecognizeConfig,
  logger: Logger,
  client = new RekognitionClient({ region: config.region }),
): RekognitionFaceIndex {
  return new RekognitionFaceIndex({
    client,
    collectionId: config.collectionId,
    threshold: config.matchThreshold,
    logger,
  });
}

/**
 * IoT Data Plane must publish through the account's ATS endpoint; when the stack did not pass it
 * in, ask IoT once (the promise is kept by the caller for the container's life).
 */
export async function createDoorMessaging(config: RecognizeConfig, logger: Logger): Promise<IotDoorMessaging> {
  const host = config.iotDataEndpoint ?? (await describeIotDataEndpoint(new IoTClient({ region: config.region })));
  const client = new IoTDataPlaneClient({ region: config.region, endpoint: `https://${host}` });
  return new IotDoorMessaging({ client, siteId: config.siteId, logger });
}
