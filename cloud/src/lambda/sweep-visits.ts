/**
 * Lambda composition root of the visit sweeper, run by an EventBridge schedule (infra/lib/lambdas.ts):
 * answers the visits whose door went quiet before its last frame or visit_end arrived. The
 * schedule's event carries nothing the sweeper needs; the visits table is the whole input.
 */
import { createRootLogger, type Logger } from '../../../lib/logger.js';
import { createVisitSweeper, type SweepResult, type VisitSweeper } from '../handlers/sweep-visits.js';
import { systemClock } from '../ports/clock.js';
import { createDoorMessaging, createImageStore, createRecords, createVisitStore } from './aws-clients.js';
import { readVisitsConfig } from './env.js';

async function fromEnvironment(logger: Logger): Promise<VisitSweeper> {
  const config = readVisitsConfig();
  return createVisitSweeper({
    records: createRecords(config, logger),
    images: createImageStore(config),
    messaging: await createDoorMessaging(config, logger),
    visits: createVisitStore(config),
    clock: systemClock,
    logger,
    // The sweeper searches nothing: it fuses what the frames found, against the same threshold.
    threshold: config.matchThreshold,
  });
}

const rootLogger = createRootLogger({ name: 'facegate-sweep-visits', pretty: false });
let instance: Promise<VisitSweeper> | null = null;

/** The Lambda entry point (`handler` in the CDK function). A failure throws, so it counts as an error. */
export async function handler(): Promise<SweepResult> {
  instance ??= fromEnvironment(rootLogger).catch((err: unknown) => {
    instance = null;
    throw err;
  });
  try {
    return await (
      await instance
    )();
  } catch (err) {
    rootLogger.error({ err }, 'visit sweep failed');
    throw err;
  }
}
