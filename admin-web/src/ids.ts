/**
 * Shapes of the ids and keys that arrive in URLs. Each is checked before any lookup, so a value
 * like `../../etc/passwd` is refused with 400 and never reaches a service, a store or a file.
 */
import { z } from 'zod';
import { DOOR_ID_PATTERN } from '../../protocol/topics.js';

/** Person, face and event ids: url-safe tokens (uuids, ulids, nanoids). */
export const ENTITY_ID_SOURCE = '^[A-Za-z0-9_-]{1,64}$';
export const ENTITY_ID = new RegExp(ENTITY_ID_SOURCE);

export const DOOR_ID_SOURCE = DOOR_ID_PATTERN.source;
/**
 * The same rule for an HTML `pattern` attribute: browsers anchor it themselves and compile it
 * with the `v` flag, where a bare `-` at the end of a character class is a syntax error (Chromium
 * then drops the check silently), so it is escaped.
 */
export const DOOR_ID_HTML_PATTERN = DOOR_ID_SOURCE.slice(1, -1).replace(/-\]/g, '\\-]');

/** Store keys of snapshots: segments of url-safe characters separated by '/', no '..', no leading '/'. */
export const STORE_KEY_SOURCE = '^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}){0,7}$';
export const STORE_KEY = new RegExp(STORE_KEY_SOURCE);

export function isStoreKey(key: string): boolean {
  return STORE_KEY.test(key) && !key.split('/').some((s) => s === '..' || s.includes('..'));
}

export const personIdParams = z.object({ personId: z.string().regex(ENTITY_ID) });

export const doorIdParams = z.object({ doorId: z.string().regex(DOOR_ID_PATTERN) });
