/**
 * The three Lambdas (recognize-frame, door-telemetry, and sweep-visits on a schedule), bundled from the TypeScript composition roots
 * with local esbuild (arm64, AWS SDK bundled so the deployed versions are the tested ones), each
 * with its own role holding exactly what its handler calls.
 */
import path from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LAMBDA_ENV } from '../../cloud/src/lambda/env.js';
import { SEARCH_BUDGET_ENV } from '../../cloud/src/lambda/search-budget-env.js';
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

export interface LambdasProps {
  site: string;
  data: DataStores;
  matchThreshold: number;
  eventRetentionDays: number;
  iotDataEndpoint: string | undefined;
  logRetentionDays: number;
  /** Cost guard: the per-door search budget and the recognition Lambda's reserved concurrency. */
  searchBudget: { burst: number; perSecond: number };
  recognizeConcurrency: number;
}

export class Lambdas extends Construct {
  readonly recognizeFrame: NodejsFunction;
  readonly doorTelemetry: NodejsFunction;
  /** Invocations that failed for good (after retries): the IoT event with the error, for 14 days. */
  readonly failedInvocations: sqs.Queue;
  readonly sweepVisits: NodejsFunction;
  /** Runs sweepVisits every minute (EventBridge's finest rate). */
  readonly sweepSchedule: events.Rule;

