/**
 * In-memory FacegateServices for the admin site's inject() route tests: it keeps people, doors
 * and events in maps and records every call, so tests can assert what reached the back end (and,
 * for bad input, that nothing did). It does NOT recognise faces: checkPhoto reports one face for
 * any image it is given. Tests of recognition use the real local stack (browser.test.ts).
 */
import { randomUUID } from 'node:crypto';
import type {
  DoorBundle,
  Actor,
  CertificateOptions,
  DoorChangeListener,
  EnrollPhotoResult,
  FacegateServices,
  NewDoor,
  NewPerson,
  PersonPatch,
  PhotoCheck,
} from '../../../cloud/src/app/services.js';
import type { AuditEvent, Door, EnrolledFace, EventFilter, Person } from '../../../cloud/src/domain/types.js';
import { NotFoundError, ConflictError } from '../../../cloud/src/errors.js';
import { auditEvent } from '../../../cloud/src/domain/audit-event.js';
import { agentConfigFor, doorBundleFile } from '../../../cloud/src/app/door-bundle.js';

export interface Call {
  method: string;
  args: unknown[];
}

export class MemoryServices implements FacegateServices {
  readonly calls: Call[] = [];
  readonly persons = new Map<string, Person>();
  readonly faces = new Map<string, EnrolledFace[]>();
  readonly photos = new Map<string, Buffer>();
  readonly snapshots = new Map<string, Buffer>();
  readonly doorMap = new Map<string, Door>();
  readonly eventList: AuditEvent[] = [];
  private readonly listeners = new Set<DoorChangeListener>();

  private record(method: string, ...args: unknown[]) {
    this.calls.push({ method, args });
  }

