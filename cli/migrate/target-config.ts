/**
 * The stack `migrate-to-aws` writes to: the same variables the Lambdas and the admin host read
 * (cloud/src/lambda/env.ts, values from the stack's outputs), each of which a flag can override.
 * The collection defaults to the stack's own name for the site, `facegate-SITE`.
 */
import { isValidSiteId } from '../../protocol/topics.js';
import { ConfigError } from '../../lib/errors.js';
import { LAMBDA_ENV, readRecognizeConfig, type RecognizeConfig } from '../../cloud/src/lambda/env.js';

export interface TargetFlags {
  site: string;
  region?: string;
  peopleTable?: string;
  facesTable?: string;
  doorsTable?: string;
  eventsTable?: string;
  bucket?: string;
  kmsKeyId?: string;
  collectionId?: string;
}

/** Flag → the variable it overrides (the help text in main.ts lists the same pairs). */
export const TARGET_FLAGS = [
  ['--region <region>', LAMBDA_ENV.region, 'region'],
  ['--people-table <name>', LAMBDA_ENV.tablePeople, 'peopleTable'],
  ['--faces-table <name>', LAMBDA_ENV.tableFaces, 'facesTable'],
  ['--doors-table <name>', LAMBDA_ENV.tableDoors, 'doorsTable'],
  ['--events-table <name>', LAMBDA_ENV.tableEvents, 'eventsTable'],
  ['--bucket <name>', LAMBDA_ENV.bucket, 'bucket'],
  ['--kms-key-id <arn>', LAMBDA_ENV.kmsKeyId, 'kmsKeyId'],
  ['--collection-id <id>', LAMBDA_ENV.collectionId, 'collectionId'],
] as const satisfies readonly (readonly [string, string, Exclude<keyof TargetFlags, 'site'>])[];

export function readTargetConfig(
  flags: TargetFlags,
  env: Record<string, string | undefined> = process.env,
): RecognizeConfig {
  if (!isValidSiteId(flags.site)) {
    throw new ConfigError(
      `--site must be 1-24 characters of a-z, 0-9 and - (not at either end), got ${JSON.stringify(flags.site)}`,
    );
  }
  const merged: Record<string, string | undefined> = {
    ...env,
    [LAMBDA_ENV.site]: flags.site,
    [LAMBDA_ENV.collectionId]: env[LAMBDA_ENV.collectionId] || `facegate-${flags.site}`,
  };
  for (const [, variable, key] of TARGET_FLAGS) {
    const value = flags[key];
    if (value !== undefined) merged[variable] = value;
  }
  try {
    return readRecognizeConfig(merged);
  } catch (err) {
    if (err instanceof ConfigError) {
      const flag = TARGET_FLAGS.find(([, variable]) => err.message.startsWith(variable));
      throw new ConfigError(flag ? `${err.message} (or pass ${flag[0].split(' ')[0]})` : err.message, { cause: err });
    }
    throw err;
  }
}
