/**
 * `facegate serve-aws`: composition root of the admin site on the AWS stack's EC2 host. The same
 * application services and admin site as local mode, over the AWS adapters (DynamoDB, S3 + KMS,
 * Rekognition, IoT Core); door state written by the telemetry Lambda is polled into the live feed.
 * Configuration comes from the environment the CDK stack writes (see infra/README.md).
 */
import { secureDataDir } from '../data-dir.js';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../lib/logger.js';
import { dataDir as readDataDir, envOptional, envPort, envString } from '../../lib/env.js';
import { ConfigError } from '../../lib/errors.js';
import { systemClock } from '../../cloud/src/ports/clock.js';
import { readAdminHostConfig } from '../../cloud/src/lambda/env.js';
import { openAwsBackend } from '../../cloud/src/lambda/aws-backend.js';
import { createDoorChangeFeed } from '../../cloud/src/app/door-change-feed.js';
import { createServices } from '../../cloud/src/app/create-services.js';
import { buildAdminApp } from '../../admin-web/src/app.js';
import { SqliteAdminUserStore, ensureFirstAdmin } from '../../admin-web/src/users/index.js';
import { DATA_FILES } from '../local-backend.js';
import { OneTimePasswordFiles } from '../../admin-web/src/users/one-time-password-file.js';
import { handOverFirstAdminPassword } from '../first-admin-password.js';

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
  const dataDir = readDataDir();
  secureDataDir(dataDir, logger);

  const backend = await openAwsBackend(config, logger);
  const users = SqliteAdminUserStore.open(path.join(dataDir, DATA_FILES.admin)); // admin accounts stay on the host
  const cleanup = async () => {
    await users.close();
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
      oneTimePasswordFiles: new OneTimePasswordFiles(dataDir),
    });
    await app.listen({ host, port });
    // Only once the site is up: a start that fails must not use up the one-time password.
    const firstPassword = await ensureFirstAdmin(users);
    if (firstPassword) {
      // A service's stdout is its journal: there the password goes to a 0600 file and only its path is printed.
      console.log(handOverFirstAdminPassword(firstPassword, { dataDir, logger }).lines.join('\n'));
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
