/** `facegate photos list PERSON_ID` and `facegate photos remove PERSON_ID FACE_ID --yes`: one enrolled photo at a time. */
import type { Logger } from '../../lib/logger.js';
import { InvalidInputError } from '../../lib/errors.js';
import { openOfflineServices } from '../offline-services.js';
import { formatTime, printTable } from '../output.js';
import type { LocalSettings } from '../settings.js';

export type PhotosAction = 'list' | 'remove';

export async function photosCommand(
  settings: LocalSettings,
  logger: Logger,
  action: PhotosAction,
  personId: string,
  faceId: string | undefined,
  options: { yes?: boolean },
): Promise<number> {
  if (action === 'remove' && !faceId)
    throw new InvalidInputError(`photos remove needs a FACE_ID (see: facegate photos list ${personId})`);
  const { services, close } = await openOfflineServices(settings, logger);
  try {
    const person = await services.people.get(personId);
    if (!person) {
      console.error(`No person with id ${personId} (see: facegate people list).`);
      return 1;
    }
    if (action === 'list') {
      if (person.faces.length === 0) {
        console.log(`${person.name} has no enrolled photo. Add some in the admin site.`);
        return 0;
      }
      printTable(
        person.faces.map((f, i) => ({ '#': String(i + 1), 'face id': f.faceId, enrolled: formatTime(f.createdAt) })),
        ['#', 'face id', 'enrolled'],
      );
      return 0;
    }
    const index = person.faces.findIndex((f) => f.faceId === faceId);
    if (index < 0) {
      console.error(`${person.name} has no photo with face id ${faceId} (see: facegate photos list ${personId}).`);
      return 1;
    }
    if (!options.yes) {
      console.error(
        `This removes photo ${index + 1} of ${person.name}: its face stops matching at the doors and the photo is deleted. Run again with --yes to confirm.`,
      );
      return 1;
    }
    await services.people.removePhoto(personId, faceId!, { name: 'cli' });
    const left = person.faces.length - 1;
    console.log(
      `Photo ${index + 1} of ${person.name} removed (face and photo erased); ${left} photo(s) left.${left === 0 ? ' They cannot open any door until photos are enrolled again.' : ''}`,
    );
    return 0;
  } finally {
    await close();
  }
}
