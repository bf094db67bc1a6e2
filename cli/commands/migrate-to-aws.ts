/**
 * `facegate migrate-to-aws --site NAME`: moves a local installation (its data directory) into a
 * deployed stack through the same AWS adapters the Lambdas and the admin host use. The target is
 * configured like them (see migrate/target-config.ts); progress and the final summary go to
 * stdout, and nothing printed or logged holds a secret, an image or a face.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '../../lib/logger.js';
import { ConfigError } from '../../lib/errors.js';
import { openSqliteRecords } from '../../cloud/src/adapters/local/records/sqlite-records.js';
import { createRecords } from '../../cloud/src/lambda/aws-clients.js';
import { DATA_FILES } from '../local-backend.js';
import { migrateToAws, type MigrationReport } from '../migrate/migrate-to-aws.js';
import { openMigrationJournal } from '../migrate/migration-journal.js';
import { createProgress } from '../migrate/progress.js';
import { readTargetConfig, type TargetFlags } from '../migrate/target-config.js';

export interface MigrateToAwsOptions extends TargetFlags {
  dataDir: string;
  dryRun?: boolean;
  limit?: number;
}

/** Exit code when --limit stopped the run before the end (run again to continue). */
export const EXIT_STOPPED_AT_LIMIT = 3;

export async function migrateToAwsCommand(options: MigrateToAwsOptions, logger: Logger): Promise<number> {
  const config = readTargetConfig(options);
  const dataDir = path.resolve(options.dataDir);
  const dbFile = path.join(dataDir, DATA_FILES.records);
  // Never create an empty installation by mistake: the source must exist.
  if (!fs.existsSync(dbFile))
    throw new ConfigError(`no local installation in ${dataDir} (${DATA_FILES.records} not found)`);

  const source = { records: openSqliteRecords(dbFile) };
  const dynamo = new DynamoDBClient({ region: config.region });
  const target = { records: createRecords(config, logger, dynamo) };
  const journal = openMigrationJournal(dataDir, config.siteId, {
    region: config.region,
    tables: config.tables,
    bucket: config.bucket,
    collectionId: config.collectionId,
  });
  const dryRun = options.dryRun ?? false;
  console.log(
    `${dryRun ? 'Dry run: counting what would move' : 'Moving'} ${dataDir} to site ${config.siteId} ` +
      `(${config.region}; tables ${Object.values(config.tables).join(', ')}; bucket ${config.bucket}; collection ${config.collectionId})`,
  );
  try {
    const report = await migrateToAws({
      source,
      target,
      journal,
      progress: createProgress(process.stdout),
      dryRun,
      ...(options.limit !== undefined && { limit: options.limit }),
    });
    printEnd(report, config.siteId, dryRun, options.limit);
    return report.stoppedAtLimit ? EXIT_STOPPED_AT_LIMIT : 0;
  } finally {
    await source.records.close();
    dynamo.destroy();
  }
}

function printEnd(report: MigrationReport, site: string, dryRun: boolean, limit: number | undefined): void {
  if (report.stoppedAtLimit) {
    console.log(`Stopped after ${limit} writes (--limit). Run the same command again to continue.`);
    return;
  }
  if (dryRun) {
    console.log('Dry run: nothing was written. Run again without --dry-run to move it.');
    return;
  }
  console.log(`Done: the local installation is in site ${site}.`);
  if (report.doors.length === 0) return;
  console.log(
    [
      '',
      `Door certificates do not move: each door must be provisioned again against IoT Core for site ${site}.`,
      'For each door below: on the door, make a new key and request with "facegate door-key DOOR_ID";',
      'on the AWS admin site, Doors → Add door with the same id (it keeps the migrated record and issues',
      'a certificate from IoT Core), giving it door.csr; then put the new bundle on the door and restart',
      'its agent. Until then the door cannot connect and stays locked.',
      ...report.doors.map((d) => `  - ${d.doorId}${d.name !== d.doorId ? ` (${d.name})` : ''}`),
    ].join('\n'),
  );
}
