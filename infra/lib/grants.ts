/**
 * Least-privilege IAM statements shared by the Lambdas and the admin host: exact DynamoDB
 * actions per table, S3 actions per key prefix, and KMS use only through the services that
 * encrypt with the key (kms:ViaService), never directly.
 */
import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { siteDoorsPrefix } from '../../protocol/index.js';

export function allowTableActions(
  role: iam.IGrantable,
  table: dynamodb.TableV2,
  actions: string[],
  withIndexes = false,
): void {
  role.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: actions.map((a) => `dynamodb:${a}`),
      resources: withIndexes ? [table.tableArn, `${table.tableArn}/index/*`] : [table.tableArn],
    }),
  );
}

export function allowObjectActions(
  role: iam.IGrantable,
  bucket: s3.IBucket,
  actions: string[],
  keyPattern: string,
): void {
  role.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: actions.map((a) => `s3:${a}`), resources: [bucket.arnForObjects(keyPattern)] }),
  );
}

/** Encrypt/decrypt with the data key, only as DynamoDB or S3 does it on the caller's behalf. */
export function allowKeyViaServices(
  role: iam.IGrantable,
  key: kms.IKey,
  services: ('dynamodb' | 's3' | 'ssm')[],
): void {
  const region = Stack.of(key).region;
  role.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': services.map((s) => `${s}.${region}.amazonaws.com`) } },
    }),
  );
}

/** ARN pattern of the commands topic of every door of the site: the back end may publish there and nowhere else. */
export function doorCommandsTopicArn(scope: Stack, site: string): string {
  return scope.formatArn({ service: 'iot', resource: 'topic', resourceName: `${siteDoorsPrefix(site)}/*/commands` });
}

/**
 * Acknowledges cdk-nag's wildcard findings (AwsSolutions-IAM5) one by one, with the reason they
 * are needed. Each finding is named exactly, so any new wildcard still fails the synth.
 */
export function acknowledgeWildcards(scope: IConstruct, findings: string[], reason: string): void {
  for (const finding of findings) Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
}

/** How cdk-nag names a resource `<logicalId.Arn>` + suffix in a finding. */
export function nagArnFinding(resource: IConstruct, suffix: string): string {
  const element = (resource.node.defaultChild ?? resource) as CfnElement;
  return `Resource::<${Stack.of(resource).getLogicalId(element)}.Arn>${suffix}`;
}

/** The finding for doorCommandsTopicArn. */
export function commandsTopicFinding(stack: Stack, site: string): string {
  return `Resource::arn:<AWS::Partition>:iot:${stack.region}:${stack.account}:topic/${siteDoorsPrefix(site)}/*/commands`;
}