  constructor(scope: Construct, id: string, props: LambdasProps) {
    super(scope, id);
    const { data } = props;
    const stack = Stack.of(this);
    this.failedInvocations = new sqs.Queue(this, 'FailedInvocations', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failedInvocations).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the Lambdas' on-failure destination (a dead-letter queue); it needs none of its own.",
    });
    const recordsEnv = {
      [LAMBDA_ENV.site]: props.site,
      [LAMBDA_ENV.tablePeople]: data.tables.people.tableName,
      [LAMBDA_ENV.tableFaces]: data.tables.faces.tableName,
      [LAMBDA_ENV.tableDoors]: data.tables.doors.tableName,
      [LAMBDA_ENV.tableEvents]: data.tables.events.tableName,
      [LAMBDA_ENV.eventRetentionDays]: String(props.eventRetentionDays),
    };

    const visitsEnv = {
      ...recordsEnv,
      [LAMBDA_ENV.tableVisits]: data.tables.visits.tableName,
      [LAMBDA_ENV.bucket]: data.bucket.bucketName,
      [LAMBDA_ENV.kmsKeyId]: data.key.keyArn,
      [LAMBDA_ENV.collectionId]: data.collectionId,
      [LAMBDA_ENV.matchThreshold]: String(props.matchThreshold),
      ...(props.iotDataEndpoint ? { [LAMBDA_ENV.iotDataEndpoint]: props.iotDataEndpoint } : {}),
    };

    this.recognizeFrame = this.nodeFunction('RecognizeFrame', 'recognize-frame.ts', props.logRetentionDays, {
      memorySize: 512,
      timeout: Duration.seconds(10),
      // A frame answered late is useless and a retried decision would log twice: never retry.
      retryAttempts: 0,
      maxEventAge: Duration.seconds(60),
      environment: {
        ...visitsEnv,
        [SEARCH_BUDGET_ENV.table]: data.tables.budgets.tableName,
        [SEARCH_BUDGET_ENV.burst]: String(props.searchBudget.burst),
        [SEARCH_BUDGET_ENV.perSecond]: String(props.searchBudget.perSecond),
      },
      // The ceiling on concurrent searches (and on what a flood of frames can cost per minute).
      reservedConcurrentExecutions: props.recognizeConcurrency,
    });
    const recognizeRole = this.recognizeFrame.role!;
    // Visits: read, add frames / claim (conditional UpdateItem), drop an expired item TTL has not removed yet.
    allowTableActions(recognizeRole, data.tables.visits, ['GetItem', 'UpdateItem', 'DeleteItem']);
    // Frames of a visit that did not become its snapshot are deleted (no row points at them).
    allowObjectActions(recognizeRole, data.bucket, ['DeleteObject'], 'snapshots/*');
    recognizeRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['rekognition:SearchFacesByImage'], resources: [data.collectionArn] }),
    );
    allowTableActions(recognizeRole, data.tables.doors, ['GetItem']);
    allowTableActions(recognizeRole, data.tables.people, ['GetItem']);
    allowTableActions(recognizeRole, data.tables.events, ['PutItem']);
    allowTableActions(recognizeRole, data.tables.budgets, ['GetItem', 'UpdateItem']);
    allowObjectActions(recognizeRole, data.bucket, ['PutObject'], 'snapshots/*');
    allowKeyViaServices(recognizeRole, data.key, ['dynamodb', 's3']);
    recognizeRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['iot:Publish'], resources: [doorCommandsTopicArn(stack, props.site)] }),
    );
    if (!props.iotDataEndpoint) {
      recognizeRole.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['iot:DescribeEndpoint'], resources: ['*'] }),
      );
    }

    this.doorTelemetry = this.nodeFunction('DoorTelemetry', 'door-telemetry.ts', props.logRetentionDays, {
      memorySize: 256,
      timeout: Duration.seconds(10),
      retryAttempts: 2,
      maxEventAge: Duration.minutes(5),
      environment: recordsEnv,
    });
    const telemetryRole = this.doorTelemetry.role!;
    allowTableActions(telemetryRole, data.tables.doors, ['GetItem', 'UpdateItem']);
    allowTableActions(telemetryRole, data.tables.events, ['PutItem']);
    allowKeyViaServices(telemetryRole, data.key, ['dynamodb']);

    this.sweepVisits = this.nodeFunction('SweepVisits', 'sweep-visits.ts', props.logRetentionDays, {
      memorySize: 256,
      timeout: Duration.seconds(50),
      // The next run a minute later sweeps whatever this one left.
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
      environment: visitsEnv,
    });
    const sweepRole = this.sweepVisits.role!;
    allowTableActions(sweepRole, data.tables.visits, ['Query', 'GetItem', 'UpdateItem', 'DeleteItem'], true);
    allowTableActions(sweepRole, data.tables.doors, ['GetItem']);
    allowTableActions(sweepRole, data.tables.people, ['GetItem']);
    allowTableActions(sweepRole, data.tables.events, ['PutItem']);
    allowObjectActions(sweepRole, data.bucket, ['DeleteObject'], 'snapshots/*');
    allowKeyViaServices(sweepRole, data.key, ['dynamodb']);
    sweepRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['iot:Publish'], resources: [doorCommandsTopicArn(stack, props.site)] }),
    );
    if (!props.iotDataEndpoint) {
      sweepRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iot:DescribeEndpoint'], resources: ['*'] }));
    }
    this.sweepSchedule = new events.Rule(this, 'SweepVisitsSchedule', {
      description: `FaceGate ${props.site}: answer visits whose door went quiet before ending them`,
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.sweepVisits, { retryAttempts: 0 })],
    });
    acknowledgeWildcards(
      sweepRole,
      [
        nagArnFinding(data.bucket, '/snapshots/*'),
        commandsTopicFinding(stack, props.site),
        nagArnFinding(data.tables.visits, '/index/*'),
        ...(props.iotDataEndpoint ? [] : ['Resource::*']),
      ],
      "It reads the visits table's open-visits index, deletes unused visit snapshots (any key under snapshots/), publishes to the commands topic of whichever door the visit came from, and (without a configured endpoint) asks IoT for it once.",
    );

    acknowledgeWildcards(
      recognizeRole,
      [nagArnFinding(data.bucket, '/snapshots/*'), commandsTopicFinding(stack, props.site)],
      'It writes and deletes visit snapshots (one key per visit frame, so any key under snapshots/) and publishes to the commands topic of whichever door sent the frame (doors are added at run time).',
    );
    if (!props.iotDataEndpoint) {
      acknowledgeWildcards(
        recognizeRole,
        ['Resource::*'],
        "iot:DescribeEndpoint has no resource type; it returns the account's IoT endpoint once per container.",
      );
    }
  }

  private nodeFunction(
    id: string,
    entryFile: string,
    logRetentionDays: number,
    options: Pick<
      lambda.FunctionOptions,
      'memorySize' | 'timeout' | 'retryAttempts' | 'maxEventAge' | 'reservedConcurrentExecutions'
    > & {
      environment: Record<string, string>;
    },
  ): NodejsFunction {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: logRetentionDays as logs.RetentionDays });
    // An own role instead of AWSLambdaBasicExecutionRole: it may write to this log group only.
    const role = new iam.Role(this, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    return new NodejsFunction(this, id, {
      entry: path.join(REPO_ROOT, 'cloud/src/lambda', entryFile),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      role,
      logGroup,
      onFailure: new SqsDestination(this.failedInvocations),
      ...options,
      environment: { ...options.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        format: OutputFormat.CJS,
        target: 'node24',
        minify: true,
        sourceMap: true,
        externalModules: [], // bundle the AWS SDK too: the deployed code is what was tested
      },
    });
  }
}
