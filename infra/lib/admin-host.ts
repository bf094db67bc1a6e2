/**
 * The admin site's host: one t4g.small (Amazon Linux 2023, arm64) in its own VPC, reachable only
 * on 443 from `adminCidr`, no SSH (no key pair, no port 22; operators use SSM Session Manager),
 * IMDSv2 only, encrypted root volume. The first boot installs Node 20; each deploy's release is
 * the admin site built at synth (scripts/build-admin-site.mjs: one esbuild bundle, its browser
 * assets and sharp for linux-arm64, an S3 asset), unpacked by an SSM association
 * (admin-host-scripts.ts) and run under systemd as an unprivileged user, with a self-signed
 * certificate until a real one is installed (infra/README.md). The host installs nothing from a
 * package registry and compiles nothing.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { AssetHashType, CfnOutput, DockerImage, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ADMIN_HOST_ENV as ADMIN_ENV, LAMBDA_ENV } from '../../cloud/src/lambda/env.js';
import { RECORDS_TABLE_ROLES } from '../../cloud/src/adapters/aws/dynamo-schema.js';
import type { DataStores } from './data-stores.js';
import {
  acknowledgeWildcards,
  allowKeyViaServices,
  allowObjectActions,
  allowTableActions,
  commandsTopicFinding,
  doorCommandsTopicArn,
  nagArnFinding,
} from './grants.js';
import { doorThingPrefix } from '../../cloud/src/adapters/aws/iot-names.js';
import { bootstrapCommands, UPDATE_SCRIPT } from './admin-host-scripts.js';
import { REPO_ROOT } from './repo-root.js';

/** Builds the artifact the host runs; `node server/admin-site.mjs` in its folder starts the site. */
const BUILD_SCRIPT = path.join(REPO_ROOT, 'scripts/build-admin-site.mjs');

export interface AdminHostProps {
  data: DataStores;
  doorPolicyName: string;
  doorThingGroupName: string;
  /** Absent: no inbound rule at all (SSM port forwarding only). */
  adminCidr: string | undefined;
  matchThreshold: number;
  eventRetentionDays: number;
  iotDataEndpoint: string | undefined;
  startCommand: string;
  logRetentionDays: number;
  site: string;
  /** IANA zone of the site (validity dates, times on the admin site). */
  timeZone: string;
}

export class AdminHost extends Construct {
  readonly instance: ec2.Instance;
  readonly address: ec2.CfnEIP;
  readonly envParameter: ssm.StringParameter;
  readonly rollout: ssm.CfnAssociation;
  readonly serviceLogs: logs.LogGroup;
  /** The release: the built admin site for linux-arm64 (a zip in the bootstrap bucket). */
  readonly code: Asset;

