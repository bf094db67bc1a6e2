/**
 * Which AdminUserStore a process opens: the stack's DynamoDB table on the AWS admin host (its
 * environment names FACEGATE_TABLE_ADMINS), otherwise the SQLite file in the data directory. The
 * server and `facegate admin …` use this one choice, so an operator on the AWS host resets a
 * password in the table the site reads, not in a file the site ignores.
 */
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { envOptional } from '../lib/env.js';
import { ConfigError } from '../lib/errors.js';
import type { AdminUserStore } from '../admin-web/src/users/admin-user-store.js';
import { DynamoAdminUserStore } from '../admin-web/src/users/dynamo-admin-user-store.js';
import { SqliteAdminUserStore } from '../admin-web/src/users/sqlite-admin-user-store.js';
import { ADMIN_HOST_ENV, LAMBDA_ENV } from '../cloud/src/lambda/env.js';
import { DATA_FILES } from './data-files.js';

export function openAdminUsers(dataDir: string, env: Record<string, string | undefined> = process.env): AdminUserStore {
  const tableName = envOptional(ADMIN_HOST_ENV.adminsTable, env);
  if (tableName === undefined) return SqliteAdminUserStore.open(path.join(dataDir, DATA_FILES.admin));
  const region = envOptional(LAMBDA_ENV.region, env);
  if (!region) throw new ConfigError(`${LAMBDA_ENV.region} must be set with ${ADMIN_HOST_ENV.adminsTable}`);
  const client = new DynamoDBClient({ region });
  const store = new DynamoAdminUserStore({ client, tableName });
  return Object.assign(store, {
    async close() {
      client.destroy();
    },
  });
}
