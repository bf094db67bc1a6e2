/**
 * Lambda composition root: IoT rule `SELECT *, topic(3) AS topicDoorId FROM
 * 'facegate/doors/+/frames'` (infra/lib/door-iot.ts; it drops payloads that bring their own
 * topicDoorId) → the shared recognition handler with the AWS adapters. Clients and
 * the handler are built once per container on the first event; the handler itself never throws,
 * so IoT's asynchronous invocation never retries a decision (the stack also sets retries to 0).
 */
import { createRootLogger, type Logger } from '../../../lib/logger.js';
import {
  createRecognizeFrameHandler,
  type RecognizeFrameDeps,
  type RecognizeOutcome,
} from '../handlers/recognize-frame.js';
import { systemClock } from '../ports/clock.js';
import { createDoorMessaging, createFaceIndex, createImageStore, createRecords } from './aws-clients.js';
import { readRecognizeConfig } from './env.js';
import { splitRuleEvent } from './iot-rule-event.js';

export type RecognizeFrameLambda = (event: unknown) => Promise<RecognizeOutcome>;

/** Builds the Lambda function from its dependencies (tests pass adapters on local servers). */
export function createRecognizeFrameLambda(deps: RecognizeFrameDeps): RecognizeFrameLambda {
  const recognize = createRecognizeFrameHandler(deps);
  const log = deps.logger.child({ component: 'recognize-frame-lambda' });
  return async (event) => {
    const split = splitRuleEvent(event);
    if (!split.ok) {
      log.warn({ reason: split.error }, 'IoT rule event rejected');
      return { status: 'rejected', reason: split.error };
    }
    return recognize({ topicDoorId: split.topicDoorId, payload: split.payload });
  };
}

async function fromEnvironment(logger: Logger): Promise<RecognizeFrameLambda> {
  const config = readRecognizeConfig();
  return createRecognizeFrameLambda({
    faceIndex: createFaceIndex(config, logger),
    records: createRecords(config, logger),
    images: createImageStore(config),
    messaging: await createDoorMessaging(config, logger),
    clock: systemClock,
    logger,
    settings: { maxFrameAgeMs: config.maxFrameAgeMs },
  });
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
