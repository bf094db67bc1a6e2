/**
 * Observability of a site (issue 8 item 2), on the synthesised template: the Lambdas' on-failure
 * destination, alarms on every failure signal to the alarm topic, the dashboard, and the admin
 * host's service logs shipped to CloudWatch Logs.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC } from '../../cloud/src/lambda/emf-metrics.js';
import { FIXED_RESOURCES } from '../../infra/cost/estimate.js';
import { buildStack } from './cdk-app.js';

type Resources = Record<string, { Type: string; Properties: any }>;

let built: ReturnType<typeof buildStack>;
let resources: Resources;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

beforeAll(() => {
  built = buildStack({ site: 'obs' });
  resources = Template.fromStack(built.stack).toJSON().Resources as Resources;
});
afterAll(() => built?.cleanup());

describe('observability', () => {
  it('every Lambda sends invocations that failed for good to an encrypted, TLS-only queue', () => {
    const queueId = built.stack.getLogicalId(built.stack.lambdas.failedInvocations.node.defaultChild as never);
    const configs = ofType('AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties);
    expect(configs).toHaveLength(3); // recognize-frame, door-telemetry, sweep-visits
    for (const config of configs) {
      expect(config.DestinationConfig).toEqual({
        OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      });
    }
    expect(configs.map((c) => c.MaximumRetryAttempts).sort()).toEqual([0, 0, 2]);
    expect(resources[queueId]!.Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('alarms on Lambda errors and throttles, rule errors, Rekognition throttling, dead letters, doors offline and the cost guard, all to the topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const topicId = built.stack.getLogicalId(built.stack.observability.topic.node.defaultChild as never);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);

    const metricNames = alarms.map((a) => a.MetricName ?? 'expression');
    expect(metricNames.filter((n) => n === 'Errors')).toHaveLength(3);
    expect(metricNames.filter((n) => n === 'Throttles')).toHaveLength(3);
    for (const name of [
      'ThrottledCount',
      'ApproximateNumberOfMessagesVisible',
      METRIC.doorDisconnects,
      METRIC.framesOverBudget,
      METRIC.throttledCalls,
    ]) {
      expect(metricNames, name).toContain(name);
    }
    const own = alarms.filter((a) => a.Namespace === 'FaceGate');
    for (const alarm of own) expect(alarm.Dimensions).toEqual([{ Name: 'Site', Value: 'obs' }]);
    const rekognition = alarms.find((a) => a.MetricName === 'ThrottledCount')!;
    expect(rekognition.Dimensions).toEqual([{ Name: 'Operation', Value: 'SearchFacesByImage' }]);

    // Rule errors: the sum of the IoT Failure metric of each of the site's four rules.
    const rules = alarms.find((a) => a.Metrics)!;
    const ruleNames = rules.Metrics.filter((m: any) => m.MetricStat).map(
      (m: any) => m.MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'RuleName').Value,
    );
    expect(ruleNames.sort()).toEqual([
      'facegate_obs_events',
      'facegate_obs_frames',
      'facegate_obs_presence',
      'facegate_obs_status',
    ]);

    const [, topic] = ofType('AWS::SNS::Topic')[0]!;
    expect(topic.Properties.TopicName).toBe('facegate-obs-alarms');
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
  });

  it('has a dashboard of decisions, failures by kind, rules, Lambdas and doors', () => {
    const [, dashboard] = ofType('AWS::CloudWatch::Dashboard')[0]!;
    expect(dashboard.Properties.DashboardName).toBe('facegate-obs');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const name of [
      METRIC.accessGranted,
      METRIC.accessDenied,
      METRIC.framesOverBudget,
      METRIC.faceSearchFailures,
      METRIC.recordsFailures,
      METRIC.commandFailures,
      METRIC.doorDisconnects,
      'ThrottledCount',
      'Duration',
    ]) {
      expect(body, name).toContain(name);
    }
  });

  it("ships the admin site's service logs to CloudWatch Logs", () => {
    const groups = ofType('AWS::Logs::LogGroup').map(([, g]) => g.Properties);
    expect(groups).toContainEqual(
      expect.objectContaining({ LogGroupName: '/facegate/obs/admin', RetentionInDays: 90 }),
    );
    const [, instance] = ofType('AWS::EC2::Instance')[0]!;
    const script = JSON.stringify(instance.Properties.UserData);
    for (const expected of [
      'amazon-cloudwatch-agent',
      'StandardOutput=append:/var/log/facegate/admin.log',
      '\\"log_group_name\\": \\"/facegate/obs/admin\\"',
      'amazon-cloudwatch-agent-ctl -a fetch-config',
    ]) {
      expect(script, expected).toContain(expected);
    }
    const role = built.stack.getLogicalId(built.stack.adminHost.instance.role.node.defaultChild as never);
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as any[]).some((r) => r.Ref === role))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
    const logs = statements.find((s) => [s.Action].flat().includes('logs:PutLogEvents'));
    expect(JSON.stringify(logs.Resource)).toContain('AdminServiceLogs');
  });

  it('sends the alarms to a topic given at deploy instead, and stays cdk-nag clean either way', () => {
    expect(new AwsSolutionsChecks().validateScope(built.stack).violations.map((v) => v.ruleName)).toEqual([]);
    const given = buildStack({ site: 'obs2', alarmTopicArn: 'arn:aws:sns:eu-west-1:111111111111:oncall' });
    try {
      const t = Template.fromStack(given.stack).toJSON().Resources as Resources;
      expect(Object.values(t).filter((r) => r.Type === 'AWS::SNS::Topic')).toEqual([]);
      const alarms = Object.values(t).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
      expect(alarms.length).toBeGreaterThan(8);
      for (const a of alarms) expect(a.Properties.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:111111111111:oncall']);
      expect(new AwsSolutionsChecks().validateScope(given.stack).violations.map((v) => v.ruleName)).toEqual([]);
    } finally {
      given.cleanup();
    }
  });
});

describe('cost guard', () => {
  it('the cost estimate counts the alarms and keys this stack really has', () => {
    expect(ofType('AWS::CloudWatch::Alarm')).toHaveLength(FIXED_RESOURCES.alarms);
    expect(ofType('AWS::KMS::Key')).toHaveLength(FIXED_RESOURCES.kmsKeys);
    expect(ofType('AWS::CloudWatch::Dashboard')).toHaveLength(FIXED_RESOURCES.dashboards);
  });

  it('reserves concurrency for recognition and gives it the budget table, its limits, and nothing more on it', () => {
    const fnId = built.stack.getLogicalId(built.stack.lambdas.recognizeFrame.node.defaultChild as never);
    const fn = resources[fnId]!.Properties;
    expect(fn.ReservedConcurrentExecutions).toBe(10);
    const budgetsId = built.stack.getLogicalId(built.stack.data.tables.budgets.node.defaultChild as never);
    expect(fn.Environment.Variables).toMatchObject({
      FACEGATE_TABLE_BUDGETS: { Ref: budgetsId },
      FACEGATE_SEARCH_BURST: '20',
      FACEGATE_SEARCH_PER_SECOND: '0.5',
    });
    const onBudgets = ofType('AWS::IAM::Policy').flatMap(([, p]) =>
      (p.Properties.PolicyDocument.Statement as any[])
        .filter((s) => JSON.stringify(s.Resource).includes(budgetsId))
        .map((s) => ({ roles: p.Properties.Roles.map((r: any) => r.Ref), actions: [s.Action].flat().sort() })),
    );
    const recognizeRole = built.stack.getLogicalId(built.stack.lambdas.recognizeFrame.role!.node.defaultChild as never);
    expect(onBudgets).toEqual([{ roles: [recognizeRole], actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] }]);
  });
});
