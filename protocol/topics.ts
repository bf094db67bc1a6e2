/**
 * MQTT topic layout shared by doors, the local broker, the IoT policy and the back end.
 * A door may publish only to its own frames/events/status topics and subscribe only to its
 * own commands topic; the back end's identity may do the rest.
 */
export const TOPIC_PREFIX = 'facegate/doors';

/** Door ids appear in topics, certificate CNs, file names and DynamoDB keys: keep them boring. */
export const DOOR_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export type DoorChannel = 'frames' | 'commands' | 'events' | 'status';
export const DOOR_CHANNELS: readonly DoorChannel[] = ['frames', 'commands', 'events', 'status'];

/** Channels a door publishes to (everything but commands). */
export const DOOR_PUBLISH_CHANNELS: readonly DoorChannel[] = ['frames', 'events', 'status'];

export function isValidDoorId(doorId: string): boolean {
  return DOOR_ID_PATTERN.test(doorId);
}

export function doorTopic(doorId: string, channel: DoorChannel): string {
  if (!isValidDoorId(doorId)) throw new Error(`invalid door id: ${JSON.stringify(doorId)}`);
  return `${TOPIC_PREFIX}/${doorId}/${channel}`;
}

export const topics = {
  frames: (doorId: string) => doorTopic(doorId, 'frames'),
  commands: (doorId: string) => doorTopic(doorId, 'commands'),
  events: (doorId: string) => doorTopic(doorId, 'events'),
  status: (doorId: string) => doorTopic(doorId, 'status'),
  /** Wildcard subscriptions for the back end. */
  allFrames: `${TOPIC_PREFIX}/+/frames`,
  allEvents: `${TOPIC_PREFIX}/+/events`,
  allStatus: `${TOPIC_PREFIX}/+/status`,
} as const;

/** Splits a concrete door topic; null for anything that is not exactly `facegate/doors/{id}/{channel}`. */
export function parseDoorTopic(topic: string): { doorId: string; channel: DoorChannel } | null {
  const parts = topic.split('/');
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== TOPIC_PREFIX) return null;
  const [, , doorId, channel] = parts as [string, string, string, string];
  if (!isValidDoorId(doorId)) return null;
  if (!(DOOR_CHANNELS as readonly string[]).includes(channel)) return null;
  return { doorId, channel: channel as DoorChannel };
}
