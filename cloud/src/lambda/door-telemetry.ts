/**
 * Lambda composition root for what doors report: IoT rules on `facegate/{site}/doors/+/status` and
 * `…/events` (`SELECT *, topic(4) AS topicDoorId, topic(5) AS topicChannel`) and on IoT Core's
 * lifecycle events `$aws/events/presence/+/+` of this site's things (the door id is the client
 * id without the `facegate_{site}_` prefix; infra/lib/door-iot.ts).
 *
 * A DynamoDB failure is rethrown after the handler has logged it (failure-watch.ts): the
 * invocation counts as an error, Lambda retries it (twice) and then hands it to the on-failure
 * destination, so no audit event is lost silently. Bad door input is logged and dropped.
 */
import { z } from 'zod';
import { createRootLogger, type Logger } from '../../../lib/logger.js';
import {
  createDoorTelemetryHandler,
  type DoorTelemetryDeps,
  type TelemetryOutcome,
} from '../handlers/door-telemetry.js';
import { systemClock } from '../ports/clock.js';
import { createRecords } from './aws-clients.js';
import { emitMetrics, stdoutSink } from './emf-metrics.js';
import { readRecordsConfig } from './env.js';
import { FailureWatch, InfrastructureFailure } from './failure-watch.js';
import { splitRuleEvent } from './iot-rule-event.js';
import { telemetryCounts } from './lambda-metrics.js';
import type { LambdaMetricsOptions } from './recognize-frame.js';

export type DoorTelemetryLambda = (event: unknown) => Promise<TelemetryOutcome>;

/** The subset of an IoT lifecycle event we use. */
const PresenceEvent = z.object({ eventType: z.enum(['connected', 'disconnected']) });

export function createDoorTelemetryLambda(deps: DoorTelemetryDeps, options: LambdaMetricsOptions): DoorTelemetryLambda {
  const watch = new FailureWatch();
  const telemetry = createDoorTelemetryHandler({ ...deps, records: watch.wrap('records', deps.records) });
  const log = deps.logger.child({ component: 'door-telemetry-lambda' });
  const sink = options.metrics ?? stdoutSink;
  const reject = (reason: string): TelemetryOutcome => {
    log.warn({ reason }, 'IoT rule event rejected');
    return { status: 'rejected', reason };
  };
  const apply = async (event: unknown): Promise<TelemetryOutcome> => {
    const split = splitRuleEvent(event);
    if (!split.ok) return reject(split.error);
    const input = { topicDoorId: split.topicDoorId, payload: split.payload };
    switch (split.topicChannel) {
      case 'status':
        return telemetry.handleStatus(input);
      case 'events':
        return telemetry.handleEvent(input);
      case 'presence': {
        const presence = PresenceEvent.safeParse(split.payload);
        if (!presence.success) return reject('presence event without a connected/disconnected eventType');
        return telemetry.handlePresence(split.topicDoorId, presence.data.eventType === 'connected');
      }
      default:
        return reject(`unexpected channel ${JSON.stringify(split.topicChannel)}`);
    }
  };
  return async (event) => {
    const { result: outcome, failures } = await watch.run(() => apply(event));
    const disconnected =
      (event as { topicChannel?: unknown; eventType?: unknown } | null)?.topicChannel === 'presence' &&
      (event as { eventType?: unknown }).eventType === 'disconnected';
    emitMetrics(sink, options.site, telemetryCounts(outcome, failures, disconnected));
    if (failures.length > 0) {
      const failure = new InfrastructureFailure(failures);
      log.error({ err: failure, outcome }, 'infrastructure failure: the message is retried, then dead-lettered');
      throw failure;
    }
    return outcome;
  };
}

function fromEnvironment(logger: Logger): DoorTelemetryLambda {
  const config = readRecordsConfig();
  return createDoorTelemetryLambda(
    { records: createRecords(config, logger), logger, clock: systemClock },
    { site: config.siteId },
  );
}

const rootLogger = createRootLogger({ name: 'facegate-door-telemetry', pretty: false });
let instance: DoorTelemetryLambda | null = null;

/** The Lambda entry point. A configuration error throws, so the invocation counts as an error. */
export async function handler(event: unknown): Promise<TelemetryOutcome> {
  try {
    instance ??= fromEnvironment(rootLogger);
  } catch (err) {
    rootLogger.fatal({ err }, 'door-telemetry Lambda could not start');
    throw err;
  }
  return instance(event);
}
