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

type Env = Record<string, string | undefined>;

/**
 * Whether the SDK's standard endpoint variables point IoT Data Plane somewhere
 * (`AWS_ENDPOINT_URL_IOT_DATA_PLANE`, or `AWS_ENDPOINT_URL` for every service), unless
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` turns them off, as the SDK itself reads them.
 */
export function iotDataEndpointFromSdkEnv(env: Env = process.env): string | null {
  if ((env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '').trim().toLowerCase() === 'true') return null;
  return env.AWS_ENDPOINT_URL_IOT_DATA_PLANE || env.AWS_ENDPOINT_URL || null;
}

/**
 * IoT Data Plane must publish through the account's ATS endpoint: the configured host, or, when
 * the stack did not pass one in, asked of IoT once (the caller keeps the promise for the process's
 * life). An explicit endpoint would shadow the SDK's own endpoint variables, which every other
 * client here honours; so when they name one (the offline door loop's local IoT Data Plane, a
 * VPC endpoint), that one is used and IoT is not asked.
 */
export async function createIotDataClient(
  region: string,
  configuredHost: string | null,
  iot: () => Pick<IoTClient, 'send'>,
  env: Env = process.env,
): Promise<IoTDataPlaneClient> {
  const fromEnv = iotDataEndpointFromSdkEnv(env);
  if (fromEnv !== null) return new IoTDataPlaneClient({ region, endpoint: fromEnv });
  const host = configuredHost ?? (await describeIotDataEndpoint(iot()));
  return new IoTDataPlaneClient({ region, endpoint: `https://${host}` });
}

export async function createDoorMessaging(config: RecognizeConfig, logger: Logger): Promise<IotDoorMessaging> {
  const client = await createIotDataClient(
    config.region,
    config.iotDataEndpoint,
    () => new IoTClient({ region: config.region }),
  );
  return new IotDoorMessaging({ client, siteId: config.siteId, logger });
}
