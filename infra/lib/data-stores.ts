/**
 * Where FaceGate keeps data on AWS, all under one customer-managed KMS key (rotated yearly):
 * the photos/snapshots bucket, the five DynamoDB tables described in
 * cloud/src/adapters/aws/dynamo-schema.ts (the same description the adapter's tests create on
 * dynalite), and the site's Rekognition collection. Everything is retained when the stack is
 * deleted: it holds people's biometric data and the audit log, which an operator erases
 * deliberately, not as a side effect of a teardown.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rekognition from 'aws-cdk-lib/aws-rekognition';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  TABLE_ROLES,
  TABLES,
  type TableDescription,
  type TableRole,
} from '../../cloud/src/adapters/aws/dynamo-schema.js';

export interface DataStoresProps {
  site: string;
  /** Door snapshots are deleted after this many days (the events that point to them expire too). */
  retentionDays: number;
}

export class DataStores extends Construct {
  readonly key: kms.Key;
  readonly bucket: s3.Bucket;
  readonly tables: Record<TableRole, dynamodb.TableV2>;
  readonly collection: rekognition.CfnCollection;
  readonly collectionId: string;

  constructor(scope: Construct, id: string, props: DataStoresProps) {
    super(scope, id);

    this.key = new kms.Key(this, 'DataKey', {
      description: `FaceGate ${props.site}: photos, snapshots, people, doors and the audit log`,
      alias: `alias/facegate-${props.site}-data`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // S3 server access logs cannot be delivered to a KMS-encrypted bucket: this one uses SSE-S3.
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(props.retentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging it into itself would loop.',
    });

    this.bucket = new s3.Bucket(this, 'Images', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED, // no ACLs at all
      // No versioning: erasing a person deletes their photos for real, not into old versions.
      versioned: false,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'images/',
      lifecycleRules: [
        { id: 'expire-snapshots', prefix: 'snapshots/', expiration: Duration.days(props.retentionDays) },
        { id: 'abort-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.tables = Object.fromEntries(TABLE_ROLES.map((role) => [role, this.table(role, TABLES[role])])) as Record<
      TableRole,
      dynamodb.TableV2
    >;

    this.collectionId = `facegate-${props.site}`;
    this.collection = new rekognition.CfnCollection(this, 'FaceCollection', { collectionId: this.collectionId });
    this.collection.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }

  private table(role: TableRole, description: TableDescription): dynamodb.TableV2 {
    const attribute = (key: { name: string; type: 'S' | 'N' }): dynamodb.Attribute => ({
      name: key.name,
      type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
    });
    return new dynamodb.TableV2(this, `${role[0]!.toUpperCase()}${role.slice(1)}Table`, {
      partitionKey: attribute(description.partitionKey),
      ...(description.sortKey ? { sortKey: attribute(description.sortKey) } : {}),
      globalSecondaryIndexes: description.indexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
      })),
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(this.key),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(description.ttlAttribute ? { timeToLiveAttribute: description.ttlAttribute } : {}),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** The collection's ARN, for IAM statements scoped to it. */
  get collectionArn(): string {
    return this.collection.attrArn;
  }
}
