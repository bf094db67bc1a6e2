/**
 * AWS IoT Core for the doors: the door policy (attached to each door's certificate by the
 * provisioner) and the topic rules that hand door messages to the Lambdas. Topics are
 * `facegate/{site}/doors/{doorId}/{channel}`; the rules read this site's topics only and add the
 * door id from the topic (`topic(4)`), which the policy ties to the certificate, so a door can
 * only ever speak for itself. Things, the thing group, the policy and the rules all carry the site
 * (iot-names.ts), so several sites can share an account and region. Rule failures (e.g. a throttled Lambda) go to a log group.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { siteDoorsPrefix } from '../../protocol/index.js';
import { doorPolicyName, doorThingGroupName, doorThingPrefix } from '../../cloud/src/adapters/aws/iot-names.js';
import { doorPolicyDocument } from './door-policy.js';

export interface DoorIotProps {
  site: string;
  recognizeFrame: lambda.IFunction;
  doorTelemetry: lambda.IFunction;
  logRetentionDays: number;
}

/**
 * A payload that carries its own `topicDoorId` or `topicChannel` is dropped by the WHERE clause
 * (which reads the incoming payload): the door id must come from the topic, never from a door.
 */
const NO_SPOOFED_COLUMNS = 'WHERE isUndefined(topicDoorId) AND isUndefined(topicChannel)';

/** The SQL of each rule of a site; exported so tests and docs read the same strings. */
export function ruleSql(site: string) {
  const doors = siteDoorsPrefix(site);
  const thingPrefix = doorThingPrefix(site);
  return {
    frames: `SELECT *, topic(4) AS topicDoorId FROM '${doors}/+/frames' ${NO_SPOOFED_COLUMNS}`,
    status: `SELECT *, topic(4) AS topicDoorId, topic(5) AS topicChannel FROM '${doors}/+/status' ${NO_SPOOFED_COLUMNS}`,
    events: `SELECT *, topic(4) AS topicDoorId, topic(5) AS topicChannel FROM '${doors}/+/events' ${NO_SPOOFED_COLUMNS}`,
    // IoT Core's lifecycle events of every client in the account; the client id is the door's thing
    // name (the policy enforces it), `facegate_{site}_{doorId}`: keep this site's doors, strip the prefix.
    presence:
      `SELECT eventType, clientId, timestamp, substring(topic(5), ${thingPrefix.length}) AS topicDoorId, 'presence' AS topicChannel ` +
      `FROM '$aws/events/presence/+/+' WHERE startswith(topic(5), '${thingPrefix}')`,
  } as const;
}
export type RuleName = keyof ReturnType<typeof ruleSql>;

export class DoorIot extends Construct {
  readonly policy: iot.CfnPolicy;
  readonly policyName: string;
  /** Every door thing of the site; the provisioner attaches the door policy to it. */
  readonly thingGroup: iot.CfnThingGroup;
  readonly thingGroupName: string;
  readonly rules: Record<RuleName, iot.CfnTopicRule>;

  constructor(scope: Construct, id: string, props: DoorIotProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.policyName = doorPolicyName(props.site);
    this.policy = new iot.CfnPolicy(this, 'DoorPolicy', {
      policyName: this.policyName,
      policyDocument: doorPolicyDocument({
        site: props.site,
        partition: stack.partition,
        region: stack.region,
        account: stack.account,
      }),
    });

    this.thingGroupName = doorThingGroupName(props.site);
    this.thingGroup = new iot.CfnThingGroup(this, 'DoorGroup', {
      thingGroupName: this.thingGroupName,
      thingGroupProperties: {
        thingGroupDescription: `FaceGate ${props.site}: door things (they inherit the door policy)`,
      },
    });

    const errors = new logs.LogGroup(this, 'RuleErrors', { retention: props.logRetentionDays as logs.RetentionDays });
    const errorRole = new iam.Role(this, 'RuleErrorRole', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') });
    errors.grantWrite(errorRole);

    const targets: Record<RuleName, lambda.IFunction> = {
      frames: props.recognizeFrame,
      status: props.doorTelemetry,
      events: props.doorTelemetry,
      presence: props.doorTelemetry,
    };
    const ruleBase = `facegate_${props.site.replace(/-/g, '_')}`;
    const sql = ruleSql(props.site);
    this.rules = Object.fromEntries(
      (Object.keys(sql) as RuleName[]).map((name) => {
        const fn = targets[name];
        const rule = new iot.CfnTopicRule(this, `${name[0]!.toUpperCase()}${name.slice(1)}Rule`, {
          ruleName: `${ruleBase}_${name}`,
          topicRulePayload: {
            sql: sql[name],
            awsIotSqlVersion: '2016-03-23',
            ruleDisabled: false,
            actions: [{ lambda: { functionArn: fn.functionArn } }],
            errorAction: { cloudwatchLogs: { logGroupName: errors.logGroupName, roleArn: errorRole.roleArn } },
          },
        });
        fn.addPermission(`InvokeFrom${name}Rule`, {
          principal: new iam.ServicePrincipal('iot.amazonaws.com'),
          sourceArn: rule.attrArn,
          sourceAccount: stack.account,
        });
        return [name, rule];
      }),
    ) as Record<RuleName, iot.CfnTopicRule>;
  }
}
