/**
 * MQTT topic layout shared by doors, the local broker, the IoT policy and the back end:
 *
 *   facegate/{siteId}/doors/{doorId}/{channel}
 *
 * The site is part of every topic so that several sites can share one AWS account and region
 * without one site's back end ever reading another's frames or answering another's doors. The
 * local (embedded) mode is one site, `local` unless configured otherwise.
 *
 * A door may publish only to its own frames/events/status topics and subscribe only to its own
 * commands topic; the back end of a site may do the rest, for its own site only.
 */
export const TOPIC_ROOT = 'facegate';

/** Door ids appear in topics, certificate CNs, file names and DynamoDB keys: keep them boring. */
export const DOOR_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** Site ids appear in topics, AWS resource names (with length limits) and IoT thing names: shorter still. */
export const SITE_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,22}[a-z0-9])?$/;

/** The site of a local installation unless FACEGATE_SITE says otherwise. */
export const DEFAULT_SITE_ID = 'local';

export type DoorChannel = 'frames' | 'commands' | 'events' | 'status';
export const DOOR_CHANNELS: readonly DoorChannel[] = ['frames', 'commands', 'events', 'status'];

/** Channels a door publishes to (everything but commands). */
export const DOOR_PUBLISH_CHANNELS: readonly DoorChannel[] = ['frames', 'events', 'status'];

export function isValidDoorId(doorId: string): boolean {
  return DOOR_ID_PATTERN.test(doorId);
}

export function isValidSiteId(siteId: string): boolean {
  return SITE_ID_PATTERN.test(siteId);
}

function checkIds(siteId: string, doorId?: string): void {
  if (!isValidSiteId(siteId)) throw new Error(`invalid site id: ${JSON.stringify(siteId)}`);
  if (doorId !== undefined && !isValidDoorId(doorId)) throw new Error(`invalid door id: ${JSON.stringify(doorId)}`);
}

/** `facegate/{siteId}/doors`: every topic of the site starts with this. */
export function siteDoorsPrefix(siteId: string): string {
  checkIds(siteId);
  return `${TOPIC_ROOT}/${siteId}/doors`;
}

export function doorTopic(siteId: string, doorId: string, channel: DoorChannel): string {
  checkIds(siteId, doorId);
  return `${TOPIC_ROOT}/${siteId}/doors/${doorId}/${channel}`;
}

/** The four topics of one door. */
export function doorTopics(siteId: string, doorId: string): Record<DoorChannel, string> {
  return {
    frames: doorTopic(siteId, doorId, 'frames'),
    commands: doorTopic(siteId, doorId, 'commands'),
    events: doorTopic(siteId, doorId, 'events'),
    status: doorTopic(siteId, doorId, 'status'),
  };
}

/** Wildcard filters for a site's back end: one channel of every door of the site. */
export function siteTopicFilter(siteId: string, channel: DoorChannel): string {
  return `${siteDoorsPrefix(siteId)}/+/${channel}`;
}

export interface ParsedDoorTopic {
  siteId: string;
  doorId: string;
  channel: DoorChannel;
}

/** Splits a concrete door topic; null for anything that is not exactly `facegate/{site}/doors/{door}/{channel}`. */
export function parseDoorTopic(topic: string): ParsedDoorTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== TOPIC_ROOT || parts[2] !== 'doors') return null;
  const [, siteId, , doorId, channel] = parts as [string, string, string, string, string];
  if (!isValidSiteId(siteId) || !isValidDoorId(doorId)) return null;
  if (!(DOOR_CHANNELS as readonly string[]).includes(channel)) return null;
  return { siteId, doorId, channel: channel as DoorChannel };
}

/**
 * True for the topic layout of protocol v1 (`facegate/doors/{doorId}/{channel}`, no site): the
 * broker uses it to tell an operator that a door runs an agent too old for this back end,
 * instead of a bare "topic refused".
 */
export function isLegacyDoorTopic(topic: string): boolean {
  const parts = topic.split('/');
  return parts.length === 4 && parts[0] === TOPIC_ROOT && parts[1] === 'doors';
}
