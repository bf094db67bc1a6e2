/** `facegate events`: the most recent access attempts and admin actions. */
import type { Logger } from '../../lib/logger.js';
import type { EventFilter } from '../../cloud/src/domain/types.js';
import { openOfflineServices } from '../offline-services.js';
import { formatTime, printTable } from '../output.js';
import type { LocalSettings } from '../settings.js';

export async function eventsCommand(
  settings: LocalSettings,
  logger: Logger,
  filter: EventFilter & { json?: boolean },
): Promise<number> {
  const { json, ...query } = filter;
  const { services, close } = await openOfflineServices(settings, logger);
  try {
    const { events } = await services.events.list(query);
    if (json) {
      console.log(JSON.stringify(events, null, 2));
      return 0;
    }
    if (events.length === 0) {
      console.log('No events yet.');
      return 0;
    }
    printTable(
      events.map((e) => ({
        time: formatTime(e.at),
        kind: e.kind,
        door: e.doorId ?? '',
        result: e.result ?? '',
        reason: e.reason ?? '',
        person: e.personName ?? (e.personId ? e.personId : ''),
        score: e.score === null ? '' : e.score.toFixed(3),
        by: e.actor ?? '',
        detail: e.detail ?? '',
      })),
      ['time', 'kind', 'door', 'result', 'reason', 'person', 'score', 'by', 'detail'],
    );
    return 0;
  } finally {
    await close();
  }
}
