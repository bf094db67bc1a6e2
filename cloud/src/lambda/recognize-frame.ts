/**
 * Lambda composition root: IoT rule `SELECT *, topic(4) AS topicDoorId FROM
 * 'facegate/{site}/doors/+/frames'` (infra/lib/door-iot.ts; it drops payloads that bring their own
 * topicDoorId) → the shared recognition handler with the AWS adapters. Clients and the handler
 * are built once per container on the first event.
 *
 * The handler fails secure and never throws; this root then rethrows any infrastructure failure
 * its ports met (failure-watch.ts), so Lambda's error metric and the on-failure destination see a
 * broken Rekognition, DynamoDB or IoT. A bad frame from a door is logged and dropped, not thrown.
 * Each invocation also writes its counts as CloudWatch metrics (emf-metrics.ts). The stack sets
 * retries to 0: a decision is never retried.
 */
import { createRootLogger, type Logger } from '../../../lib/logger.js';
import {
  createRecognizeFrameHandler,
  type RecognizeFrameDeps,
  type RecognizeOutcome,
} from '../handlers/recognize-frame.js';
import { systemClock } from '../ports/clock.js';
import { createSearchBudget, readSearchBudgetConfig } from './search-budget-env.js';
import {
  createDoorMessaging,
  createFaceIndex,
  createImageStore,
  createRecords,
  createVisitStore,
} from './aws-clients.js';
import { emitMetrics, stdoutSink, type MetricSink } from './emf-metrics.js';
import { readVisitsConfig } from './env.js';
import { FailureWatch, InfrastructureFailure } from './failure-watch.js';
import { splitRuleEvent } from './iot-rule-event.js';
import { recognizeCounts } from './lambda-metrics.js';

export type RecognizeFrameLambda = (event: unknown) => Promise<RecognizeOutcome>;

export interface LambdaMetricsOptions {
  /** The `Site` dimension of the metrics. */
  site: string;
  /** Where EMF lines go (stdout in Lambda). */
  metrics?: MetricSink;
}

/** Builds the Lambda function from its dependencies (tests pass adapters on local servers). */
export function createRecognizeFrameLambda(
  deps: RecognizeFrameDeps,
  options: LambdaMetricsOptions,
): RecognizeFrameLambda {
  const watch = new FailureWatch();
  const recognize = createRecognizeFrameHandler({
    ...deps,
    faceIndex: watch.wrap('faceIndex', deps.faceIndex),
    records: watch.wrap('records', deps.records),
    images: watch.wrap('images', deps.images),
    messaging: watch.wrap('messaging', deps.messaging),
    visits: watch.wrap('visits', deps.visits),
    searchBudget: watch.wrap('searchBudget', deps.searchBudget),
  });
  const log = deps.logger.child({ component: 'recognize-frame-lambda' });
  const sink = options.metrics ?? stdoutSink;
  return async (event) => {
    const { result: outcome, failures } = await watch.run(async (): Promise<RecognizeOutcome> => {
      const split = splitRuleEvent(event);
      if (!split.ok) {
        log.warn({ reason: split.error }, 'IoT rule event rejected');
        return { status: 'rejected', reason: split.error };
      }
      return recognize({ topicDoorId: split.topicDoorId, payload: split.payload });
    });
    emitMetrics(sink, options.site, recognizeCounts(outcome, failures));
    if (failures.length > 0) {
      const failure = new InfrastructureFailure(failures);
      log.error({ err: failure, outcome }, 'infrastructure failure (door handled fail-secure)');
      throw failure;
    }
    return outcome;
  };
}

async function fromEnvironment(logger: Logger): Promise<RecognizeFrameLambda> {
  const config = readVisitsConfig();
  return createRecognizeFrameLambda(
    {
      visits: createVisitStore(config),
      // Shared by every container: the per-door token buckets live in the stack's budgets table.
      searchBudget: createSearchBudget(readSearchBudgetConfig(), logger),
      faceIndex: createFaceIndex(config, logger),
      records: createRecords(config, logger),
      images: createImageStore(config),
      messaging: await createDoorMessaging(config, logger),
      clock: systemClock,
      logger,
      settings: { maxFrameAgeMs: config.maxFrameAgeMs },
    },
    { site: config.siteId },
  );
}

const rootLogger = createRootLogger({ name: 'facegate-recognize-frame', pretty: false });
let instance: Promise<RecognizeFrameLambda> | null = null;

/** The Lambda entry point (`handler` in the CDK function). */
export async function handler(event: unknown): Promise<RecognizeOutcome> {
  instance ??= fromEnvironment(rootLogger).catch((err: unknown) => {
    instance = null; // a transient failure (e.g. DescribeEndpoint) is retried on the next event
    throw err;
  });
  let lambda: RecognizeFrameLambda;
  try {
    lambda = await instance;
  } catch (err) {
    // Thrown so the invocation counts as an error (alarms); no command was sent, doors stay locked.
    rootLogger.fatal({ err }, 'recognize-frame Lambda could not start');
    throw err;
  }
  return lambda(event);
}
