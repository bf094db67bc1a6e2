/**
 * Turns the person form / JSON fields into what the services take: trimmed names without control
 * characters, calendar dates checked for real (no 2025-02-30) and read as days in the site zone,
 * validity ranges in order, and door ids that exist.
 */
import type { FacegateServices, NewPerson, PersonPatch } from '../../cloud/src/app/services.js';
import { z } from 'zod';
import { DOOR_ID_PATTERN } from '../../protocol/topics.js';
import { badRequest } from './errors.js';
import { formList } from './form-fields.js';
import { DATE_SOURCE, parseSiteDate } from './dates.js';

export const MAX_NAME_LENGTH = 100;

const DATE = new RegExp(DATE_SOURCE);
const doorList = formList(z.string().regex(DOOR_ID_PATTERN), 500);

/**
 * A person as forms and JSON send it; the route decides which fields it needs (create and the
 * form edit need a name, a JSON patch needs none). Fields it does not name are dropped.
 */
export const personBody = z.object({
  name: z.string().min(1).max(MAX_NAME_LENGTH).optional(),
  validFrom: z.string().regex(DATE).nullable().optional(),
  validUntil: z.string().regex(DATE).nullable().optional(),
  /** Forms: 'all' or 'some' (then `doors`); JSON callers use allowedDoors. */
  access: z.enum(['all', 'some']).optional(),
  doors: doorList.optional(),
  allowedDoors: doorList.nullable().optional(),
  status: z.enum(['active', 'inactive']).optional(),
});

/** Creating a person, or saving the edit form: the name is required. */
export const namedPersonBody = personBody.extend({ name: z.string().min(1).max(MAX_NAME_LENGTH) });

export type PersonBody = z.output<typeof personBody>;

export function cleanName(name: string): string {
  const cleaned = name
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!cleaned) throw badRequest('name: must not be empty');
  return cleaned;
}

/** `forCreate`: a new person is always active, so status is not taken from the input. */
export async function toPersonFields(
  body: PersonBody,
  services: FacegateServices,
  forCreate = false,
): Promise<NewPerson & { status?: 'active' | 'inactive' }> {
  const out: NewPerson & { status?: 'active' | 'inactive' } = { name: cleanName(body.name ?? '') };
  out.validFrom = parseSiteDate('validFrom', body.validFrom);
  out.validUntil = parseSiteDate('validUntil', body.validUntil, true);
  if (out.validFrom !== null && out.validUntil !== null && out.validFrom > out.validUntil) {
    throw badRequest('validUntil: must be on or after validFrom');
  }
  let doors: string[] | null;
  if (body.allowedDoors !== undefined) doors = body.allowedDoors;
  else doors = body.access === 'some' ? (body.doors ?? []) : null;
  if (doors) {
    const known = new Set((await services.doors.list()).map((d) => d.doorId));
    const unknown = doors.filter((d) => !known.has(d));
    if (unknown.length) throw badRequest(`allowedDoors: unknown door ${JSON.stringify(unknown[0])}`);
    doors = [...new Set(doors)];
  }
  out.allowedDoors = doors;
  if (body.status && !forCreate) out.status = body.status;
  return out;
}

/** JSON PATCH: only the fields present change (forms send every field and use toPersonFields). */
export async function toPersonPatch(body: PersonBody, services: FacegateServices): Promise<PersonPatch> {
  const patch: PersonPatch = {};
  if (body.name !== undefined) patch.name = cleanName(body.name);
  if (body.validFrom !== undefined) patch.validFrom = parseSiteDate('validFrom', body.validFrom);
  if (body.validUntil !== undefined) patch.validUntil = parseSiteDate('validUntil', body.validUntil, true);
  if (body.status !== undefined) patch.status = body.status;
  if (body.allowedDoors !== undefined) {
    if (body.allowedDoors) {
      const known = new Set((await services.doors.list()).map((d) => d.doorId));
      const unknown = body.allowedDoors.filter((d) => !known.has(d));
      if (unknown.length) throw badRequest(`allowedDoors: unknown door ${JSON.stringify(unknown[0])}`);
    }
    patch.allowedDoors = body.allowedDoors ? [...new Set(body.allowedDoors)] : null;
  }
  if (Object.keys(patch).length === 0)
    throw badRequest('nothing to change: send at least one of name, validFrom, validUntil, status, allowedDoors');
  return patch;
}