  constructor(scope: Construct, id: string, props: AdminHostProps) {
    super(scope, id);
    const { data } = props;
    const stack = Stack.of(this);

    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention: props.logRetentionDays as logs.RetentionDays });
    // Public subnets only: the host needs a public address for 443 and no NAT gateway (cost).
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });

    const securityGroup = new ec2.SecurityGroup(this, 'HttpsOnly', {
      vpc,
      description: 'FaceGate admin site: HTTPS in from the admin network only; no SSH',
      allowAllOutbound: true, // the AWS APIs (no NAT gateway, no VPC endpoints); no package registry is used
    });
    if (props.adminCidr !== undefined) {
      securityGroup.addIngressRule(ec2.Peer.ipv4(props.adminCidr), ec2.Port.tcp(443), 'HTTPS to the admin site');
    }

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    this.grantAdminAccess(role, props);

    // Built at synth, like the Lambdas (CDK's local bundling; skipped where the stack's bundling is,
    // e.g. in tests that only read the template). Hashed by its output: a release changes only when
    // what the host runs does.
    const code = new Asset(this, 'Code', {
      path: REPO_ROOT,
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        image: DockerImage.fromRegistry('node:20'), // never used: the local build below always runs or throws
        local: {
          tryBundle(outputDir: string) {
            execFileSync(process.execPath, [BUILD_SCRIPT, '--out', outputDir, '--arch', 'arm64'], {
              stdio: ['ignore', 'inherit', 'inherit'],
            });
            return true;
          },
        },
      },
    });
    code.grantRead(role);
    this.code = code;

    const env: Record<string, string> = {
      [ADMIN_ENV.backend]: 'aws',
      [LAMBDA_ENV.region]: stack.region,
      [LAMBDA_ENV.site]: props.site,
      [LAMBDA_ENV.tablePeople]: data.tables.people.tableName,
      [LAMBDA_ENV.tableFaces]: data.tables.faces.tableName,
      [LAMBDA_ENV.tableDoors]: data.tables.doors.tableName,
      [LAMBDA_ENV.tableEvents]: data.tables.events.tableName,
      [LAMBDA_ENV.eventRetentionDays]: String(props.eventRetentionDays),
      [LAMBDA_ENV.bucket]: data.bucket.bucketName,
      [LAMBDA_ENV.kmsKeyId]: data.key.keyArn,
      [LAMBDA_ENV.collectionId]: data.collectionId,
      [LAMBDA_ENV.matchThreshold]: String(props.matchThreshold),
      ...(props.iotDataEndpoint ? { [LAMBDA_ENV.iotDataEndpoint]: props.iotDataEndpoint } : {}),
      [ADMIN_ENV.iotPolicyName]: props.doorPolicyName,
      [ADMIN_ENV.host]: '0.0.0.0',
      [ADMIN_ENV.httpPort]: '443',
      [ADMIN_ENV.tlsCert]: '/etc/facegate/tls/cert.pem',
      [ADMIN_ENV.tlsKey]: '/etc/facegate/tls/key.pem',
      [ADMIN_ENV.dataDir]: '/var/lib/facegate',
      [ADMIN_ENV.adminsTable]: data.tables.admins.tableName,
      [ADMIN_ENV.oneTimePasswordPrefix]: oneTimePasswordPrefix(props.site),
      [ADMIN_ENV.timeZone]: props.timeZone,
      NODE_ENV: 'production',
    };
    // What changes between deploys lives in SSM, not in the user data (see admin-host-scripts.ts).
    // Literal names (not Refs) so the user data stays byte-identical across deploys.
    const parameterNames = { code: `/facegate/${props.site}/admin/code`, env: `/facegate/${props.site}/admin/env` };
    const codeParameter = new ssm.StringParameter(this, 'CodeLocation', {
      parameterName: parameterNames.code,
      description: 'S3 location of the admin site release (the CDK code asset)',
      stringValue: `s3://${code.s3BucketName}/${code.s3ObjectKey}`,
    });
    this.envParameter = new ssm.StringParameter(this, 'Environment', {
      parameterName: parameterNames.env,
      description: 'Environment file of the admin site (names and ARNs only, no secrets)',
      stringValue:
        Object.entries(env)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n') + '\n',
    });
    codeParameter.grantRead(role);
    this.envParameter.grantRead(role);
    // The admin site's own logs (pino JSON), shipped by the CloudWatch agent the user data installs.
    const logGroupName = `/facegate/${props.site}/admin`;
    this.serviceLogs = new logs.LogGroup(this, 'ServiceLogs', {
      logGroupName,
      retention: props.logRetentionDays as logs.RetentionDays,
    });
    this.serviceLogs.grantWrite(role);
    const names = {
      logGroupName,
      region: stack.region,
      codeParameter: parameterNames.code,
      envParameter: parameterNames.env,
      startCommand: props.startCommand,
      tlsCertParameter: `/facegate/${props.site}/admin/tls/cert`,
      tlsKeyParameter: `/facegate/${props.site}/admin/tls/key`,
    };
    // Read-only, and only these two: the operator puts them (README), the host installs them.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: [names.tlsCertParameter, names.tlsKeyParameter].map((name) =>
          stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) }),
        ),
      }),
    );
    const userData = ec2.UserData.forLinux();
    userData.addCommands(...bootstrapCommands(names));

    this.instance = new ec2.Instance(this, 'Host', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      instanceType: new ec2.InstanceType('t4g.small'),
      // Resolved once and kept in cdk.context.json: a newer AMI must not replace the host on a deploy.
      machineImage: ec2.MachineImage.latestAmazonLinux2023({
        cpuType: ec2.AmazonLinuxCpuType.ARM_64,
        cachedInContext: true,
      }),
      securityGroup,
      role,
      userData,
      userDataCausesReplacement: false, // the user data never changes between deploys (see above)
      requireImdsv2: true,
      detailedMonitoring: true,
      disableApiTermination: true,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(20, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }),
        },
      ],
    });
    this.address = new ec2.CfnEIP(this, 'Address', { instanceId: this.instance.instanceId });

    // Every deploy that changes the code or the environment changes this association, which makes
    // SSM run the update on the host right away (and on the first boot, once the agent is up).
    this.rollout = new ssm.CfnAssociation(this, 'Rollout', {
      name: 'AWS-RunShellScript',
      targets: [{ key: 'InstanceIds', values: [this.instance.instanceId] }],
      parameters: { commands: [`${UPDATE_SCRIPT} # release ${code.assetHash}, settings ${settingsHash(props)}`] },
    });

    new CfnOutput(stack, 'AdminUrl', {
      value: `https://${this.address.ref}/`,
      description:
        props.adminCidr === undefined
          ? 'Closed to the internet (no adminCidr): use AdminTunnel, then https://localhost:8443/'
          : `Admin site from ${props.adminCidr} (self-signed certificate until replaced)`,
    });
    new CfnOutput(stack, 'AdminTunnel', {
      value: `aws ssm start-session --target ${this.instance.instanceId} --document-name AWS-StartPortForwardingSession --parameters portNumber=443,localPortNumber=8443`,
      description: 'Reach the admin site at https://localhost:8443/ without opening any port',
    });
    new CfnOutput(stack, 'FirstAdminPassword', {
      value: `aws ssm get-parameter --with-decryption --name ${oneTimePasswordPrefix(props.site)}admin --query Parameter.Value --output text`,
      description: "The first admin's one-time password (deleted at the first sign-in)",
    });
    new CfnOutput(stack, 'AdminInstanceId', {
      value: this.instance.instanceId,
      description: 'aws ssm start-session --target <id>',
    });

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason: 'The AWS-maintained minimum for Session Manager, which replaces SSH on this host.',
    });
    acknowledgeWildcards(
      role,
      [
        ...[...RECORDS_TABLE_ROLES, 'admins' as const].map((role) => nagArnFinding(data.tables[role], '/index/*')),
        nagArnFinding(data.bucket, '/*'),
        `Resource::arn:<AWS::Partition>:iot:${stack.region}:${stack.account}:thing/${doorThingPrefix(props.site)}*`,
        `Resource::arn:<AWS::Partition>:iot:${stack.region}:${stack.account}:cert/*`,
        commandsTopicFinding(stack, props.site),
        'Resource::*',
      ],
      'The admin site manages every person, photo, door and event, and its own accounts: table indexes, all objects of the images bucket, ' +
        "this site's door things and door certificates (created at run time; certificate ids are random), and every door's commands topic (remote unlock). " +
        'CreateKeysAndCertificate, DescribeEndpoint and DetectFaces have no resource type.',
    );
    acknowledgeWildcards(
      role,
      [
        `Resource::arn:<AWS::Partition>:ssm:${stack.region}:${stack.account}:parameter${oneTimePasswordPrefix(props.site)}*`,
      ],
      "One-time passwords are parameters named by username under this site's prefix, created when an account is.",
    );
    acknowledgeWildcards(
      role,
      [
        'Action::s3:GetObject*',
        'Action::s3:GetBucket*',
        'Action::s3:List*',
        `Resource::arn:<AWS::Partition>:s3:::${code.bucket.bucketName}/*`,
      ],
      "CDK's read grant on the bootstrap asset bucket, so the host can download its code bundle at boot.",
    );
    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions-EC29',
      reason:
        'A single stateless host rebuilt from the stack (accounts and sessions in the admins table, the first password in SSM, the release in S3); termination protection is on (disableApiTermination), no ASG needed.',
    });
    if (props.adminCidr === '0.0.0.0/0') {
      Validations.of(securityGroup).acknowledge({
        id: 'AwsSolutions-EC23',
        reason:
          'Chosen explicitly by the deployer (-c adminCidr=0.0.0.0/0; the default opens nothing): only 443, and the site requires sign-in over TLS.',
      });
    }
  }

  /** What the admin site does: people and enrollment (faces, photos), doors (provisioning, remote unlock), the log. */
  private grantAdminAccess(role: iam.Role, props: AdminHostProps): void {
    const { data } = props;
    const stack = Stack.of(this);
    const iotArn = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'iot', resource, resourceName });
    // The records tables; visits belong to the Lambdas alone.
    for (const tableRole of RECORDS_TABLE_ROLES) {
      allowTableActions(
        role,
        data.tables[tableRole],
        ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchWriteItem'],
        true,
      );
    }
    allowObjectActions(role, data.bucket, ['GetObject', 'PutObject', 'DeleteObject'], '*');
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [data.bucket.bucketArn] }),
    );
    // Its own accounts and sessions (the admins table, sessions found by user through the index).
    allowTableActions(
      role,
      data.tables.admins,
      ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan'],
      true,
    );
    // A one-time password is left as a SecureString under this site's prefix, and removed at first sign-in.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ssm:PutParameter', 'ssm:DeleteParameter'],
        resources: [
          stack.formatArn({
            service: 'ssm',
            resource: 'parameter',
            resourceName: `${oneTimePasswordPrefix(props.site).slice(1)}*`,
          }),
        ],
      }),
    );
    allowKeyViaServices(role, data.key, ['dynamodb', 's3', 'ssm']);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'rekognition:IndexFaces',
          'rekognition:SearchFacesByImage',
          'rekognition:DeleteFaces',
          'rekognition:DescribeCollection',
          'rekognition:ListFaces',
        ],
        resources: [data.collectionArn],
      }),
    );
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['rekognition:DetectFaces'], resources: ['*'] }));
    // Things, the thing group and the policy of this site only (iot-names.ts); certificates have
    // random ids and no site, but the door policy grants nothing to a thing of another site.
    const siteThings = iotArn('thing', `${doorThingPrefix(props.site)}*`);
    const siteGroup = iotArn('thinggroup', props.doorThingGroupName);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'iot:CreateThing',
          'iot:UpdateThing',
          'iot:AttachThingPrincipal',
          'iot:DetachThingPrincipal',
          'iot:ListThingPrincipals',
        ],
        resources: [siteThings],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['iot:AddThingToThingGroup'], resources: [siteThings, siteGroup] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iot:DescribeThingGroup', 'iot:AttachPolicy'],
        resources: [siteGroup, iotArn('policy', props.doorPolicyName)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iot:UpdateCertificate', 'iot:DeleteCertificate'],
        resources: [iotArn('cert', '*')],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['iot:CreateKeysAndCertificate', 'iot:DescribeEndpoint'], resources: ['*'] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['iot:Publish'], resources: [doorCommandsTopicArn(stack, props.site)] }),
    );
  }
}

/** Where the admin host leaves one-time passwords in SSM Parameter Store (the username is appended). */
export function oneTimePasswordPrefix(site: string): string {
  return `/facegate/${site}/admin/one-time-password/`;
}

/** Changes whenever a setting that reaches the host's environment changes (names of resources never do). */
function settingsHash(props: AdminHostProps): string {
  const settings = [
    props.matchThreshold,
    props.eventRetentionDays,
    props.iotDataEndpoint ?? '',
    props.doorPolicyName,
    props.startCommand,
    props.timeZone,
  ];
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 12);
}
