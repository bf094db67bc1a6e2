/**
 * The CDK stack, synthesised offline once (Lambda bundling skipped; test/aws/cdk-bundling.test.ts
 * bundles for real): least-privilege IoT policy and IAM, encryption, rules, the admin host, and
 * cdk-nag's AWS Solutions checks with no unacknowledged finding.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../cloud/src/adapters/aws/dynamo-schema.js';
import { LAMBDA_ENV } from '../../cloud/src/lambda/env.js';
import { SEARCH_BUDGET_ENV } from '../../cloud/src/lambda/search-budget-env.js';
import { ruleSql } from '../../infra/lib/door-iot.js';
import { readSettings } from '../../infra/lib/settings.js';
import { buildStack, TEST_ACCOUNT, TEST_AMI, TEST_REGION } from './cdk-app.js';

type Resources = Record<string, { Type: string; Properties: any }>;

let built: ReturnType<typeof buildStack>;
let template: Template;
let resources: Resources;

beforeAll(() => {
  built = buildStack();
  template = Template.fromStack(built.stack);
  resources = template.toJSON().Resources as Resources;
});
afterAll(() => built?.cleanup());

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  built.stack.getLogicalId(construct.node.defaultChild as Parameters<Stack['getLogicalId']>[0]);

/** Every statement of the IAM policies attached to a role. */
function statementsOfRole(roleLogicalId: string): any[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as any[]).some((r) => r.Ref === roleLogicalId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}
const actionsOf = (s: any): string[] => [s.Action].flat();
const resourcesOf = (s: any): unknown[] => [s.Resource].flat();

