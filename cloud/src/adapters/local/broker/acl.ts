/**
 * The broker's topic rules, mirroring the AWS IoT policy:
 *  - everything happens within the broker's one site: facegate/{site}/doors/…;
 *  - a door publishes only to facegate/{site}/doors/{its id}/{frames|events|status} and subscribes
 *    only to facegate/{site}/doors/{its id}/commands — exact topics, no wildcards;
 *  - the back end publishes commands to any door of the site and subscribes to the doors' frames,
 *    events and status (one door, or all with `+`);
 *  - only status may be retained (a retained frame would be replayed to every new subscriber; a
 *    retained command could unlock a door long after it was meant);
 *  - no payload over MAX_MQTT_MESSAGE_BYTES (IoT Core's 128 KB), and a door's events and status
 *    within MAX_DOOR_RECORD_BYTES (they are small JSON records; only frames carry an image).
 * Pure functions: the broker calls them and logs the reason of every refusal.
 */
import {
  DOOR_PUBLISH_CHANNELS,
  MAX_MQTT_MESSAGE_BYTES,
  doorTopic,
  isLegacyDoorTopic,
  isValidDoorId,
  parseDoorTopic,
  siteDoorsPrefix,
} from '../../../../../protocol/index.js';
import type { BrokerIdentity } from './identity.js';

/**
 * Events and status are JSON whose every field the protocol's schemas bound (a full one is under
 * 2 KB): this leaves room, yet keeps what a door can make the broker queue for the back end small.
 */
export const MAX_DOOR_RECORD_BYTES = 8 * 1024;

export type AclDecision = { ok: true } | { ok: false; reason: string };

const ALLOW: AclDecision = { ok: true };
const deny = (reason: string): AclDecision => ({ ok: false, reason });

export interface PublishRequest {
  topic: string;
  payloadBytes: number;
  retain: boolean;
}

export function checkPublish(identity: BrokerIdentity, request: PublishRequest, siteId: string): AclDecision {
  if (request.payloadBytes > MAX_MQTT_MESSAGE_BYTES) {
    return deny(`payload of ${request.payloadBytes} bytes exceeds the ${MAX_MQTT_MESSAGE_BYTES}-byte limit`);
  }
  if (isLegacyDoorTopic(request.topic)) {
    return deny('topic of protocol v1 (no site): the door agent is too old for this back end; update it');
  }
  const parsed = parseDoorTopic(request.topic);
  if (!parsed) return deny('topic is not a door topic');
  if (parsed.siteId !== siteId) return deny(`topic is for site ${parsed.siteId}, this broker serves ${siteId}`);
  if (identity.kind === 'door') {
    if (parsed.doorId !== identity.doorId) return deny(`door may not publish for door ${parsed.doorId}`);
    if (!DOOR_PUBLISH_CHANNELS.includes(parsed.channel)) return deny(`door may not publish to ${parsed.channel}`);
    if (request.retain && parsed.channel !== 'status') return deny('only status may be retained');
    if (parsed.channel !== 'frames' && request.payloadBytes > MAX_DOOR_RECORD_BYTES) {
      return deny(
        `${parsed.channel} payload of ${request.payloadBytes} bytes exceeds the ${MAX_DOOR_RECORD_BYTES}-byte limit`,
      );
    }
    return ALLOW;
  }
  if (parsed.channel !== 'commands') return deny(`back end publishes only commands, not ${parsed.channel}`);
  if (request.retain) return deny('commands may not be retained');
  return ALLOW;
}

/** A door's last will is published for it on disconnect, so it obeys the door's rules and must be its status. */
export function checkWill(identity: BrokerIdentity, will: PublishRequest, siteId: string): AclDecision {
  if (identity.kind === 'door' && will.topic !== doorTopic(siteId, identity.doorId, 'status')) {
    return deny('a door may set its last will only on its own status topic');
  }
  const decision = checkPublish(identity, will, siteId);
  return decision.ok ? ALLOW : deny(`last will refused: ${decision.reason}`);
}

const BACKEND_SUBSCRIBE_CHANNELS = new Set<string>(['frames', 'events', 'status']);

export function checkSubscribe(identity: BrokerIdentity, topicFilter: string, siteId: string): AclDecision {
  if (identity.kind === 'door') {
    if (isLegacyDoorTopic(topicFilter)) {
      return deny('topic of protocol v1 (no site): the door agent is too old for this back end; update it');
    }
    return topicFilter === doorTopic(siteId, identity.doorId, 'commands')
      ? ALLOW
      : deny('a door may subscribe only to its own commands topic');
  }
  const prefix = `${siteDoorsPrefix(siteId)}/`;
  if (!topicFilter.startsWith(prefix)) return deny(`not a door topic filter of site ${siteId}`);
  const parts = topicFilter.slice(prefix.length).split('/');
  if (parts.length !== 2) return deny('not a door topic filter');
  const [door, channel] = parts as [string, string];
  if (door !== '+' && !isValidDoorId(door)) return deny('door level must be a door id or +');
  if (!BACKEND_SUBSCRIBE_CHANNELS.has(channel)) return deny(`back end does not subscribe to ${channel}`);
  return ALLOW;
}
