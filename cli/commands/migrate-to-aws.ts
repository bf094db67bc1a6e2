/**
 * `facegate migrate-to-aws --site NAME`: moves a local installation (its data directory) into a
 * deployed stack through the same AWS adapters the Lambdas and the admin host use (DynamoDB
 * records, the S3 image store with SSE-KMS, the Rekognition face index). The target is
 * configured like them (see migrate/target-config.ts); progress and the final summary go to
 * stdout, and nothing printed or logged holds a secret, an image or a face.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListFacesCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../../lib/logger.js';
import { ConfigError } from '../../lib/errors.js';
import { openSqliteRecords } from '../../cloud/src/adapters/local/records/sqlite-records.js';
import { EncryptedFileStore } from '../../cloud/src/adapters/local/file-store/encrypted-file-store.js';
import { loadOrCreateDataKey } from '../../cloud/src/adapters/local/data-key.js';
import { callAws, isAwsError } from '../../cloud/src/adapters/aws/aws-errors.js';
import { s3ClientConfig } from '../../cloud/src/adapters/aws/s3-image-store.js';
import { createFaceIndex, createImageStore, createRecords } from '../../cloud/src/lambda/aws-clients.js';
import { DATA_FILES } from '../local-backend.js';
import { migrateToAws, type CollectionFace, type MigrationReport } from '../migrate/migrate-to-aws.js';
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

  const source = {
    records: openSqliteRecords(dbFile),
    images: new EncryptedFileStore(path.join(dataDir, DATA_FILES.images), loadOrCreateDataKey(dataDir)),
  };
  const dynamo = new DynamoDBClient({ region: config.region });
  const s3 = new S3Client({ region: config.region, ...s3ClientConfig });
  const rekognition = new RekognitionClient({ region: config.region });
  const target = {
    records: createRecords(config, logger, dynamo),
    // SSE-KMS under the stack's key on every object, as the admin host writes them.
    images: createImageStore(config, s3),
    faceIndex: createFaceIndex(config, logger, rekognition),
    listCollectionFaces: () => listCollectionFaces(rekognition, config.collectionId),
  };
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
    for (const client of [dynamo, s3, rekognition]) client.destroy();
  }
}

async function listCollectionFaces(client: RekognitionClient, collectionId: string): Promise<CollectionFace[]> {
  const faces: CollectionFace[] = [];
  let token: string | undefined;
  do {
    const res = await callAws('rekognition', 'ListFaces', async () => {
      try {
        return await client.send(
          new ListFacesCommand({ CollectionId: collectionId, MaxResults: 4096, NextToken: token }),
        );
      } catch (err) {
        if (isAwsError(err, 'ResourceNotFoundException')) {
          throw new ConfigError(
            `the face collection ${collectionId} does not exist in this region (see --collection-id)`,
            {
              cause: err,
            },
          );
        }
        throw err;
      }
    });
    for (const face of res.Faces ?? []) {
      if (face.FaceId) faces.push({ faceId: face.FaceId, personId: face.ExternalImageId ?? null });
    }
    token = res.NextToken;
  } while (token);
  return faces;
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
  if (report.strayFacesDeleted > 0) {
    console.log(`Removed ${report.strayFacesDeleted} face(s) an interrupted run had indexed without recording them.`);
  }
  for (const p of report.missingPhotos) {
    console.log(`Photo ${p.photoKey} of person ${p.personId} is missing from the local image store: not moved.`);
  }
  if (report.refusedPhotos.length > 0) {
    console.log(
      `Rekognition refused ${report.refusedPhotos.length} photo(s); enrol these people again on the AWS admin site with new photos:`,
    );
    for (const p of report.refusedPhotos) console.log(`  - person ${p.personId}, ${p.photoKey}: ${p.reason}`);
  }
  console.log(`Done: the local installation is in site ${site}.`);
  if (report.doors.length === 0) return;
  console.log(
    [
      '',
      `Door certificates do not move: each door must be provisioned again against IoT Core for site ${site}.`,
      'For each door below: on the door, make a new key and request with "facegate door-key DOOR_ID";',
      'on the AWS admin site, Doors → Add a door with the same id (it keeps the migrated record and issues',
      'a certificate from IoT Core), giving it door.csr; then put the new bundle on the door and restart',
      'its agent. Until then the door cannot connect and stays locked.',
      ...report.doors.map((d) => `  - ${d.doorId}${d.name !== d.doorId ? ` (${d.name})` : ''}`),
    ].join('\n'),
  );
}
