/** The access log and its snapshots, for the admin site. */
import { InvalidInputError } from '../errors.js';
import { assertImageKey } from '../ports/image-store.js';
import { EventFilterInput, parseInput } from './input-schemas.js';
import type { ServiceDeps } from './service-deps.js';
import type { FacegateServices } from './services.js';

export function createEventsService(deps: ServiceDeps): FacegateServices['events'] {
  return {
    async list(filter = {}) {
      return deps.records.listEvents(parseInput(EventFilterInput, filter, 'event filter'));
    },
    async getSnapshot(snapshotKey) {
      if (!snapshotKey.startsWith('snapshots/')) throw new InvalidInputError('not a snapshot key');
      try {
        assertImageKey(snapshotKey);
      } catch (err) {
        throw new InvalidInputError('invalid snapshot key', { cause: err });
      }
      return deps.images.get(snapshotKey);
    },
  };
}
