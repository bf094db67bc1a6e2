/** Doors: registration with a certificate and config bundle, remote unlock, and the live feed. */
import { DEFAULT_COMMAND_TTL_MS, DoorId, UnlockCommand } from '../../../protocol/index.js';
import { ConflictError, FacegateError, InvalidInputError, NotFoundError, UpstreamError } from '../errors.js';
import { newId } from '../domain/ids.js';
import type { Door } from '../domain/types.js';
import type { DoorCredentials, ProvisionOptions } from '../ports/door-provisioner.js';
import { auditEvent } from '../domain/audit-event.js';
import { alarmText } from '../domain/door-alarm.js';
import { DEFAULT_DOOR_WIRING, describeWiring, type DoorWiring } from '../domain/door-wiring.js';
import { CsrPem, NewDoorInput, RemoteUnlockReason, WiringInput, parseInput } from './input-schemas.js';
import type { ServiceDeps } from './service-deps.js';
import { agentConfigFor, doorBundleFile } from './door-bundle.js';
import type { Actor, CertificateOptions, DoorBundle, FacegateServices } from './services.js';

export { BUNDLE_FILES, agentConfigFor } from './door-bundle.js';

export function createDoorsService(deps: ServiceDeps): FacegateServices['doors'] {
  const log = deps.logger.child({ component: 'doors' });

  async function mustGet(doorId: string): Promise<Door> {
    const door = DoorId.safeParse(doorId).success ? await deps.records.getDoor(doorId) : null;
    if (!door) throw new NotFoundError('door', doorId);
    return door;
  }

  async function changed(doorId: string, actor: Actor, detail: string): Promise<void> {
    await deps.records.appendEvent(
      auditEvent({ at: deps.clock(), kind: 'door_changed', doorId, actor: actor.name, detail }),
    );
    log.info({ doorId, actor: actor.name }, `door ${detail}`);
  }

  async function issue(
    door: Door,
    options: CertificateOptions,
    provisionOptions: Omit<ProvisionOptions, 'csrPem'>,
  ): Promise<DoorBundle> {
    const csr =
      options.csrPem === undefined ? {} : { csrPem: parseInput(CsrPem, options.csrPem, 'certificate request') };
    let credentials: DoorCredentials;
    try {
      credentials = await deps.provisioner.provision(door.doorId, { ...provisionOptions, ...csr });
    } catch (err) {
      // A refused request or door id is the caller's to fix, not an outage.
      if (err instanceof InvalidInputError) throw err;
      if (err instanceof FacegateError && err.code === 'certificate_request') {
        throw new InvalidInputError(err.message, { cause: err });
      }
      throw new UpstreamError('provisioner', `could not issue a certificate for ${door.doorId}`, { cause: err });
    }
    const endpoint = deps.endpointForDoors ?? { endpoint: credentials.endpoint, port: credentials.port };
    const agentConfig = agentConfigFor(credentials.siteId, door.doorId, endpoint.endpoint, endpoint.port, {
      ...(credentials.clientId && { clientId: credentials.clientId }),
      ...(options.hardware && { hardware: options.hardware }),
      wiring: door.wiring,
    });
    return { credentials, agentConfig, file: doorBundleFile(credentials, agentConfig, deps.clock()) };
  }

  /**
   * Stores a changed wiring before a bundle is made with it, so the record always describes what
   * the newest bundle drives. A patch, like setEnabled: state the door reported meanwhile survives.
   */
  async function rewire(door: Door, wiring: DoorWiring | undefined): Promise<Door> {
    if (wiring === undefined || sameWiring(wiring, door.wiring)) return door;
    await deps.records.updateDoorState(door.doorId, { wiring });
    return { ...door, wiring };
  }

  return {
    list: () => deps.records.listDoors(),

    async get(doorId) {
      return DoorId.safeParse(doorId).success ? deps.records.getDoor(doorId) : null;
    },

    async create(input, actor, options = {}) {
      const data = parseInput(NewDoorInput, input, 'door');
      const existing = await deps.records.getDoor(data.doorId);
      if (existing) {
        const certificates = await deps.provisioner.certificates(data.doorId);
        if (certificates.some((c) => c.status === 'active' || c.status === 'inactive')) {
          throw new ConflictError(
            `door ${JSON.stringify(data.doorId)} already exists and has a valid certificate: renew it, or revoke it before provisioning it again`,
          );
        }
        // Revoked or expired: provisioning again issues a new certificate for the same door.
        // As in renew: the wiring is stored only once the certificate is issued.
        const bundle = await issue({ ...existing, ...(data.wiring && { wiring: data.wiring }) }, options, {});
        const door = await rewire(existing, data.wiring);
        await changed(door.doorId, actor, `re-provisioned: new certificate issued; ${describeWiring(door.wiring)}`);
        return { door, bundle };
      }
      const now = deps.clock();
      const door: Door = {
        doorId: data.doorId,
        name: data.name,
        enabled: true,
        pulseMs: data.pulseMs,
        online: false,
        lock: 'unknown',
        lastSeenAt: null,
        agentVersion: null,
        alarm: null,
        alarmSince: null,
        wiring: data.wiring ?? { ...DEFAULT_DOOR_WIRING },
        createdAt: now,
      };
      const bundle = await issue(door, options, {});
      try {
        await deps.records.putDoor(door);
      } catch (err) {
        // A certificate for a door that does not exist is a key nobody tracks: revoke it.
        await deps.provisioner
          .remove(data.doorId)
          .catch((e: unknown) => log.error({ err: e, doorId: data.doorId }, 'remove after failed create'));
        throw err;
      }
      await deps.records.appendEvent(
        auditEvent({
          at: now,
          kind: 'door_created',
          doorId: door.doorId,
          actor: actor.name,
          detail: `${door.name}; ${describeWiring(door.wiring)}`,
        }),
      );
      log.info(
        { doorId: door.doorId, actor: actor.name, csr: Boolean(options.csrPem) },
        'door created and provisioned',
      );
      return { door, bundle };
    },

    async setEnabled(doorId, enabled, actor) {
      const door = await mustGet(doorId);
      // A patch, not putDoor({ ...door, enabled }): an alarm or lock state the door reported since
      // the read above must survive the switch.
      if (door.enabled !== enabled) await deps.records.updateDoorState(doorId, { enabled });
      try {
        await deps.provisioner.setEnabled(doorId, enabled);
      } catch (err) {
        throw new UpstreamError('provisioner', `could not ${enabled ? 'enable' : 'disable'} ${doorId}'s certificate`, {
          cause: err,
        });
      }
      await changed(doorId, actor, enabled ? 'enabled' : 'disabled: its frames are refused');
      const after = (await deps.records.getDoor(doorId)) ?? { ...door, enabled };
      deps.doorFeed.publish(after);
      return after;
    },

    async revoke(doorId, actor) {
      await mustGet(doorId);
      try {
        await deps.provisioner.revoke(doorId);
      } catch (err) {
        throw new UpstreamError('provisioner', `could not revoke ${doorId}'s certificates`, { cause: err });
      }
      await changed(doorId, actor, 'certificates revoked');
    },

    async renew(doorId, actor, options = {}) {
      const wiring = options.wiring === undefined ? undefined : parseInput(WiringInput, options.wiring, 'wiring');
      const before = await mustGet(doorId);
      // The wiring is stored only once the certificate is issued: a refused request changes nothing.
      const bundle = await issue({ ...before, ...(wiring && { wiring }) }, options, { keepPrevious: true });
      const door = await rewire(before, wiring);
      const rewired = door.wiring !== before.wiring ? `; wiring now ${describeWiring(door.wiring)}` : '';
      await changed(
        doorId,
        actor,
        `certificate renewed, valid until ${new Date(bundle.credentials.notAfter).toISOString()}${rewired}`,
      );
      return { door, bundle };
    },

    async remove(doorId, actor) {
      const door = await mustGet(doorId);
      try {
        await deps.provisioner.remove(doorId);
      } catch (err) {
        throw new UpstreamError('provisioner', `could not remove ${doorId}'s certificates`, { cause: err });
      }
      await deps.records.deleteDoor(doorId);
      deps.onDoorRemoved?.(doorId);
      await changed(doorId, actor, `deleted (was "${door.name}")`);
      deps.doorFeed.publish({ ...door, online: false, lock: 'unknown' });
    },

    async certificates(doorId) {
      await mustGet(doorId);
      return deps.provisioner.certificates(doorId);
    },

    async acknowledgeAlarm(doorId, actor) {
      const door = await mustGet(doorId);
      if (door.alarm === null) return door;
      await deps.records.updateDoorState(doorId, { alarm: null, alarmSince: null });
      const since = door.alarmSince === null ? '' : ` since ${new Date(door.alarmSince).toISOString()}`;
      await changed(doorId, actor, `alarm acknowledged: ${alarmText(door.alarm)}${since}`);
      const after = { ...door, alarm: null, alarmSince: null };
      deps.doorFeed.publish(after);
      return after;
    },

    async remoteUnlock(doorId, reason, actor) {
      const why = parseInput(RemoteUnlockReason, reason, 'reason');
      const door = await mustGet(doorId);
      if (!door.enabled) throw new ConflictError(`door ${JSON.stringify(doorId)} is disabled`);
      const now = deps.clock();
      const decisionId = newId();
      const command = UnlockCommand.parse({
        v: 2,
        type: 'unlock',
        source: 'remote',
        doorId,
        decisionId,
        issuedAt: now,
        expiresAt: now + DEFAULT_COMMAND_TTL_MS,
        pulseMs: door.pulseMs,
      });
      let failure: unknown = null;
      try {
        await deps.messaging.publishCommand(command);
      } catch (err) {
        failure = err;
      }
      // The intent is logged whether or not it reached the door.
      await deps.records.appendEvent(
        auditEvent({
          at: now,
          kind: 'remote_unlock',
          doorId,
          result: 'granted',
          reason: 'remote',
          decisionId,
          actor: actor.name,
          detail: failure ? `${why} (not delivered)` : why,
        }),
      );
      if (failure) {
        log.error({ err: failure, doorId, decisionId, actor: actor.name }, 'remote unlock not delivered');
        throw new UpstreamError('door messaging', `the unlock could not be sent to ${doorId}`, { cause: failure });
      }
      log.info({ doorId, decisionId, actor: actor.name }, 'remote unlock sent');
      return { decisionId };
    },

    subscribe: (listener) => deps.doorFeed.subscribe(listener),
  };
}

function sameWiring(a: DoorWiring, b: DoorWiring): boolean {
  return (
    a.relayPin === b.relayPin &&
    a.relayActiveLow === b.relayActiveLow &&
    a.contactPin === b.contactPin &&
    a.exitButtonPin === b.exitButtonPin
  );
}