  callsTo(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  private audit(e: Partial<AuditEvent> & Pick<AuditEvent, 'kind'>) {
    this.eventList.unshift(auditEvent({ at: Date.now(), ...e }));
  }

  addDoor(door: Partial<Door> & Pick<Door, 'doorId' | 'name'>): Door {
    const d: Door = {
      enabled: true,
      pulseMs: 3000,
      online: false,
      lock: 'locked',
      lastSeenAt: null,
      agentVersion: null,
      alarm: null,
      alarmSince: null,
      createdAt: Date.now(),
      ...door,
    };
    this.doorMap.set(d.doorId, d);
    return d;
  }

  /** Simulates a door reporting a state change (what the MQTT status handler does for real). */
  changeDoor(doorId: string, patch: Partial<Door>): void {
    const d = { ...this.doorMap.get(doorId)!, ...patch };
    this.doorMap.set(doorId, d);
    for (const l of this.listeners) l(d);
  }

  addEvent(e: Partial<AuditEvent> & Pick<AuditEvent, 'kind'>): void {
    this.audit(e);
  }

  people: FacegateServices['people'] = {
    list: async (filter) => {
      this.record('people.list', filter);
      return [...this.persons.values()]
        .filter((p) => !filter?.search || p.name.toLowerCase().includes(filter.search.toLowerCase()))
        .filter((p) => !filter?.status || p.status === filter.status)
        .map((p) => ({ ...p, faceCount: this.faces.get(p.personId)?.length ?? 0 }));
    },
    get: async (personId) => {
      this.record('people.get', personId);
      const p = this.persons.get(personId);
      return p ? { ...p, faces: this.faces.get(personId) ?? [] } : null;
    },
    create: async (input: NewPerson, actor: Actor) => {
      this.record('people.create', input, actor);
      const now = Date.now();
      const p: Person = {
        personId: randomUUID(),
        name: input.name,
        status: 'active',
        validFrom: input.validFrom ?? null,
        validUntil: input.validUntil ?? null,
        allowedDoors: input.allowedDoors ?? null,
        createdAt: now,
        updatedAt: now,
      };
      this.persons.set(p.personId, p);
      this.audit({ kind: 'person_created', personId: p.personId, personName: p.name, actor: actor.name });
      return p;
    },
    update: async (personId: string, patch: PersonPatch, actor: Actor) => {
      this.record('people.update', personId, patch, actor);
      const p = this.persons.get(personId);
      if (!p) throw new NotFoundError('person', personId);
      const next = { ...p, ...patch, updatedAt: Date.now() };
      this.persons.set(personId, next);
      this.audit({ kind: 'person_updated', personId, personName: next.name, actor: actor.name });
      return next;
    },
    erase: async (personId: string, actor: Actor) => {
      this.record('people.erase', personId, actor);
      if (!this.persons.delete(personId)) throw new NotFoundError('person', personId);
      for (const f of this.faces.get(personId) ?? []) this.photos.delete(f.photoKey);
      this.faces.delete(personId);
      for (const e of this.eventList) {
        if (e.personId === personId) {
          if (e.snapshotKey) this.snapshots.delete(e.snapshotKey);
          Object.assign(e, { personId: null, personName: null, snapshotKey: null });
        }
      }
      this.audit({ kind: 'person_erased', actor: actor.name });
    },
    removePhoto: async (personId: string, faceId: string, actor: Actor) => {
      this.record('people.removePhoto', personId, faceId, actor);
      const list = this.faces.get(personId) ?? [];
      const face = list.find((f) => f.faceId === faceId);
      if (!face) throw new NotFoundError('photo', faceId);
      this.faces.set(
        personId,
        list.filter((f) => f !== face),
      );
      this.photos.delete(face.photoKey);
      this.audit({ kind: 'person_updated', personId, actor: actor.name, detail: `removed photo ${faceId}` });
    },
  };

  enrollment: FacegateServices['enrollment'] = {
    checkPhoto: async (image, forPersonId) => {
      this.record('enrollment.checkPhoto', image.length, forPersonId);
      return fakeCheck();
    },
    enroll: async (personId, photos, actor, onProgress) => {
      this.record('enrollment.enroll', personId, photos.length, actor);
      if (!this.persons.has(personId)) throw new NotFoundError('person', personId);
      const results: EnrollPhotoResult[] = [];
      for (const [i, bytes] of photos.entries()) {
        const faceId = randomUUID();
        const photoKey = `photos/${personId}/${faceId}.jpg`;
        this.photos.set(photoKey, Buffer.from(bytes));
        const list = this.faces.get(personId) ?? [];
        list.push({ faceId, personId, photoKey, createdAt: Date.now() });
        this.faces.set(personId, list);
        const r = { ...fakeCheck(), faceId };
        results.push(r);
        onProgress?.(i + 1, photos.length, r);
      }
      return results;
    },
    getPhoto: async (photoKey) => {
      this.record('enrollment.getPhoto', photoKey);
      const bytes = this.photos.get(photoKey);
      return bytes ? { bytes, contentType: 'image/jpeg' } : null;
    },
  };

  /** Doors whose certificates were revoked through `doors.revoke`. */
  readonly revokedDoors = new Set<string>();

  private fakeBundle(doorId: string, fromRequest = false): DoorBundle {
    const credentials = {
      siteId: 'local',
      doorId,
      certificatePem: 'CERT',
      ...(fromRequest ? {} : { privateKeyPem: 'KEY' }),
      caPem: 'CA',
      endpoint: 'localhost',
      port: 8883,
      notAfter: Date.UTC(2027, 11, 4),
    };
    const agentConfig = agentConfigFor('local', doorId, 'localhost', 8883);
    return { credentials, agentConfig, file: doorBundleFile(credentials, agentConfig, Date.now()) };
  }

  doors: FacegateServices['doors'] = {
    list: async () => [...this.doorMap.values()],
    get: async (doorId) => this.doorMap.get(doorId) ?? null,
    create: async (input: NewDoor, actor: Actor, options: CertificateOptions = {}) => {
      this.record('doors.create', input, actor, options);
      if (this.doorMap.has(input.doorId)) throw new ConflictError(`door ${input.doorId} exists`);
      const door = this.addDoor({ doorId: input.doorId, name: input.name, pulseMs: input.pulseMs ?? 3000 });
      this.audit({ kind: 'door_created', doorId: door.doorId, actor: actor.name });
      return { door, bundle: this.fakeBundle(door.doorId, options.csrPem !== undefined) };
    },
    setEnabled: async (doorId, enabled, actor) => {
      this.record('doors.setEnabled', doorId, enabled, actor);
      const door = this.doorMap.get(doorId);
      if (!door) throw new NotFoundError('door', doorId);
      door.enabled = enabled;
      this.audit({ kind: 'door_changed', doorId, actor: actor.name, detail: enabled ? 'enabled' : 'disabled' });
      return door;
    },
    revoke: async (doorId, actor) => {
      this.record('doors.revoke', doorId, actor);
      if (!this.doorMap.has(doorId)) throw new NotFoundError('door', doorId);
      this.revokedDoors.add(doorId);
      this.audit({ kind: 'door_changed', doorId, actor: actor.name, detail: 'certificates revoked' });
    },
    renew: async (doorId, actor, options) => {
      this.record('doors.renew', doorId, actor, options);
      const door = this.doorMap.get(doorId);
      if (!door) throw new NotFoundError('door', doorId);
      return { door, bundle: this.fakeBundle(doorId, options?.csrPem !== undefined) };
    },
    remove: async (doorId, actor) => {
      this.record('doors.remove', doorId, actor);
      if (!this.doorMap.delete(doorId)) throw new NotFoundError('door', doorId);
      this.audit({ kind: 'door_changed', doorId, actor: actor.name, detail: 'deleted' });
    },
    certificates: async (doorId) => {
      if (!this.doorMap.has(doorId)) throw new NotFoundError('door', doorId);
      return [
        {
          id: 'abc123',
          status: this.revokedDoors.has(doorId) ? ('revoked' as const) : ('active' as const),
          notAfter: Date.UTC(2027, 11, 4),
        },
      ];
    },
    acknowledgeAlarm: async (doorId, actor) => {
      this.record('doors.acknowledgeAlarm', doorId, actor);
      const door = this.doorMap.get(doorId);
      if (!door) throw new NotFoundError('door', doorId);
      if (door.alarm === null) return door;
      this.audit({ kind: 'door_changed', doorId, actor: actor.name, detail: `alarm acknowledged: ${door.alarm}` });
      this.changeDoor(doorId, { alarm: null, alarmSince: null });
      return this.doorMap.get(doorId)!;
    },
    remoteUnlock: async (doorId, reason, actor) => {
      this.record('doors.remoteUnlock', doorId, reason, actor);
      if (!this.doorMap.has(doorId)) throw new NotFoundError('door', doorId);
      const decisionId = randomUUID();
      this.audit({
        kind: 'remote_unlock',
        doorId,
        reason: 'remote',
        result: 'granted',
        actor: actor.name,
        detail: reason,
        decisionId,
      });
      return { decisionId };
    },
    subscribe: (listener) => {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    },
  };

  events: FacegateServices['events'] = {
    list: async (filter?: EventFilter) => {
      this.record('events.list', filter);
      const events = this.eventList
        .filter((e) => !filter?.doorId || e.doorId === filter.doorId)
        .filter((e) => !filter?.personId || e.personId === filter.personId)
        .filter((e) => !filter?.result || e.result === filter.result)
        .filter((e) => !filter?.kind || e.kind === filter.kind)
        .filter((e) => filter?.from === undefined || e.at >= filter.from)
        .filter((e) => filter?.to === undefined || e.at <= filter.to)
        .slice(0, filter?.limit ?? 100);
      return { events, cursor: null };
    },
    getSnapshot: async (key) => {
      this.record('events.getSnapshot', key);
      const bytes = this.snapshots.get(key);
      return bytes ? { bytes, contentType: 'image/jpeg' } : null;
    },
  };
}

function fakeCheck(): PhotoCheck {
  return {
    ok: true,
    issues: [],
    face: {
      box: { x: 60, y: 60, width: 120, height: 120 },
      confidence: 0.99,
      yaw: 0,
      pitch: 0,
      roll: 0,
      sharpness: 80,
    },
    faceCount: 1,
    matchedPerson: null,
  };
}
