/** `facegate people …`: list, deactivate, activate and delete (erase) people. */
import type { Logger } from '../../lib/logger.js';
import { InvalidInputError } from '../../lib/errors.js';
import { openOfflineServices } from '../offline-services.js';
import { setSiteTimeZone, siteDate } from '../../admin-web/src/site-time.js';
import { printTable } from '../output.js';
import type { LocalSettings } from '../settings.js';

export type PeopleAction = 'list' | 'deactivate' | 'activate' | 'delete';

export async function peopleCommand(
  settings: LocalSettings,
  logger: Logger,
  action: PeopleAction,
  personId: string | undefined,
  options: { search?: string; yes?: boolean },
): Promise<number> {
  if (action !== 'list' && !personId)
    throw new InvalidInputError(`people ${action} needs a PERSON_ID (see: facegate people list)`);
  setSiteTimeZone(settings.timeZone);
  const { services, close } = await openOfflineServices(settings, logger);
  const actor = { name: 'cli' };
  try {
    switch (action) {
      case 'list': {
        const people = await services.people.list(options.search ? { search: options.search } : undefined);
        if (people.length === 0) {
          console.log('No people enrolled yet. Add one: facegate enroll --name NAME PHOTO…');
          return 0;
        }
        printTable(
          people.map((p) => ({
            id: p.personId,
            name: p.name,
            status: p.status,
            faces: String(p.faceCount),
            'valid from': p.validFrom === null ? '-' : siteDate(p.validFrom),
            'valid until': p.validUntil === null ? '-' : siteDate(p.validUntil),
          })),
          ['id', 'name', 'status', 'faces', 'valid from', 'valid until'],
        );
        if (people.some((p) => p.validFrom !== null || p.validUntil !== null))
          console.log(`Validity dates are whole days in ${settings.timeZone} (FACEGATE_TIME_ZONE).`);
        return 0;
      }
      case 'deactivate':
      case 'activate': {
        const person = await services.people.update(
          personId!,
          { status: action === 'activate' ? 'active' : 'inactive' },
          actor,
        );
        console.log(`${person.name} is now ${person.status}.`);
        return 0;
      }
      case 'delete': {
        const person = await services.people.get(personId!);
        if (!person) {
          console.error(`No person with id ${personId}.`);
          return 1;
        }
        if (!options.yes) {
          console.error(
            `This erases ${person.name}: ${person.faces.length} face(s), their photos and snapshots, and their record. Run again with --yes to confirm.`,
          );
          return 1;
        }
        await services.people.erase(person.personId, actor);
        console.log(`${person.name} erased.`);
        return 0;
      }
    }
  } finally {
    await close();
  }
}
