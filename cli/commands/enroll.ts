/** `facegate enroll --name NAME PHOTO…`: add a person from 1–5 photos, saying why any photo is refused. */
import fs from 'node:fs';
import type { Logger } from '../../lib/logger.js';
import { InvalidInputError } from '../../lib/errors.js';
import { MAX_PHOTO_BYTES, MAX_PHOTOS_PER_ENROLLMENT } from '../../cloud/src/app/enrollment-service.js';
import { openOfflineServices } from '../offline-services.js';
import type { LocalSettings } from '../settings.js';

export async function enrollCommand(
  settings: LocalSettings,
  logger: Logger,
  input: { name: string; photos: string[]; validFrom?: string; validUntil?: string },
): Promise<number> {
  if (input.photos.length < 1 || input.photos.length > MAX_PHOTOS_PER_ENROLLMENT) {
    throw new InvalidInputError(`give 1 to ${MAX_PHOTOS_PER_ENROLLMENT} photos, got ${input.photos.length}`);
  }
  const photos = input.photos.map((file) => {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat?.isFile()) throw new InvalidInputError(`${file}: no such file`);
    if (stat.size > MAX_PHOTO_BYTES)
      throw new InvalidInputError(`${file}: larger than ${MAX_PHOTO_BYTES / 1048576} MB`);
    return fs.readFileSync(file);
  });
  const date = (label: string, value?: string) => {
    if (value === undefined) return null;
    const ms = Date.parse(value);
    if (Number.isNaN(ms))
      throw new InvalidInputError(`${label} must be a date such as 2026-12-31, got ${JSON.stringify(value)}`);
    return ms;
  };
  const validFrom = date('--valid-from', input.validFrom);
  const validUntil = date('--valid-until', input.validUntil);

  const { services, close } = await openOfflineServices(settings, logger);
  const actor = { name: 'cli' };
  try {
    const person = await services.people.create({ name: input.name, validFrom, validUntil }, actor);
    console.log(`Enrolling ${person.name} (${person.personId}) from ${photos.length} photo(s)…`);
    const results = await services.enrollment.enroll(person.personId, photos, actor, (done, total, result) => {
      const file = input.photos[done - 1];
      const verdict = result.faceId ? 'enrolled' : 'refused';
      console.log(`  [${done}/${total}] ${file}: ${verdict}`);
      for (const issue of result.issues) console.log(`        ${issue.severity}: ${issue.message}`);
    });
    const enrolled = results.filter((r) => r.faceId).length;
    if (enrolled === 0) {
      // A person nobody can recognise is only clutter: take the record back out.
      await services.people.erase(person.personId, actor);
      console.error(`No photo could be enrolled; ${person.name} was not added.`);
      return 1;
    }
    console.log(`${person.name} enrolled with ${enrolled} face(s). Person id: ${person.personId}`);
    return 0;
  } finally {
    await close();
  }
}
