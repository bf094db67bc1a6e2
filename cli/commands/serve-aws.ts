/**
 * `facegate serve-aws`: composition root of the admin site on the AWS stack's EC2 host. The same
 * application services and admin site as local mode, over the AWS adapters (DynamoDB, S3 + KMS,
 * Rekognition, IoT Core); door state written by the telemetry Lambda is polled into the live feed.
 * Configuration comes from the environment the CDK stack writes (see infra/README.md).
 */
import { secureDataDir } from '../data-dir.js';
import fs from 'node:fs';
import type { Logger } from '../../lib/logger.js';
import { dataDir as readDataDir, envOptional, envPort, envString } from '../../lib/env.js';
import { ConfigError } from '../../lib/errors.js';
import { systemClock } from '../../cloud/src/ports/clock.js';
import { ADMIN_HOST_ENV, readAdminHostConfig } from '../../cloud/src/lambda/env.js';
import { serverTimeZone, validTimeZone } from '../../admin-web/src/site-time.js';
import { openAwsBackend } from '../../cloud/src/lambda/aws-backend.js';
import { createDoorChangeFeed } from '../../cloud/src/app/door-change-feed.js';
import { createServices } from '../../cloud/src/app/create-services.js';
import { buildAdminApp } from '../../admin-web/src/app.js';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ensureFirstAdmin, FIRST_ADMIN_USERNAME } from '../../admin-web/src/users/first-admin.js';
import { SsmOneTimePassword } from '../../admin-web/src/users/ssm-one-time-password.js';
import { openAdminUsers } from '../admin-users.js';

function readTls(): { key: Buffer; cert: Buffer } | undefined {
  const certFile = envOptional('FACEGATE_TLS_CERT');
  const keyFile = envOptional('FACEGATE_TLS_KEY');
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new ConfigError('set both FACEGATE_TLS_CERT and FACEGATE_TLS_KEY, or neither');
  try {
    return { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
  } catch (cause) {
    throw new ConfigError('cannot read the admin site TLS certificate or key', { cause });
  }
}

export async function serveAws(logger: Logger): Promise<{ port: number; stop(): Promise<void> }> {
  const config = readAdminHostConfig();
  const tls = readTls();
  const host = envString('FACEGATE_HOST', '0.0.0.0');
  const port = envPort('FACEGATE_HTTP_PORT', tls ? 443 : 8080);
  const timeZone = validTimeZone(envString(ADMIN_HOST_ENV.timeZone, serverTimeZone()));
  const dataDir = readDataDir();
  secureDataDir(dataDir, logger);

  const backend = await openAwsBackend(config, logger);
  // Accounts and sessions in the stack's table, the first password in SSM: the instance holds no
  // state, so replacing it loses nothing and signs no one out.
  const users = openAdminUsers(dataDir);
  const ssm = new SSMClient({ region: config.region });
  const oneTimePasswords = new SsmOneTimePassword({
    client: ssm,
    prefix: config.oneTimePasswordPrefix,
    kmsKeyId: config.kmsKeyId,
  });
  const cleanup = async () => {
    await users.close();
    ssm.destroy();
    await backend.close();
  };
  try {
    const doorFeed = createDoorChangeFeed(logger);
    const services = createServices({
      records: backend.records,
      faceIndex: backend.faceIndex,
      images: backend.images,
      messaging: backend.messaging,
      provisioner: backend.provisioner,
      clock: systemClock,
      logger,
      doorFeed,
    });
    backend.watchDoors((door) => doorFeed.publish(door));
    const app = await buildAdminApp({
      services,
      users,
      logger,
      cookieSecure: tls !== undefined,
      ...(tls && { https: tls }),
      oneTimePasswords,
      timeZone,
    });
    await app.listen({ host, port });
    // Only once the site is up: a start that fails must not use up the one-time password.
    const firstPassword = await ensureFirstAdmin(users);
    if (firstPassword) {
      // A service's stdout is its journal: the password goes to SSM and only the parameter's name is printed.
      const parameter = await oneTimePasswords.put(FIRST_ADMIN_USERNAME, firstPassword);
      logger.warn({ parameter }, 'one-time password of the first admin left in SSM (deleted at first sign-in)');
      console.log(
        [
          `  First sign-in: user "${FIRST_ADMIN_USERNAME}"; the one-time password is the SecureString`,
          `    aws ssm get-parameter --with-decryption --name ${parameter} --query Parameter.Value --output text`,
          '  (deleted when you first sign in)',
        ].join('\n'),
      );
    }
    const address = app.server.address();
    const boundPort = typeof address === 'object' && address ? address.port : port;
    logger.info(
      { host, port: boundPort, https: tls !== undefined, region: config.region },
      'FaceGate admin site ready (AWS back end)',
    );
    return {
      port: boundPort,
      async stop() {
        await app.close();
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup().catch((e: unknown) => logger.error({ err: e }, 'cleanup after a failed start'));
    throw err;
  }
}
