/**
 * Names of a site's doors in AWS IoT Core. Two sites may share an account and region and both
 * have a door called `front-door`, so every IoT name carries the site:
 *
 * - thing `facegate_{site}_{doorId}` (also the door's MQTT client id, which IoT requires for the
 *   `iot:Connection.Thing.*` policy variables), with the attribute `doorId` holding the plain id;
 * - thing group `facegate-{site}-doors`: every door thing of the site is in it, and the site's door
 *   policy is attached to the group (not to each certificate);
 * - policy `facegate-{site}-door`.
 *
 * Site and door ids are `[a-z0-9-]` (protocol/topics.ts), so `_` separates them unambiguously and
 * every name fits IoT's `[a-zA-Z0-9:_-]+` (128 chars).
 */
import { isValidDoorId, isValidSiteId } from '../../../../protocol/topics.js';

/** The thing attribute holding the plain door id; the door policy builds topics from it. */
export const DOOR_ID_ATTRIBUTE = 'doorId';

const THING_PREFIX = 'facegate_';

function assertSite(site: string): void {
  if (!isValidSiteId(site)) throw new Error(`invalid site id ${JSON.stringify(site)}`);
}

/** Prefix shared by every thing name of the site: `facegate_{site}_`. */
export function doorThingPrefix(site: string): string {
  assertSite(site);
  return `${THING_PREFIX}${site}_`;
}

/** Thing name (and MQTT client id) of a door: `facegate_{site}_{doorId}`. */
export function doorThingName(site: string, doorId: string): string {
  if (!isValidDoorId(doorId)) throw new Error(`invalid door id ${JSON.stringify(doorId)}`);
  return `${doorThingPrefix(site)}${doorId}`;
}

/** The door id inside one of the site's thing names, or null when the name is not one of this site's doors. */
export function doorIdFromThingName(site: string, thingName: string): string | null {
  const prefix = doorThingPrefix(site);
  if (!thingName.startsWith(prefix)) return null;
  const doorId = thingName.slice(prefix.length);
  return isValidDoorId(doorId) ? doorId : null;
}

/** Thing group of the site's doors: `facegate-{site}-doors`. */
export function doorThingGroupName(site: string): string {
  assertSite(site);
  return `facegate-${site}-doors`;
}

/** IoT policy attached to the site's thing group: `facegate-{site}-door`. */
export function doorPolicyName(site: string): string {
  assertSite(site);
  return `facegate-${site}-door`;
}
