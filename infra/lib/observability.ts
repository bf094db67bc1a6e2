/**
 * What tells an operator that a site is unwell: alarms to an SNS topic (given at deploy with
 * `-c alarmTopicArn=…`, else one the stack creates, encrypted with its own key) and a CloudWatch
 * dashboard. The Lambdas rethrow infrastructure failures and write EMF metrics (namespace
 * `FaceGate`, dimension `Site`; cloud/src/lambda/emf-metrics.ts), so Lambda's own error metric and
 * these counts both move when Rekognition, DynamoDB, KMS or IoT fail.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, type MetricName } from '../../cloud/src/lambda/emf-metrics.js';

export interface ObservabilityProps {
  site: string;
  recognizeFrame: lambda.IFunction;
  doorTelemetry: lambda.IFunction;
  sweepVisits: lambda.IFunction;
  failedInvocations: sqs.IQueue;
  ruleNames: string[];
  /** An existing topic for the alarms; when absent the stack creates one. */
  alarmTopicArn: string | undefined;
  /** Frames denied by the search budget in 5 minutes that raise the cost alarm. */
  overBudgetAlarmFrames: number;
}

const FIVE_MINUTES = Duration.minutes(5);

export class Observability extends Construct {
  readonly topic: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.topic = props.alarmTopicArn
      ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)
      : this.ownTopic(props.site);

    // No labels on alarm metrics: a label turns an alarm's metric into a metric-math query.
    const site = (name: MetricName) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { Site: props.site },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      });
    const ruleFailures = new cloudwatch.MathExpression({
      expression: props.ruleNames.map((_, i) => `r${i}`).join(' + '),
      usingMetrics: Object.fromEntries(
        props.ruleNames.map((ruleName, i) => [
          `r${i}`,
          new cloudwatch.Metric({
            namespace: 'AWS/IoT',
            metricName: 'Failure',
            dimensionsMap: { RuleName: ruleName, ActionType: 'Lambda' },
            statistic: 'Sum',
            period: FIVE_MINUTES,
          }),
        ]),
      ),
      label: 'IoT rule action failures',
      period: FIVE_MINUTES,
    });
    const rekognitionThrottles = new cloudwatch.Metric({
      namespace: 'AWS/Rekognition',
      metricName: 'ThrottledCount',
      dimensionsMap: { Operation: 'SearchFacesByImage' },
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });
    const deadLetters = props.failedInvocations.metricApproximateNumberOfMessagesVisible({
      period: FIVE_MINUTES,
      statistic: 'Maximum',
    });

    const fns = {
      RecognizeFrame: props.recognizeFrame,
      DoorTelemetry: props.doorTelemetry,
      SweepVisits: props.sweepVisits,
    };
    for (const [name, fn] of Object.entries(fns)) {
      this.alarm(
        `${name}Errors`,
        fn.metricErrors({ period: FIVE_MINUTES }),
        1,
        `${name} Lambda failed (infrastructure)`,
      );
      this.alarm(`${name}Throttles`, fn.metricThrottles({ period: FIVE_MINUTES }), 1, `${name} Lambda throttled`);
    }
    this.alarm('RuleErrors', ruleFailures, 1, 'an IoT rule could not invoke its Lambda');
    this.alarm('RekognitionThrottled', rekognitionThrottles, 1, 'Rekognition throttled face searches');
    this.alarm('ServiceThrottled', site(METRIC.throttledCalls), 1, 'an AWS service throttled the Lambdas');
    this.alarm('FailedInvocations', deadLetters, 1, 'invocations gave up and were dead-lettered');
    this.alarm('DoorsOffline', site(METRIC.doorDisconnects), 1, 'a door disconnected from IoT Core');
    this.alarm(
      'SearchBudgetExceeded',
      site(METRIC.framesOverBudget),
      props.overBudgetAlarmFrames,
      'doors sent more frames than their search budget (cost guard)',
    );

    const lambdaWidget = (title: string, metric: (fn: lambda.IFunction) => cloudwatch.Metric) =>
      new cloudwatch.GraphWidget({
        title,
        width: 8,
        left: Object.entries(fns).map(([name, fn]) => metric(fn).with({ label: name, period: FIVE_MINUTES })),
      });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `facegate-${props.site}`,
      defaultInterval: Duration.hours(24),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, alarms: this.alarms })],
        [
          new cloudwatch.GraphWidget({
            title: 'Decisions',
            width: 12,
            left: [site(METRIC.accessGranted), site(METRIC.accessDenied), site(METRIC.framesOverBudget)],
          }),
          new cloudwatch.GraphWidget({
            title: 'Frames not decided',
            width: 12,
            left: [site(METRIC.framesNoFace), site(METRIC.framesStale), site(METRIC.framesRejected)],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Infrastructure failures by kind',
            width: 12,
            left: [
              site(METRIC.faceSearchFailures),
              site(METRIC.recordsFailures),
              site(METRIC.snapshotFailures),
              site(METRIC.commandFailures),
              site(METRIC.budgetFailures),
              site(METRIC.throttledCalls),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'Rules, dead letters, Rekognition throttling',
            width: 12,
            left: [ruleFailures, deadLetters, rekognitionThrottles],
          }),
        ],
        [
          lambdaWidget('Lambda invocations', (fn) => fn.metricInvocations()),
          lambdaWidget('Lambda errors and throttles', (fn) => fn.metricErrors()),
          lambdaWidget('Lambda duration (p90)', (fn) => fn.metricDuration({ statistic: 'p90' })),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Doors',
            width: 24,
            left: [
              site(METRIC.telemetryApplied),
              site(METRIC.telemetryRejected),
              site(METRIC.telemetryRateLimited),
              site(METRIC.doorDisconnects),
            ],
          }),
        ],
      ],
    });
  }

  private alarm(id: string, metric: cloudwatch.IMetric, threshold: number, description: string): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }

  /** A topic of the stack, on its own key: CloudWatch cannot publish to a topic on the AWS-managed SNS key. */
  private ownTopic(site: string): sns.Topic {
    const key = new kms.Key(this, 'AlarmKey', {
      description: `FaceGate ${site}: alarm notifications`,
      alias: `alias/facegate-${site}-alarms`,
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    return new sns.Topic(this, 'AlarmTopic', {
      topicName: `facegate-${site}-alarms`,
      displayName: `FaceGate ${site} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
  }
}
