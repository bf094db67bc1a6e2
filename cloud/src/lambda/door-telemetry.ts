/**
 * Lambda composition root for what doors report: IoT rules on `facegate/doors/+/status` and
 * `facegate/doors/+/events` (`SELECT *, topic(3) AS topicDoorId, topic(4) AS topicChannel`) and
 * on IoT Core's lifecycle events `$aws/events/presence/+/+` (`topic(5) AS topicDoorId`, the
 * client id, which the IoT policy makes equal to the door's thing name).
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
import { readRecordsConfig } from './env.js';
import { splitRuleEvent } from './iot-rule-event.js';

export type DoorTelemetryLambda = (event: unknown) => Promise<TelemetryOutcome>;

/** The subset of an IoT lifecycle event we use. */
const PresenceEvent = z.object({ eventType: z.enum(['connected', 'disconnected']) });

export function createDoorTelemetryLambda(deps: DoorTelemetryDeps): DoorTelemetryLambda {
  const telemetry = createDoorTelemetryHandler(deps);
  const log = deps.logger.child({ component: 'door-telemetry-lambda' });
  const reject = (reason: string): TelemetryOutcome => {
    log.warn({ reason }, 'IoT rule event rejected');
    return { status: 'rejected', reason };
  };
  return async (event) => {
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
}

function fromEnvironment(logger: Logger): DoorTelemetryLambda {
  const config = readRecordsConfig();
  return createDoorTelemetryLambda({ records: createRecords(config, logger), logger, clock: systemClock });
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