describe('IoT', () => {
  it('door policy is exactly the local broker ACL: own client id, own publish topics, own commands', () => {
    const arn = (r: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iot:${TEST_REGION}:${TEST_ACCOUNT}:${r}`]],
    });
    const thing = '${iot:Connection.Thing.ThingName}';
    const door = '${iot:Connection.Thing.Attributes[doorId]}';
    const ownSite = { StringLike: { 'iot:Connection.Thing.ThingName': 'facegate_main_*' } };
    template.resourceCountIs('AWS::IoT::Policy', 1);
    template.hasResourceProperties('AWS::IoT::Policy', {
      PolicyName: 'facegate-main-door',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ConnectAsOwnThing',
            Effect: 'Allow',
            Action: 'iot:Connect',
            Resource: arn(`client/${thing}`),
            Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' }, ...ownSite },
          },
          {
            Sid: 'PublishOwnTopics',
            Effect: 'Allow',
            Action: 'iot:Publish',
            Resource: ['frames', 'events', 'status'].map((c) => arn(`topic/facegate/main/doors/${door}/${c}`)),
            Condition: ownSite,
          },
          {
            Sid: 'RetainOwnStatus',
            Effect: 'Allow',
            Action: 'iot:RetainPublish',
            Resource: arn(`topic/facegate/main/doors/${door}/status`),
            Condition: ownSite,
          },
          {
            Sid: 'SubscribeOwnCommands',
            Effect: 'Allow',
            Action: 'iot:Subscribe',
            Resource: arn(`topicfilter/facegate/main/doors/${door}/commands`),
            Condition: ownSite,
          },
          {
            Sid: 'ReceiveOwnCommands',
            Effect: 'Allow',
            Action: 'iot:Receive',
            Resource: arn(`topic/facegate/main/doors/${door}/commands`),
            Condition: ownSite,
          },
        ],
      },
    });
  });

  it('topic rules select the door id from the topic and invoke the right Lambda', () => {
    const recognize = logicalId(built.stack.lambdas.recognizeFrame);
    const telemetry = logicalId(built.stack.lambdas.doorTelemetry);
    const RULE_SQL = ruleSql(built.settings.site);
    expect(RULE_SQL.frames).toBe(
      `SELECT *, topic(4) AS topicDoorId FROM 'facegate/${built.settings.site}/doors/+/frames' WHERE isUndefined(topicDoorId) AND isUndefined(topicChannel)`,
    );
    const rules = ofType('AWS::IoT::TopicRule').map(([, r]) => r.Properties);
    expect(rules.map((r) => r.TopicRulePayload.Sql).sort()).toEqual(Object.values(RULE_SQL).sort());
    for (const rule of rules) {
      const target = rule.TopicRulePayload.Sql === RULE_SQL.frames ? recognize : telemetry;
      expect(rule.TopicRulePayload.Actions).toEqual([{ Lambda: { FunctionArn: { 'Fn::GetAtt': [target, 'Arn'] } } }]);
      expect(rule.TopicRulePayload.ErrorAction.CloudwatchLogs).toBeDefined();
      expect(rule.TopicRulePayload.AwsIotSqlVersion).toBe('2016-03-23');
    }
    // Each rule may invoke its Lambda, and only from this account.
    const permissions = ofType('AWS::Lambda::Permission')
      .map(([, p]) => p.Properties)
      .filter((p) => p.Principal !== 'events.amazonaws.com'); // the sweeper's schedule, checked below
    expect(permissions).toHaveLength(4);
    for (const p of permissions) {
      expect(p).toMatchObject({
        Principal: 'iot.amazonaws.com',
        SourceAccount: TEST_ACCOUNT,
        SourceArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
      });
    }
  });
});

describe('data at rest', () => {
  it('the KMS key rotates and is retained', () => {
    template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
  });

  it('the images bucket uses SSE-KMS with that key, blocks public access, enforces TLS, has no versions or ACLs', () => {
    const keyId = logicalId(built.stack.data.key);
    const bucketId = logicalId(built.stack.data.bucket);
    const bucket = resources[bucketId]!.Properties;
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      },
    ]);
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.VersioningConfiguration).toBeUndefined();
    expect(bucket.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ Prefix: 'snapshots/', ExpirationInDays: 365, Status: 'Enabled' }),
    );
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Principal: { AWS: '*' },
          }),
        ]),
      },
    });
  });

  it('the tables match the adapter schema, with the customer key, PITR, TTL on events, deletion protection', () => {
    const keyId = logicalId(built.stack.data.key);
    for (const [role, description] of Object.entries(TABLES)) {
      const table = resources[logicalId(built.stack.data.tables[role as keyof typeof TABLES])]!.Properties;
      expect(table.KeySchema).toEqual([
        { AttributeName: description.partitionKey.name, KeyType: 'HASH' },
        ...(description.sortKey ? [{ AttributeName: description.sortKey.name, KeyType: 'RANGE' }] : []),
      ]);
      expect((table.GlobalSecondaryIndexes ?? []).map((i: any) => i.IndexName)).toEqual(
        description.indexes.map((i) => i.indexName),
      );
      expect(table.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      const replica = table.Replicas[0];
      expect(replica.SSESpecification.KMSMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      expect(replica.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(replica.DeletionProtectionEnabled).toBe(true);
      expect(table.TimeToLiveSpecification).toEqual(
        description.ttlAttribute ? { AttributeName: description.ttlAttribute, Enabled: true } : undefined,
      );
    }
  });

  it('creates the site Rekognition collection', () => {
    template.hasResourceProperties('AWS::Rekognition::Collection', { CollectionId: 'facegate-main' });
  });
});

describe('Lambdas', () => {
  it('run on arm64 with the current Node runtime, never retry a frame, and get their configuration by name', () => {
    const recognize = resources[logicalId(built.stack.lambdas.recognizeFrame)]!.Properties;
    expect(recognize).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
    expect(Object.keys(recognize.Environment.Variables).sort()).toEqual(
      [
        LAMBDA_ENV.site,
        LAMBDA_ENV.tablePeople,
        LAMBDA_ENV.tableFaces,
        LAMBDA_ENV.tableDoors,
        LAMBDA_ENV.tableEvents,
        LAMBDA_ENV.tableVisits,
        LAMBDA_ENV.eventRetentionDays,
        LAMBDA_ENV.bucket,
        LAMBDA_ENV.kmsKeyId,
        LAMBDA_ENV.collectionId,
        LAMBDA_ENV.matchThreshold,
        SEARCH_BUDGET_ENV.table,
        SEARCH_BUDGET_ENV.burst,
        SEARCH_BUDGET_ENV.perSecond,
        'NODE_OPTIONS',
      ].sort(),
    );
    expect(recognize.Environment.Variables[LAMBDA_ENV.matchThreshold]).toBe('0.99');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(built.stack.lambdas.recognizeFrame) },
      MaximumRetryAttempts: 0,
    });
  });

  it('recognize-frame may search only the site collection, publish only to commands topics, and touch only what it writes', () => {
    const role = built.stack.lambdas.recognizeFrame.role as iam.Role;
    const statements = statementsOfRole(logicalId(role));
    const byAction = (action: string) => statements.filter((s) => actionsOf(s).includes(action));

    expect(byAction('rekognition:SearchFacesByImage').flatMap(resourcesOf)).toEqual([
      { 'Fn::GetAtt': [built.stack.getLogicalId(built.stack.data.collection), 'Arn'] },
    ]);
    expect(byAction('iot:Publish').flatMap(resourcesOf)).toEqual([
      {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            `:iot:${TEST_REGION}:${TEST_ACCOUNT}:topic/facegate/main/doors/*/commands`,
          ],
        ],
      },
    ]);
    expect(byAction('s3:PutObject').flatMap(resourcesOf)).toEqual([
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(built.stack.data.bucket), 'Arn'] }, '/snapshots/*']] },
    ]);
    expect(byAction('s3:DeleteObject').flatMap(resourcesOf)).toEqual([
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(built.stack.data.bucket), 'Arn'] }, '/snapshots/*']] },
    ]);
    expect(byAction('dynamodb:PutItem').flatMap(resourcesOf)).toEqual([
      { 'Fn::GetAtt': [logicalId(built.stack.data.tables.events), 'Arn'] },
    ]);
    // UpdateItem only on the visits and the search budgets (the cost guard's token buckets).
    expect(byAction('dynamodb:UpdateItem').flatMap(resourcesOf)).toEqual([
      { 'Fn::GetAtt': [logicalId(built.stack.data.tables.visits), 'Arn'] },
      { 'Fn::GetAtt': [logicalId(built.stack.data.tables.budgets), 'Arn'] },
    ]);
    expect(
      statements
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('dynamodb:'))
        .sort(),
    ).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:UpdateItem',
    ]);
    // KMS only through DynamoDB and S3.
    const kms = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(kms).toHaveLength(1);
    expect(kms[0].Condition.StringEquals['kms:ViaService']).toEqual([
      `dynamodb.${TEST_REGION}.amazonaws.com`,
      `s3.${TEST_REGION}.amazonaws.com`,
    ]);
    // The only unscoped statement is iot:DescribeEndpoint (it has no resource type).
    expect(statements.filter((s) => resourcesOf(s).includes('*')).map(actionsOf)).toEqual([['iot:DescribeEndpoint']]);
    expect(statements.flatMap(actionsOf).some((a) => a.endsWith(':*') || a === '*')).toBe(false);
  });

  it('sweep-visits runs every minute and may only close visits: query open visits, read doors and people, append events, publish commands', () => {
    const fn = built.stack.lambdas.sweepVisits;
    const rule = resources[logicalId(built.stack.lambdas.sweepSchedule)]!.Properties;
    expect(rule.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [logicalId(fn), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0 },
      }),
    ]);
    expect(resources[logicalId(fn)]!.Properties.Environment.Variables[LAMBDA_ENV.tableVisits]).toEqual({
      Ref: logicalId(built.stack.data.tables.visits),
    });
    const statements = statementsOfRole(logicalId(fn.role as iam.Role));
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    const table = (t: object) => ({ 'Fn::GetAtt': [logicalId(t as never), 'Arn'] });
    const visits = built.stack.data.tables.visits;
    expect(dynamo.map((s) => [actionsOf(s).sort(), resourcesOf(s)])).toEqual([
      [
        ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        [table(visits), { 'Fn::Join': ['', [table(visits), '/index/*']] }],
      ],
      [['dynamodb:GetItem'], [table(built.stack.data.tables.doors)]],
      [['dynamodb:GetItem'], [table(built.stack.data.tables.people)]],
      [['dynamodb:PutItem'], [table(built.stack.data.tables.events)]],
    ]);
    expect(statements.flatMap(actionsOf).some((a) => a.startsWith('rekognition:') || a === 's3:PutObject')).toBe(false);
    expect(statements.filter((s) => resourcesOf(s).includes('*')).map(actionsOf)).toEqual([['iot:DescribeEndpoint']]);
  });

  it('door-telemetry may only read and update doors and append events', () => {
    const statements = statementsOfRole(logicalId(built.stack.lambdas.doorTelemetry.role as iam.Role));
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.map((s) => [actionsOf(s).sort(), resourcesOf(s)])).toEqual([
      [
        ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        [{ 'Fn::GetAtt': [logicalId(built.stack.data.tables.doors), 'Arn'] }],
      ],
      [['dynamodb:PutItem'], [{ 'Fn::GetAtt': [logicalId(built.stack.data.tables.events), 'Arn'] }]],
    ]);
    expect(statements.some((s) => resourcesOf(s).includes('*'))).toBe(false);
    expect(
      statements
        .flatMap(actionsOf)
        .some((a) => a.startsWith('s3:') || a.startsWith('rekognition:') || a.startsWith('iot:')),
    ).toBe(false);
  });

  it('with the IoT endpoint given, no statement is left unscoped', () => {
    const other = buildStack({ iotDataEndpoint: 'abc123-ats.iot.eu-west-1.amazonaws.com', site: 'lab' });
    try {
      const t = Template.fromStack(other.stack).toJSON().Resources as Resources;
      const role = other.stack.getLogicalId(
        (other.stack.lambdas.recognizeFrame.role as iam.Role).node.defaultChild as never,
      );
      const statements = Object.values(t)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as any[]).some((x) => x.Ref === role))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
      expect(statements.some((s) => resourcesOf(s).includes('*'))).toBe(false);
      const fn = t[other.stack.getLogicalId(other.stack.lambdas.recognizeFrame.node.defaultChild as never)]!.Properties;
      expect(fn.Environment.Variables[LAMBDA_ENV.iotDataEndpoint]).toBe('abc123-ats.iot.eu-west-1.amazonaws.com');
    } finally {
      other.cleanup();
    }
  });
});

describe('admin host', () => {
  it('is a t4g.small on Amazon Linux 2023 arm64, IMDSv2 only, encrypted disk, no key pair', () => {
    const [, instance] = ofType('AWS::EC2::Instance')[0]!;
    expect(instance.Properties.InstanceType).toBe('t4g.small');
    expect(instance.Properties.KeyName).toBeUndefined();
    expect(instance.Properties.BlockDeviceMappings).toEqual([
      { DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 20, VolumeType: 'gp3' } },
    ]);
    // The AL2023 arm64 AMI from the cached lookup (a literal id): a newer AMI never replaces the host by surprise.
    expect(instance.Properties.ImageId).toBe(TEST_AMI);
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required' } },
    });
  });

  it('opens nothing by default (SSM port forwarding), and only 443 from the configured network', () => {
    const ingress = ofType('AWS::EC2::SecurityGroup').flatMap(([, sg]) => sg.Properties.SecurityGroupIngress ?? []);
    expect(ingress).toEqual([]);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(JSON.stringify(outputs.AdminTunnel?.Value)).toContain('AWS-StartPortForwardingSession');
    expect(ofType('AWS::EC2::SecurityGroupIngress')).toEqual([]);

    const narrow = buildStack({ adminCidr: '203.0.113.0/24', site: 'office' });
    try {
      const t = Template.fromStack(narrow.stack).toJSON().Resources as Resources;
      const rules = Object.values(t)
        .filter((r) => r.Type === 'AWS::EC2::SecurityGroup')
        .flatMap((sg) => sg.Properties.SecurityGroupIngress ?? []);
      expect(rules).toEqual([expect.objectContaining({ CidrIp: '203.0.113.0/24', FromPort: 443, ToPort: 443 })]);
      expect(new AwsSolutionsChecks().validateScope(narrow.stack).violations).toEqual([]);
    } finally {
      narrow.cleanup();
    }
  });

  it('first boot installs Node 20, the update script and the systemd unit; the user data holds nothing that changes per deploy', () => {
    const [, instance] = ofType('AWS::EC2::Instance')[0]!;
    const script = JSON.stringify(instance.Properties.UserData);
    for (const expected of [
      'dnf install -y nodejs20 unzip openssl',
      'unzip -q \\"$WORK/code.zip\\" -d \\"$RELEASE.partial\\"',
      // The release is the built admin site (scripts/build-admin-site.mjs): Node runs its bundle.
      'ExecStart=/usr/bin/node-20 server/admin-site.mjs',
      'AmbientCapabilities=CAP_NET_BIND_SERVICE',
      'User=facegate',
      'systemctl restart facegate-admin.service',
      '--name /facegate/main/admin/code',
      '--name /facegate/main/admin/env',
    ]) {
      expect(script, expected).toContain(expected);
    }
    // No asset hash, bucket key or table name: a deploy must not replace the host.
    expect(script).not.toMatch(/"Ref"|Fn::GetAtt|Fn::Join|[0-9a-f]{64}/);
    // Nothing from a package registry and no compiler on the host.
    expect(script).not.toMatch(/\bnpm|npx|nodejs20-npm|gcc|g\+\+|\bmake\b|python3/);
  });

  it('each deploy rolls out through SSM: code location and environment parameters, and an association running the update', () => {
    const parameters = Object.fromEntries(
      ofType('AWS::SSM::Parameter').map(([, p]) => [p.Properties.Name, p.Properties.Value]),
    );
    expect(JSON.stringify(parameters['/facegate/main/admin/code'])).toMatch(
      /s3:\/\/cdk-hnb659fds-assets-111111111111-eu-west-1\/[0-9a-f]{64}\.zip/,
    );
    const env = JSON.stringify(parameters['/facegate/main/admin/env']);
    for (const line of [
      'FACEGATE_BACKEND=aws',
      'FACEGATE_IOT_POLICY_NAME=facegate-main-door',
      'FACEGATE_COLLECTION_ID=facegate-main',
      'FACEGATE_HTTP_PORT=443',
      // Accounts in the stack's table and the first password in SSM: the instance holds no state.
      'FACEGATE_TABLE_ADMINS=',
      'FACEGATE_ONE_TIME_PASSWORD_PREFIX=/facegate/main/admin/one-time-password/',
      // Validity dates are days in the site's zone; UTC unless -c timeZone=… says otherwise.
      'FACEGATE_TIME_ZONE=UTC',
    ]) {
      expect(env, line).toContain(line);
    }
    const [, association] = ofType('AWS::SSM::Association')[0]!;
    expect(association.Properties.Name).toBe('AWS-RunShellScript');
    expect(association.Properties.Parameters.commands[0]).toMatch(
      /^\/opt\/facegate\/bin\/update\.sh # release [0-9a-f]{64}, settings [0-9a-f]{12}$/,
    );
    expect(association.Properties.Targets).toEqual([
      { Key: 'InstanceIds', Values: [{ Ref: logicalId(built.stack.adminHost.instance) }] },
    ]);
  });

  it('the host role may provision doors and manage data, scoped to this site', () => {
    const statements = statementsOfRole(logicalId(built.stack.adminHost.instance.role));
    const scopes = (action: string) => statements.filter((s) => actionsOf(s).includes(action)).flatMap(resourcesOf);
    const iotArn = (resource: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iot:${TEST_REGION}:${TEST_ACCOUNT}:${resource}`]],
    });
    // The door policy goes on this site's thing group only; things only under this site's prefix.
    expect(scopes('iot:AttachPolicy')).toEqual([
      iotArn('thinggroup/facegate-main-doors'),
      iotArn('policy/facegate-main-door'),
    ]);
    expect(scopes('iot:CreateThing')).toEqual([iotArn('thing/facegate_main_*')]);
    expect(scopes('iot:AttachThingPrincipal')).toEqual([iotArn('thing/facegate_main_*')]);
    expect(scopes('iot:DetachPolicy')).toEqual([]);
    const ssmArn = (name: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/${name}`]],
    });
    // Its own one-time passwords (put, delete) and a certificate the operator left (read only).
    expect(scopes('ssm:PutParameter')).toEqual([ssmArn('facegate/main/admin/one-time-password/*')]);
    expect(scopes('ssm:DeleteParameter')).toEqual([ssmArn('facegate/main/admin/one-time-password/*')]);
    expect(scopes('ssm:GetParameter')).toEqual(
      expect.arrayContaining([ssmArn('facegate/main/admin/tls/cert'), ssmArn('facegate/main/admin/tls/key')]),
    );
    expect(scopes('rekognition:IndexFaces')).toEqual([
      { 'Fn::GetAtt': [built.stack.getLogicalId(built.stack.data.collection), 'Arn'] },
    ]);
    expect(
      statements
        .filter((s) => resourcesOf(s).includes('*'))
        .flatMap(actionsOf)
        .sort(),
    ).toEqual(['iot:CreateKeysAndCertificate', 'iot:DescribeEndpoint', 'rekognition:DetectFaces']);
  });
});

describe('cdk-nag AWS Solutions', () => {
  it('has no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks().validateScope(built.stack);
    expect(
      report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('still catches a new wildcard (acknowledgements are per finding, not blanket)', () => {
    const extra = buildStack({ site: 'nagcheck' });
    try {
      extra.stack.lambdas.doorTelemetry.role!.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::other-bucket/*'] }),
      );
      const report = new AwsSolutionsChecks().validateScope(extra.stack);
      expect(report.violations.map((v) => v.ruleName)).toEqual([
        'AwsSolutions-IAM5[Resource::arn:aws:s3:::other-bucket/*]',
      ]);
    } finally {
      extra.cleanup();
    }
  });
});

describe('deployment settings', () => {
  it('validates context values with the setting name', () => {
    expect(readSettings(() => undefined).adminCidr).toBeUndefined();
    expect(readSettings(() => undefined)).toMatchObject({
      site: 'main',
      eventRetentionDays: 365,
      matchThreshold: 0.99,
    });
    expect(readSettings((k) => ({ eventRetentionDays: '30', matchThreshold: '0.995' })[k])).toMatchObject({
      eventRetentionDays: 30,
      matchThreshold: 0.995,
    });
    expect(() => readSettings((k) => (k === 'site' ? 'Main Site' : undefined))).toThrow(/invalid CDK context site/);
    expect(() => readSettings((k) => (k === 'adminCidr' ? 'everyone' : undefined))).toThrow(
      /invalid CDK context adminCidr/,
    );
    expect(() => readSettings((k) => (k === 'matchThreshold' ? '99' : undefined))).toThrow(
      /invalid CDK context matchThreshold/,
    );
    expect(readSettings(() => undefined).timeZone).toBe('UTC');
    expect(readSettings((k) => (k === 'timeZone' ? 'Europe/Berlin' : undefined)).timeZone).toBe('Europe/Berlin');
    expect(() => readSettings((k) => (k === 'timeZone' ? 'CET+1' : undefined))).toThrow(
      /invalid CDK context timeZone: must be an IANA time zone/,
    );
  });
});
