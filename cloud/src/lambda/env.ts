/**
 * Configuration of the AWS processes (the Lambdas and the admin host), read once per process from
 * the environment the CDK stack sets (infra/lib/lambdas.ts and infra/lib/admin-host.ts write
 * exactly these names). A missing or malformed value fails the start with a ConfigError naming the
 * variable, never a half-configured handler.
 */
import { envInt, envOptional, siteId } from '../../../lib/env.js';
import { ConfigError } from '../errors.js';
import type { RecordsTableNames } from '../adapters/aws/dynamo-schema.js';
import { DEFAULT_REKOGNITION_THRESHOLD } from '../adapters/aws/rekognition-face-index.js';

type Env = Record<string, string | undefined>;

/** Names of the variables, shared with the CDK stack so the two cannot drift apart. */
export const LAMBDA_ENV = {
  region: 'AWS_REGION',
  site: 'FACEGATE_SITE',
  tablePeople: 'FACEGATE_TABLE_PEOPLE',
  tableFaces: 'FACEGATE_TABLE_FACES',
  tableDoors: 'FACEGATE_TABLE_DOORS',
  tableEvents: 'FACEGATE_TABLE_EVENTS',
  tableVisits: 'FACEGATE_TABLE_VISITS',
  bucket: 'FACEGATE_BUCKET',
  kmsKeyId: 'FACEGATE_KMS_KEY_ID',
  collectionId: 'FACEGATE_COLLECTION_ID',
  matchThreshold: 'FACEGATE_MATCH_THRESHOLD',
  iotDataEndpoint: 'FACEGATE_IOT_DATA_ENDPOINT',
  eventRetentionDays: 'FACEGATE_EVENT_RETENTION_DAYS',
  maxFrameAgeMs: 'FACEGATE_MAX_FRAME_AGE_MS',
} as const;

/** Extra variables of the admin host (its systemd unit's environment file). */
export const ADMIN_HOST_ENV = {
  backend: 'FACEGATE_BACKEND',
  iotPolicyName: 'FACEGATE_IOT_POLICY_NAME',
  host: 'FACEGATE_HOST',
  httpPort: 'FACEGATE_HTTP_PORT',
  tlsCert: 'FACEGATE_TLS_CERT',
  tlsKey: 'FACEGATE_TLS_KEY',
  dataDir: 'FACEGATE_DATA_DIR',
  /** The stack's admins table: admin accounts and sessions live there, not on the instance. */
  adminsTable: 'FACEGATE_TABLE_ADMINS',
  /** SSM Parameter Store path under which a one-time password is left as a SecureString. */
  oneTimePasswordPrefix: 'FACEGATE_ONE_TIME_PASSWORD_PREFIX',
  /** The site's IANA zone: the days of validity dates and the times the admin site shows. */
  timeZone: 'FACEGATE_TIME_ZONE',
} as const;

export interface RecordsConfig {
  region: string;
  /** The site this back end serves: its doors' topics and thing names carry it. */
  siteId: string;
  tables: RecordsTableNames;
  /** null = keep events forever. */
  eventRetentionDays: number | null;
}

export interface RecognizeConfig extends RecordsConfig {
  bucket: string;
  kmsKeyId: string;
  collectionId: string;
  matchThreshold: number;
  /** null: ask IoT (DescribeEndpoint) once per container. */
  iotDataEndpoint: string | null;
  maxFrameAgeMs: number;
}

function required(name: string, env: Env): string {
  const value = envOptional(name, env);
  if (value === undefined) throw new ConfigError(`${name} must be set`);
  return value;
}

export function readRecordsConfig(env: Env = process.env): RecordsConfig {
  const retention = envInt(LAMBDA_ENV.eventRetentionDays, 0, 0, 36_500, env);
  return {
    region: required(LAMBDA_ENV.region, env),
    siteId: siteId(env),
    tables: {
      people: required(LAMBDA_ENV.tablePeople, env),
      faces: required(LAMBDA_ENV.tableFaces, env),
      doors: required(LAMBDA_ENV.tableDoors, env),
      events: required(LAMBDA_ENV.tableEvents, env),
    },
    eventRetentionDays: retention === 0 ? null : retention,
  };
}

export function readRecognizeConfig(env: Env = process.env): RecognizeConfig {
  const thresholdRaw = envOptional(LAMBDA_ENV.matchThreshold, env);
  const matchThreshold = thresholdRaw === undefined ? DEFAULT_REKOGNITION_THRESHOLD : Number(thresholdRaw);
  if (!(matchThreshold > 0 && matchThreshold <= 1)) {
    throw new ConfigError(
      `${LAMBDA_ENV.matchThreshold} must be a number in (0, 1], got ${JSON.stringify(thresholdRaw)}`,
    );
  }
  const endpoint = envOptional(LAMBDA_ENV.iotDataEndpoint, env) ?? null;
  if (endpoint !== null && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(endpoint)) {
    throw new ConfigError(`${LAMBDA_ENV.iotDataEndpoint} must be a host name, got ${JSON.stringify(endpoint)}`);
  }
  return {
    ...readRecordsConfig(env),
    bucket: required(LAMBDA_ENV.bucket, env),
    kmsKeyId: required(LAMBDA_ENV.kmsKeyId, env),
    collectionId: required(LAMBDA_ENV.collectionId, env),
    matchThreshold,
    iotDataEndpoint: endpoint,
    maxFrameAgeMs: envInt(LAMBDA_ENV.maxFrameAgeMs, 5_000, 500, 60_000, env),
  };
}

/** The recognition and visit-sweep Lambdas: everything recognition needs, plus the visits table. */
export interface VisitsConfig extends RecognizeConfig {
  visitsTable: string;
}

export function readVisitsConfig(env: Env = process.env): VisitsConfig {
  return { ...readRecognizeConfig(env), visitsTable: required(LAMBDA_ENV.tableVisits, env) };
}

export interface AdminHostConfig extends RecognizeConfig {
  /** The IoT policy attached to every door certificate (stack output DoorPolicyName). */
  iotPolicyName: string;
  adminsTable: string;
  /** e.g. /facegate/main/admin/one-time-password/ (the username is appended). */
  oneTimePasswordPrefix: string;
}

/** What the admin site needs to run over the AWS adapters (everything the Lambdas need, plus provisioning). */
export function readAdminHostConfig(env: Env = process.env): AdminHostConfig {
  const policy = required(ADMIN_HOST_ENV.iotPolicyName, env);
  if (!/^[\w+=,.@-]{1,128}$/.test(policy))
    throw new ConfigError(`${ADMIN_HOST_ENV.iotPolicyName} is not an IoT policy name`);
  const prefix = required(ADMIN_HOST_ENV.oneTimePasswordPrefix, env);
  if (!/^(\/[A-Za-z0-9_.-]+)+\/$/.test(prefix)) {
    throw new ConfigError(
      `${ADMIN_HOST_ENV.oneTimePasswordPrefix} must be an SSM path ending in /, such as /facegate/main/admin/one-time-password/`,
    );
  }
  return {
    ...readRecognizeConfig(env),
    iotPolicyName: policy,
    adminsTable: required(ADMIN_HOST_ENV.adminsTable, env),
    oneTimePasswordPrefix: prefix,
  };
}
