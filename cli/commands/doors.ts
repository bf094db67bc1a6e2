/**
 * `facegate doors …`: list doors with their certificates, and disable, enable, revoke, renew or
 * delete one. Works on the data directory while the server runs: the server reads the revocation
 * list every second (a revoked door is dropped within 2 s) and the door's record on every frame.
 */
import type { Logger } from '../../lib/logger.js';
import { InvalidInputError } from '../../lib/errors.js';
import type { DoorCertificateInfo } from '../../cloud/src/ports/door-provisioner.js';
import { openOfflineServices } from '../offline-services.js';
import { formatTime, printTable } from '../output.js';
import { bundleInstructions, defaultBundlePath, writeBundleFile } from '../bundle-file.js';
import type { LocalSettings } from '../settings.js';
import { readCsrFile, type CertificateCliOptions } from './provision.js';
import { describeWiring, DEFAULT_DOOR_WIRING } from '../../cloud/src/domain/door-wiring.js';
import { wiringFromOptions, type WiringCliOptions } from '../wiring-options.js';

export const DOOR_ACTIONS = ['list', 'disable', 'enable', 'revoke', 'delete', 'renew'] as const;
export type DoorAction = (typeof DOOR_ACTIONS)[number];

/** "active until 2027-12-04", "revoked", "none": the newest certificate that still matters. */
export function certificateSummary(certificates: DoorCertificateInfo[]): string {
  const usable = certificates.filter((c) => c.status === 'active' || c.status === 'inactive');
  const newest = usable.sort((a, b) => b.notAfter - a.notAfter)[0];
  if (newest) return `${newest.status} until ${new Date(newest.notAfter).toISOString().slice(0, 10)}`;
  if (certificates.length === 0) return 'none';
  return certificates.some((c) => c.status === 'revoked') ? 'revoked' : 'expired';
}

export async function doorsCommand(
  settings: LocalSettings,
  logger: Logger,
  action: DoorAction,
  doorId: string | undefined,
  options: CertificateCliOptions & WiringCliOptions & { yes?: boolean },
): Promise<number> {
  if (action !== 'list' && !doorId)
    throw new InvalidInputError(`doors ${action} needs a DOOR_ID (see: facegate doors list)`);
  if (action !== 'renew' && wiringFromOptions(DEFAULT_DOOR_WIRING, options) !== undefined) {
    throw new InvalidInputError(
      `the wiring options go with renew (a door's wiring reaches it in a new bundle), not ${action}`,
    );
  }
  const csrPem = action === 'renew' ? readCsrFile(options.csr) : undefined;
  const offline = await openOfflineServices(settings, logger);
  const { services } = offline;
  const actor = { name: 'cli' };
  try {
    switch (action) {
      case 'list': {
        const doors = await services.doors.list();
        if (doors.length === 0) {
          console.log('No doors yet. Add one: facegate provision DOOR_ID');
          return 0;
        }
        const rows = [];
        for (const d of doors) {
          rows.push({
            id: d.doorId,
            name: d.name,
            enabled: d.enabled ? 'yes' : 'no',
            online: d.online ? 'online' : 'offline',
            'last seen': formatTime(d.lastSeenAt),
            certificate: certificateSummary(await services.doors.certificates(d.doorId)),
          });
        }
        printTable(rows, ['id', 'name', 'enabled', 'online', 'last seen', 'certificate']);
        return 0;
      }
      case 'disable':
      case 'enable': {
        const door = await services.doors.setEnabled(doorId!, action === 'enable', actor);
        console.log(
          door.enabled
            ? `Door ${door.doorId} is enabled.`
            : `Door ${door.doorId} is disabled: its frames are refused (and logged) until you enable it.`,
        );
        return 0;
      }
      case 'revoke': {
        await services.doors.revoke(doorId!, actor);
        console.log(
          `Door ${doorId}'s certificates are revoked: it is disconnected and cannot connect with them again.`,
          `\nTo bring it back, provision it again: facegate provision ${doorId}`,
        );
        return 0;
      }
      case 'renew': {
        const current = await services.doors.get(doorId!);
        const wiring = current ? wiringFromOptions(current.wiring, options) : undefined;
        const { door, bundle } = await services.doors.renew(doorId!, actor, {
          ...(csrPem !== undefined && { csrPem }),
          ...(options.simulated && { hardware: 'simulated' as const }),
          ...(wiring && { wiring }),
        });
        const file = writeBundleFile(
          options.out ?? defaultBundlePath(settings.dataDir, door.doorId),
          bundle.file,
          options.simulated ?? false,
        );
        console.log(`Door ${door.doorId} has a new certificate (the previous one stays valid until it expires).`);
        if (!options.simulated) console.log(`Wiring: ${describeWiring(door.wiring)}.`);
        console.log(bundleInstructions(file, bundle.file, options.simulated ?? false).join('\n'));
        return 0;
      }
      case 'delete': {
        const door = await services.doors.get(doorId!);
        if (!door) {
          console.error(`No door with id ${doorId}.`);
          return 1;
        }
        if (!options.yes) {
          console.error(
            `This deletes door ${door.doorId} ("${door.name}"): its certificates are revoked and removed, its record and live state are gone (its audit events stay). Run again with --yes to confirm.`,
          );
          return 1;
        }
        await services.doors.remove(door.doorId, actor);
        console.log(`Door ${door.doorId} deleted. Its audit events stay in the log.`);
        return 0;
      }
    }
  } finally {
    await offline.close();
  }
}
