/**
 * The admin site's host: one t4g.small (Amazon Linux 2023, arm64) in its own VPC, reachable only
 * on 443 from `adminCidr`, no SSH (no key pair, no port 22; operators use SSM Session Manager),
 * IMDSv2 only, encrypted root volume. User data installs Node 20, unpacks this repository (an S3
 * asset), installs production dependencies and runs the admin site under systemd as an
 * unprivileged user with a self-signed certificate until a real one is installed (infra/README.md).
 */
import { CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { LAMBDA_ENV } from '../../cloud/src/lambda/env.js';
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
import { REPO_ROOT } from './repo-root.js';

/** Variables the admin site's AWS composition root reads (beyond the Lambdas' LAMBDA_ENV). */
export const ADMIN_ENV = {
  backend: 'FACEGATE_BACKEND',
  iotPolicyName: 'FACEGATE_IOT_POLICY_NAME',
  host: 'FACEGATE_HOST',
  httpPort: 'FACEGATE_HTTP_PORT',
  tlsCert: 'FACEGATE_TLS_CERT',
  tlsKey: 'FACEGATE_TLS_KEY',
  dataDir: 'FACEGATE_DATA_DIR',
} as const;

/** What never goes into the code bundle the host downloads. */
const CODE_EXCLUDES = ['node_modules', '.git', '**/cdk.out', '.facegate', 'test', 'test-results', 'bench-results', '*.log', '.ci'];

export interface AdminHostProps {
  data: DataStores;
  doorPolicyName: string;
  adminCidr: string;
  matchThreshold: number;
  eventRetentionDays: number;
  iotDataEndpoint: string | undefined;
  startCommand: string;
  logRetentionDays: number;
}

export class AdminHost extends Construct {
  readonly instance: ec2.Instance;
  readonly address: ec2.CfnEIP;

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
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.ALL } },
    });

    const securityGroup = new ec2.SecurityGroup(this, 'HttpsOnly', {
      vpc,
      description: 'FaceGate admin site: HTTPS in from the admin network only; no SSH',
      allowAllOutbound: true, // npm, AWS APIs
    });
    securityGroup.addIngressRule(ec2.Peer.ipv4(props.adminCidr), ec2.Port.tcp(443), 'HTTPS to the admin site');

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    this.grantAdminAccess(role, props);

    const code = new Asset(this, 'Code', { path: REPO_ROOT, exclude: CODE_EXCLUDES });
    code.grantRead(role);

    const userData = ec2.UserData.forLinux();
    const zip = '/tmp/facegate.zip';
    userData.addCommands('set -euo pipefail', 'dnf install -y nodejs20 nodejs20-npm unzip openssl gcc-c++ make python3');
    userData.addS3DownloadCommand({ bucket: code.bucket, bucketKey: code.s3ObjectKey, localFile: zip });
    const env: Record<string, string> = {
      [ADMIN_ENV.backend]: 'aws',
      [LAMBDA_ENV.region]: stack.region,
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
      NODE_ENV: 'production',
    };
    userData.addCommands(
      'id facegate >/dev/null 2>&1 || useradd --system --home-dir /var/lib/facegate --shell /sbin/nologin facegate',
      'install -d -m 0755 /opt/facegate /etc/facegate',
      'install -d -m 0700 -o facegate -g facegate /var/lib/facegate /etc/facegate/tls',
      `rm -rf /opt/facegate/app && mkdir -p /opt/facegate/app && unzip -q ${zip} -d /opt/facegate/app && rm -f ${zip}`,
      'cd /opt/facegate/app && npm-20 ci --omit=dev --no-audit --no-fund',
      // A self-signed certificate so the site starts on HTTPS; replace it with a real one (README).
      '[ -f /etc/facegate/tls/key.pem ] || openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=facegate-admin" ' +
        '-keyout /etc/facegate/tls/key.pem -out /etc/facegate/tls/cert.pem',
      'chown facegate:facegate /etc/facegate/tls/*.pem && chmod 0600 /etc/facegate/tls/key.pem',
      `cat > /etc/facegate/admin.env <<'ENV'\n${Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n')}\nENV`,
      'chmod 0644 /etc/facegate/admin.env',
      `cat > /etc/systemd/system/facegate-admin.service <<'UNIT'\n${systemdUnit(props.startCommand)}UNIT`,
      'systemctl daemon-reload',
      'systemctl enable --now facegate-admin.service',
    );

    this.instance = new ec2.Instance(this, 'Host', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      instanceType: new ec2.InstanceType('t4g.small'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
      securityGroup,
      role,
      userData,
      userDataCausesReplacement: true, // a new code asset means a fresh host, not a half-updated one
      requireImdsv2: true,
      detailedMonitoring: true,
      disableApiTermination: true,
      blockDevices: [
        { deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(20, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) },
      ],
    });
    this.address = new ec2.CfnEIP(this, 'Address', { instanceId: this.instance.instanceId });

    new CfnOutput(stack, 'AdminUrl', { value: `https://${this.address.ref}/`, description: 'Admin site (self-signed certificate until replaced)' });
    new CfnOutput(stack, 'AdminInstanceId', { value: this.instance.instanceId, description: 'aws ssm start-session --target <id>' });

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason: 'The AWS-maintained minimum for Session Manager, which replaces SSH on this host.',
    });
    acknowledgeWildcards(
      role,
      [
        ...Object.values(data.tables).map((table) => nagArnFinding(table, '/index/*')),
        nagArnFinding(data.bucket, '/*'),
        `Resource::arn:<AWS::Partition>:iot:${stack.region}:${stack.account}:thing/*`,
        `Resource::arn:<AWS::Partition>:iot:${stack.region}:${stack.account}:cert/*`,
        commandsTopicFinding(stack),
        'Resource::*',
      ],
      'The admin site manages every person, photo, door and event: table indexes, all objects of the images bucket, ' +
        'door things and certificates (created at run time), and every door\'s commands topic (remote unlock). ' +
        'CreateKeysAndCertificate, DescribeEndpoint and DetectFaces have no resource type.',
    );
    acknowledgeWildcards(
      role,
      [
        'Action::s3:GetObject*',
        'Action::s3:GetBucket*',
        'Action::s3:List*',
        `Resource::arn:<AWS::Partition>:s3:::${code.bucket.bucketName}/*`,
      ],
      'CDK\'s read grant on the bootstrap asset bucket, so the host can download its code bundle at boot.',
    );
    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions-EC29',
      reason: 'A single stateless host rebuilt from the stack; termination protection is on (disableApiTermination), no ASG needed.',
    });
    if (props.adminCidr === '0.0.0.0/0') {
      Validations.of(securityGroup).acknowledge({
        id: 'AwsSolutions-EC23',
        reason: 'Default for a first deploy: only 443 is open and the site requires sign-in over TLS. Set -c adminCidr=<office range> to narrow it.',
      });
    }
  }

  /** What the admin site does: people and enrollment (faces, photos), doors (provisioning, remote unlock), the log. */
  private grantAdminAccess(role: iam.Role, props: AdminHostProps): void {
    const { data } = props;
    const stack = Stack.of(this);
    const iotArn = (resource: string) => stack.formatArn({ service: 'iot', resource, resourceName: '*' });
    for (const table of Object.values(data.tables)) {
      allowTableActions(role, table, ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchWriteItem'], true);
    }
    allowObjectActions(role, data.bucket, ['GetObject', 'PutObject', 'DeleteObject'], '*');
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [data.bucket.bucketArn] }));
    allowKeyViaServices(role, data.key, ['dynamodb', 's3']);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['rekognition:IndexFaces', 'rekognition:SearchFacesByImage', 'rekognition:DeleteFaces', 'rekognition:DescribeCollection', 'rekognition:ListFaces'],
        resources: [data.collectionArn],
      }),
    );
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['rekognition:DetectFaces'], resources: ['*'] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iot:CreateThing', 'iot:AttachThingPrincipal', 'iot:DetachThingPrincipal', 'iot:ListThingPrincipals'],
        resources: [iotArn('thing')],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iot:AttachPolicy', 'iot:DetachPolicy', 'iot:UpdateCertificate', 'iot:DeleteCertificate'],
        resources: [iotArn('cert'), stack.formatArn({ service: 'iot', resource: 'policy', resourceName: props.doorPolicyName })],
      }),
    );
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iot:CreateKeysAndCertificate', 'iot:DescribeEndpoint'], resources: ['*'] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iot:Publish'], resources: [doorCommandsTopicArn(stack)] }));
  }
}

function systemdUnit(startCommand: string): string {
  return `[Unit]
Description=FaceGate admin site
After=network-online.target
Wants=network-online.target

[Service]
User=facegate
Group=facegate
WorkingDirectory=/opt/facegate/app
EnvironmentFile=/etc/facegate/admin.env
ExecStart=/usr/bin/node-20 ${startCommand}
Restart=always
RestartSec=5
AmbientCapabilities=CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=true
PrivateTmp=true
ReadWritePaths=/var/lib/facegate

[Install]
WantedBy=multi-user.target
`;
}
