/**
 * One FaceGate site on AWS: data stores (KMS, S3, DynamoDB, Rekognition collection), the two
 * Lambdas, IoT Core policy and rules, and the admin site's host. The stack's outputs are what the
 * admin site and the door provisioning need (infra/README.md).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { EC2_UNIQUE_IMDSV2_LAUNCH_TEMPLATE_NAME } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { AdminHost } from './admin-host.js';
import { DataStores } from './data-stores.js';
import { DoorIot } from './door-iot.js';
import { Lambdas } from './lambdas.js';
import { Observability } from './observability.js';
import type { FacegateSettings } from './settings.js';

export interface FacegateStackProps extends StackProps {
  settings: FacegateSettings;
}

export class FacegateStack extends Stack {
  readonly data: DataStores;
  readonly lambdas: Lambdas;
  readonly doorIot: DoorIot;
  readonly adminHost: AdminHost;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: FacegateStackProps) {
    super(scope, id, props);
    // The admin host's IMDSv2 launch template gets a name unique to this stack (its construct
    // path), not the fixed `HostLaunchTemplate` that a second site's stack in the account collides with.
    this.node.setContext(EC2_UNIQUE_IMDSV2_LAUNCH_TEMPLATE_NAME, true);
    const { settings } = props;

    this.data = new DataStores(this, 'Data', { site: settings.site, retentionDays: settings.eventRetentionDays });
    this.lambdas = new Lambdas(this, 'Lambdas', {
      site: settings.site,
      data: this.data,
      matchThreshold: settings.matchThreshold,
      eventRetentionDays: settings.eventRetentionDays,
      iotDataEndpoint: settings.iotDataEndpoint,
      logRetentionDays: settings.logRetentionDays,
      searchBudget: { burst: settings.searchBurst, perSecond: settings.searchPerSecond },
      recognizeConcurrency: settings.recognizeConcurrency,
    });
    this.doorIot = new DoorIot(this, 'DoorIot', {
      site: settings.site,
      recognizeFrame: this.lambdas.recognizeFrame,
      doorTelemetry: this.lambdas.doorTelemetry,
      logRetentionDays: settings.logRetentionDays,
    });
    this.adminHost = new AdminHost(this, 'Admin', {
      data: this.data,
      doorPolicyName: this.doorIot.policyName,
      doorThingGroupName: this.doorIot.thingGroupName,
      adminCidr: settings.adminCidr,
      matchThreshold: settings.matchThreshold,
      eventRetentionDays: settings.eventRetentionDays,
      iotDataEndpoint: settings.iotDataEndpoint,
      startCommand: settings.adminStartCommand,
      logRetentionDays: settings.logRetentionDays,
      site: settings.site,
      timeZone: settings.timeZone,
    });

    this.observability = new Observability(this, 'Observability', {
      site: settings.site,
      recognizeFrame: this.lambdas.recognizeFrame,
      doorTelemetry: this.lambdas.doorTelemetry,
      sweepVisits: this.lambdas.sweepVisits,
      failedInvocations: this.lambdas.failedInvocations,
      ruleNames: Object.values(this.doorIot.rules).map((rule) => rule.ruleName!),
      alarmTopicArn: settings.alarmTopicArn,
      overBudgetAlarmFrames: settings.overBudgetAlarmFrames,
    });

    const outputs: Record<string, string> = {
      ImagesBucket: this.data.bucket.bucketName,
      DataKeyArn: this.data.key.keyArn,
      PeopleTable: this.data.tables.people.tableName,
      FacesTable: this.data.tables.faces.tableName,
      DoorsTable: this.data.tables.doors.tableName,
      EventsTable: this.data.tables.events.tableName,
      VisitsTable: this.data.tables.visits.tableName,
      FaceCollectionId: this.data.collectionId,
      DoorPolicyName: this.doorIot.policyName,
      DoorThingGroupName: this.doorIot.thingGroupName,
      AlarmTopicArn: this.observability.topic.topicArn,
      FailedInvocationsQueue: this.lambdas.failedInvocations.queueUrl,
    };
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}
