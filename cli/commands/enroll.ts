/** `facegate enroll --name NAME PHOTO…`: add a person from 1–5 photos, saying why any photo is refused. */
import fs from 'node:fs';
import type { Logger } from '../../lib/logger.js';
import { InvalidInputError } from '../../lib/errors.js';
import { MAX_PHOTO_BYTES, MAX_PHOTOS_PER_ENROLLMENT } from '../../cloud/src/app/enrollment-service.js';
import { parseSiteDate } from '../../admin-web/src/dates.js';
import { setSiteTimeZone } from '../../admin-web/src/site-time.js';
import { openOfflineServices } from '../offline-services.js';
import { THREE_PHOTOS_WHY } from '../../cloud/src/domain/enrolment-advice.js';
import type { LocalSettings } from '../settings.js';

export async function enrollCommand(
  settings: LocalSettings,
  logger: Logger,
  input: { name: string; photos: string[]; validFrom?: string; validUntil?: string },
): Promise<number> {
  if (input.photos.length < 1 || input.photos.length > MAX_PHOTOS_PER_ENROLLMENT) {
    throw new InvalidInputError(`give 1 to ${MAX_PHOTOS_PER_ENROLLMENT} photos, got ${input.photos.length}`);
  }
  // Days on the site's clock, as the admin site reads them: --valid-until 2026-12-31 includes all
  // of 31 December where the doors are (Date.parse read it as 00:00 UTC, a day short).
  setSiteTimeZone(settings.timeZone);
  const validFrom = parseSiteDate('--valid-from', input.validFrom);
  const validUntil = parseSiteDate('--valid-until', input.validUntil, true);
  if (validFrom !== null && validUntil !== null && validUntil < validFrom)
    throw new InvalidInputError('--valid-until must be on or after --valid-from');
  const photos = input.photos.map((file) => {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat?.isFile()) throw new InvalidInputError(`${file}: no such file`);
    if (stat.size > MAX_PHOTO_BYTES)
      throw new InvalidInputError(`${file}: larger than ${MAX_PHOTO_BYTES / 1048576} MB`);
    return fs.readFileSync(file);
  });

  const { services, close } = await openOfflineServices(settings, logger);
  const actor = { name: 'cli' };
  try {
    // Every photo is judged before anything is written: an enrolment that accepts no photo
    // creates no person and leaves nothing in the audit log.
    console.log(`Checking ${photos.length} photo(s) for ${input.name}…`);
    const accepted: { file: string; bytes: Buffer }[] = [];
    for (const [i, bytes] of photos.entries()) {
      const file = input.photos[i]!;
      const check = await services.enrollment.checkPhoto(bytes);
      console.log(`  [${i + 1}/${photos.length}] ${file}: ${check.ok ? 'accepted' : 'refused'}`);
      for (const issue of check.issues) console.log(`        ${issue.severity}: ${issue.message}`);
      if (check.ok) accepted.push({ file, bytes });
    }
    if (accepted.length === 0) {
      console.error(`No photo could be enrolled; ${input.name} was not added.`);
      return 1;
    }

    const person = await services.people.create({ name: input.name, validFrom, validUntil }, actor);
    console.log(`Enrolling ${person.name} (${person.personId}) from ${accepted.length} photo(s)…`);
    const results = await services.enrollment.enroll(
      person.personId,
      accepted.map((a) => a.bytes),
      actor,
      (done, total, result) => {
        // Issues were printed with the check above; only a refusal now (the index changed meanwhile) is news.
        const file = accepted[done - 1]!.file;
        console.log(`  [${done}/${total}] ${file}: ${result.faceId ? 'enrolled' : 'refused'}`);
        if (!result.faceId)
          for (const issue of result.issues) console.log(`        ${issue.severity}: ${issue.message}`);
      },
    );
    const enrolled = results.filter((r) => r.faceId).length;
    if (enrolled === 0) {
      // Accepted a moment ago, refused now (e.g. someone enrolled the same face meanwhile): take the record back out.
      await services.people.erase(person.personId, actor);
      console.error(`No photo could be enrolled; ${person.name} was not added.`);
      return 1;
    }
    console.log(`${person.name} enrolled with ${enrolled} face(s). Person id: ${person.personId}`);
    if (enrolled < 3)
      console.log(
        `Tip: add photos up to three (different days, light and angles): measured on the dev photo set, ${THREE_PHOTOS_WHY} (docs/accuracy.md).`,
      );
    return 0;
  } finally {
    await close();
  }
}
