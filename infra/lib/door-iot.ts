/**
 * AWS IoT Core for the doors: the door policy (attached to each door's certificate by the
 * provisioner) and the topic rules that hand door messages to the Lambdas. The rules add the door
 * id from the topic (`topic(3)`), which the policy ties to the certificate, so a door can only
 * ever speak for itself. Rule failures (e.g. a throttled Lambda) go to a log group.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TOPIC_PREFIX } from '../../protocol/index.js';
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

/** The SQL of each rule; exported so tests and docs read the same strings. */
export const RULE_SQL = {
  frames: `SELECT *, topic(3) AS topicDoorId FROM '${TOPIC_PREFIX}/+/frames' ${NO_SPOOFED_COLUMNS}`,
  status: `SELECT *, topic(3) AS topicDoorId, topic(4) AS topicChannel FROM '${TOPIC_PREFIX}/+/status' ${NO_SPOOFED_COLUMNS}`,
  events: `SELECT *, topic(3) AS topicDoorId, topic(4) AS topicChannel FROM '${TOPIC_PREFIX}/+/events' ${NO_SPOOFED_COLUMNS}`,
  // IoT Core's lifecycle events; the client id is the door's thing name (the policy enforces it).
  presence: `SELECT eventType, clientId, timestamp, topic(5) AS topicDoorId, 'presence' AS topicChannel FROM '$aws/events/presence/+/+'`,
} as const;

export class DoorIot extends Construct {
  readonly policy: iot.CfnPolicy;
  readonly policyName: string;
  readonly rules: Record<keyof typeof RULE_SQL, iot.CfnTopicRule>;

  constructor(scope: Construct, id: string, props: DoorIotProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.policyName = `facegate-${props.site}-door`;
    this.policy = new iot.CfnPolicy(this, 'DoorPolicy', {
      policyName: this.policyName,
      policyDocument: doorPolicyDocument({ partition: stack.partition, region: stack.region, account: stack.account }),
    });

    const errors = new logs.LogGroup(this, 'RuleErrors', { retention: props.logRetentionDays as logs.RetentionDays });
    const errorRole = new iam.Role(this, 'RuleErrorRole', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') });
    errors.grantWrite(errorRole);

    const targets: Record<keyof typeof RULE_SQL, lambda.IFunction> = {
      frames: props.recognizeFrame,
      status: props.doorTelemetry,
      events: props.doorTelemetry,
      presence: props.doorTelemetry,
    };
    const ruleBase = `facegate_${props.site.replace(/-/g, '_')}`;
    this.rules = Object.fromEntries(
      (Object.keys(RULE_SQL) as (keyof typeof RULE_SQL)[]).map((name) => {
        const fn = targets[name];
        const rule = new iot.CfnTopicRule(this, `${name[0]!.toUpperCase()}${name.slice(1)}Rule`, {
          ruleName: `${ruleBase}_${name}`,
          topicRulePayload: {
            sql: RULE_SQL[name],
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
    ) as Record<keyof typeof RULE_SQL, iot.CfnTopicRule>;
  }
}
