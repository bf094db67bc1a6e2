/** Doors: registration with a certificate and config bundle, remote unlock, and the live feed. */
import { DEFAULT_COMMAND_TTL_MS, DoorId, UnlockCommand } from '../../../protocol/index.js';
import { ConflictError, NotFoundError, UpstreamError } from '../errors.js';
import { newId } from '../domain/ids.js';
import type { Door } from '../domain/types.js';
import type { DoorCredentials } from '../ports/door-provisioner.js';
import { auditEvent } from '../domain/audit-event.js';
import { NewDoorInput, RemoteUnlockReason, parseInput } from './input-schemas.js';
import type { ServiceDeps } from './service-deps.js';
import type { DoorBundle, FacegateServices } from './services.js';

/** File names inside a door bundle; the agent config points at them relative to itself. */
export const BUNDLE_FILES = { ca: 'ca.pem', cert: 'door.crt', key: 'door.key', config: 'agent.json' } as const;

/** A Raspberry Pi door as shipped: camera streamed by ffmpeg from /dev/video0, lock relay on BCM 17. */
export function agentConfigFor(
  siteId: string,
  doorId: string,
  endpoint: string,
  port: number,
  clientId?: string,
): Record<string, unknown> {
  return {
    siteId,
    doorId,
    mqtt: {
      endpoint,
      port,
      caFile: BUNDLE_FILES.ca,
      certFile: BUNDLE_FILES.cert,
      keyFile: BUNDLE_FILES.key,
      ...(clientId ? { clientId } : {}),
    },
    camera: { type: 'stream', source: 'ffmpeg', device: '/dev/video0', width: 640, height: 480, fps: 5 },
    relay: { type: 'gpio', pin: 17, activeLow: false },
  };
}

export function createDoorsService(deps: ServiceDeps): FacegateServices['doors'] {
  const log = deps.logger.child({ component: 'doors' });

  return {
    list: () => deps.records.listDoors(),

    async get(doorId) {
      return DoorId.safeParse(doorId).success ? deps.records.getDoor(doorId) : null;
    },

    async create(input, actor) {
      const data = parseInput(NewDoorInput, input, 'door');
      if (await deps.records.getDoor(data.doorId))
        throw new ConflictError(`door ${JSON.stringify(data.doorId)} already exists`);
      let credentials: DoorCredentials;
      try {
        credentials = await deps.provisioner.provision(data.doorId);
      } catch (err) {
        throw new UpstreamError('provisioner', `could not issue a certificate for ${data.doorId}`, { cause: err });
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
        createdAt: now,
      };
      try {
        await deps.records.putDoor(door);
      } catch (err) {
        // A certificate for a door that does not exist is a key nobody tracks: revoke it.
        await deps.provisioner
          .revoke(data.doorId)
          .catch((e: unknown) => log.error({ err: e, doorId: data.doorId }, 'revoke after failed create'));
        throw err;
      }
      await deps.records.appendEvent(
        auditEvent({ at: now, kind: 'door_created', doorId: door.doorId, actor: actor.name, detail: door.name }),
      );
      const endpoint = deps.endpointForDoors ?? { endpoint: credentials.endpoint, port: credentials.port };
      const bundle: DoorBundle = {
        credentials,
        agentConfig: agentConfigFor(
          credentials.siteId,
          door.doorId,
          endpoint.endpoint,
          endpoint.port,
          credentials.clientId,
        ),
      };
      log.info({ doorId: door.doorId, actor: actor.name }, 'door created and provisioned');
      return { door, bundle };
    },

    async remoteUnlock(doorId, reason, actor) {
      const why = parseInput(RemoteUnlockReason, reason, 'reason');
      const door = DoorId.safeParse(doorId).success ? await deps.records.getDoor(doorId) : null;
      if (!door) throw new NotFoundError('door', doorId);
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
