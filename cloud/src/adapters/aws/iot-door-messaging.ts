/**
 * DoorMessaging over AWS IoT Core: IoT Data Plane Publish to the door's commands topic with QoS 1
 * (the door's persistent session queues it while the door reconnects; the command's expiresAt
 * keeps a late delivery from opening anything). The command is validated before it leaves.
 */
import { PublishCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import type { Logger } from '../../../../lib/logger.js';
import { DoorCommand, MAX_MQTT_MESSAGE_BYTES, doorTopic } from '../../../../protocol/index.js';
import { InvalidInputError } from '../../errors.js';
import type { DoorMessaging } from '../../ports/door-messaging.js';
import { callAws } from './aws-errors.js';

export interface IotDoorMessagingOptions {
  /** Built with the account's `iot:Data-ATS` endpoint (see resolveIotDataEndpoint). */
  client: Pick<IoTDataPlaneClient, 'send'>;
  /** The site whose doors this back end commands. */
  siteId: string;
  logger: Logger;
}

export class IotDoorMessaging implements DoorMessaging {
  private readonly log: Logger;

  constructor(private readonly options: IotDoorMessagingOptions) {
    this.log = options.logger.child({ component: 'iot-door-messaging' });
  }

  async publishCommand(command: DoorCommand): Promise<void> {
    const parsed = DoorCommand.safeParse(command);
    if (!parsed.success) {
      throw new InvalidInputError(
        `refusing to publish an invalid door command: ${parsed.error.issues[0]?.message ?? 'bad value'}`,
        {
          cause: parsed.error,
        },
      );
    }
    const payload = Buffer.from(JSON.stringify(parsed.data), 'utf8');
    if (payload.length > MAX_MQTT_MESSAGE_BYTES)
      throw new InvalidInputError('door command exceeds the MQTT message limit');
    const topic = doorTopic(this.options.siteId, parsed.data.doorId, 'commands');
    await callAws('iot-data', 'Publish', () =>
      this.options.client.send(new PublishCommand({ topic, qos: 1, payload })),
    );
    this.log.debug(
      { doorId: parsed.data.doorId, type: parsed.data.type, decisionId: parsed.data.decisionId },
      'command published',
    );
  }
}
