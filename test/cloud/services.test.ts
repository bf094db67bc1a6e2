/**
 * Application services over real local adapters: SQLite records, the encrypted file store, the
 * local CA as door provisioner. Enrollment and erasure with real faces are in
 * recognition.faces.test.ts.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { parseAgentConfig } from '../../agent/src/config.js';
import { makeDoorKeyRequest } from '../../agent/src/door-key.js';
import { openLocalCa } from '../../cloud/src/adapters/local/ca/index.js';
import { LocalDoorProvisioner } from '../../cloud/src/adapters/local/ca/local-door-provisioner.js';
import { createDoorChangeFeed } from '../../cloud/src/app/door-change-feed.js';
import { createServices } from '../../cloud/src/app/create-services.js';
import type { FacegateServices } from '../../cloud/src/app/services.js';
import { isValidId } from '../../cloud/src/domain/ids.js';
import type { DoorProvisioner } from '../../cloud/src/ports/door-provisioner.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { makeEvent } from '../support/records.js';
import { openLocalStores, type LocalStores } from './support/local-stores.js';
import { RecordingMessaging } from './support/recording-messaging.js';
import { ScriptedFaceIndex } from './support/scripted-face-index.js';

const NOW = 1_767_225_600_000;
const admin = { name: 'admin' };

describe('services', () => {
  let stores: LocalStores;
  let messaging: RecordingMessaging;
  let provisioner: DoorProvisioner;
  let services: FacegateServices;
  const feed = createDoorChangeFeed();
  let caDir: string;

  beforeAll(async () => {
    // One CA for the file (creating its key is the slow part); each test gets fresh stores.
    caDir = makeTempDir('services-ca');
    const ca = await openLocalCa(path.join(caDir, 'ca'), silentLogger());
    provisioner = new LocalDoorProvisioner(ca, { siteId: 'local', host: 'facegate.local', port: 8883 });
  });
  afterAll(() => removeDir(caDir));

  beforeEach(async () => {
    stores = openLocalStores('services');
    messaging = new RecordingMessaging();
    services = createServices({
      records: stores.records,
      faceIndex: new ScriptedFaceIndex(), // not reached by these tests
      images: stores.images,
      messaging,
      provisioner,
      clock: () => NOW,
      logger: silentLogger(),
      doorFeed: feed,
    });
  });
  afterEach(async () => {
    await stores.close();
  });

  describe('people', () => {
    it('creates a person with a fresh protocol-valid id and an audit event', async () => {
      const p = await services.people.create(
        { name: '  Alice Example ', allowedDoors: ['lab', 'lab', 'front-door'] },
        admin,
      );
      expect(isValidId(p.personId)).toBe(true);
      expect(p).toMatchObject({
        name: 'Alice Example',
        status: 'active',
        validFrom: null,
        validUntil: null,
        allowedDoors: ['lab', 'front-door'],
        createdAt: NOW,
      });
      expect(await services.people.get(p.personId)).toEqual({ ...p, faces: [] });
      expect(await services.people.list()).toEqual([{ ...p, faceCount: 0 }]);
      const { events } = await services.events.list({ kind: 'person_created' });
      expect(events).toEqual([
        expect.objectContaining({ personId: p.personId, personName: 'Alice Example', actor: 'admin' }),
      ]);
    });

    it('refuses bad input with a clear error and stores nothing', async () => {
      await expect(services.people.create({ name: '   ' }, admin)).rejects.toMatchObject({
        code: 'invalid_input',
        message: /name/,
      });
      await expect(services.people.create({ name: 'A', allowedDoors: ['Front Door'] }, admin)).rejects.toMatchObject({
        code: 'invalid_input',
      });
      await expect(services.people.create({ name: 'A', validFrom: NOW, validUntil: NOW - 1 }, admin)).rejects.toThrow(
        /validUntil is before validFrom/,
      );
      await expect(services.people.create({ name: 'A', extra: 1 } as never, admin)).rejects.toMatchObject({
        code: 'invalid_input',
      });
      expect(await services.people.list()).toEqual([]);
      expect((await services.events.list()).events).toEqual([]);
    });

    it('updates only what the patch says, and deactivates', async () => {
      const p = await services.people.create({ name: 'Bob', validUntil: NOW + 1000 }, admin);
      const u = await services.people.update(p.personId, { status: 'inactive', allowedDoors: [] }, admin);
      expect(u).toEqual({ ...p, status: 'inactive', allowedDoors: [], updatedAt: NOW });
      expect(await services.people.get(p.personId)).toMatchObject({ status: 'inactive', validUntil: NOW + 1000 });
      await expect(services.people.update(p.personId, { validFrom: NOW + 5000 }, admin)).rejects.toThrow(
        /validUntil is before validFrom/,
      );
      await expect(services.people.update('nobody-000', { name: 'X' }, admin)).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(services.people.update(p.personId, { status: 'gone' as never }, admin)).rejects.toMatchObject({
        code: 'invalid_input',
      });
      expect((await services.events.list({ kind: 'person_updated' })).events[0]?.detail).toBe(
        'changed: allowedDoors, status',
      );
    });

    it('lists with a validated filter', async () => {
      await services.people.create({ name: 'Alice' }, admin);
      const bob = await services.people.create({ name: 'Bob' }, admin);
      await services.people.update(bob.personId, { status: 'inactive' }, admin);
      expect((await services.people.list({ status: 'inactive' })).map((p) => p.name)).toEqual(['Bob']);
      expect((await services.people.list({ search: 'ali' })).map((p) => p.name)).toEqual(['Alice']);
      await expect(services.people.list({ status: 'gone' as never })).rejects.toMatchObject({ code: 'invalid_input' });
    });

    it('get of an unknown or malformed id is null; erase of an unknown person is not_found', async () => {
      expect(await services.people.get('nobody-000')).toBeNull();
      expect(await services.people.get('../../etc')).toBeNull();
      await expect(services.people.erase('nobody-000', admin)).rejects.toMatchObject({ code: 'not_found' });
    });
  });

  describe('doors', () => {
    it('creates a door with a certificate and an agent config the agent accepts', async () => {
      const { door, bundle } = await services.doors.create({ doorId: 'front-door', name: 'Front door' }, admin);
      expect(door).toMatchObject({
        doorId: 'front-door',
        name: 'Front door',
        enabled: true,
        pulseMs: 3000,
        online: false,
        lock: 'unknown',
        createdAt: NOW,
      });
      expect(await services.doors.get('front-door')).toEqual(door);
      expect(bundle.credentials.certificatePem).toMatch(/BEGIN CERTIFICATE/);
      expect(bundle.credentials.privateKeyPem).toMatch(/PRIVATE KEY/);
      const config = parseAgentConfig(bundle.agentConfig, '/opt/facegate');
      expect(config).toMatchObject({
        doorId: 'front-door',
        mqtt: {
          endpoint: 'facegate.local',
          port: 8883,
          caFile: '/opt/facegate/ca.pem',
          certFile: '/opt/facegate/door.crt',
          keyFile: '/opt/facegate/door.key',
        },
        camera: { type: 'stream' },
        relay: { type: 'gpio', pin: 17 },
      });
      expect((await services.events.list({ kind: 'door_created' })).events).toEqual([
        expect.objectContaining({ doorId: 'front-door', actor: 'admin' }),
      ]);
    });

    it('the single-file bundle is an agent config the agent accepts as it is', async () => {
      const { bundle } = await services.doors.create({ doorId: 'front-door', name: 'Front door' }, admin);
      expect(bundle.file.bundle).toEqual({
        format: 'facegate-door-bundle',
        version: 1,
        createdAt: new Date(NOW).toISOString(),
        certificateNotAfter: new Date(bundle.credentials.notAfter).toISOString(),
        privateKeyIncluded: true,
      });
      const config = parseAgentConfig(JSON.parse(JSON.stringify(bundle.file)), '/etc/facegate');
      expect(config.mqtt).toMatchObject({
        endpoint: 'facegate.local',
        caPem: bundle.credentials.caPem,
        certPem: bundle.credentials.certificatePem,
        keyPem: bundle.credentials.privateKeyPem,
      });
      expect(config.mqtt.caFile).toBeUndefined();
    });

    it("with the door's request, the bundle carries no key and points at the door's own key file", async () => {
      const { csrPem } = await makeDoorKeyRequest('front-door');
      const { bundle } = await services.doors.create({ doorId: 'front-door', name: 'Front door' }, admin, {
        csrPem,
        hardware: 'simulated',
      });
      expect(bundle.credentials.privateKeyPem).toBeUndefined();
      expect(bundle.file.bundle.privateKeyIncluded).toBe(false);
      expect(JSON.stringify(bundle.file)).not.toMatch(/PRIVATE KEY/);
      const config = parseAgentConfig(JSON.parse(JSON.stringify(bundle.file)), '/etc/facegate');
      expect(config.mqtt.keyFile).toBe('/etc/facegate/door.key');
      expect(config).toMatchObject({ camera: { type: 'directory' }, relay: { type: 'simulated' } });
      await expect(
        services.doors.create({ doorId: 'lab', name: 'Lab' }, admin, { csrPem: 'not a request' }),
      ).rejects.toMatchObject({ code: 'invalid_input' });
      expect(await services.doors.get('lab')).toBeNull();
    });

    it("puts the door's wiring in every bundle made for it: create, renew, renew with new wiring, re-provision", async () => {
      const hardware = (file: object) => {
        const c = parseAgentConfig(JSON.parse(JSON.stringify(file)), '/etc/facegate');
        return { relay: c.relay, contact: c.contact, exitButton: c.exitButton };
      };
      const wiring = { relayPin: 23, relayActiveLow: true, contactPin: 27, exitButtonPin: 22 };
      const created = await services.doors.create({ doorId: 'lab', name: 'Lab', wiring }, admin);
      expect(created.door.wiring).toEqual(wiring);
      expect(hardware(created.bundle.file)).toEqual({
        relay: { type: 'gpio', pin: 23, activeLow: true },
        contact: { type: 'gpio', pin: 27, openWhen: 'high', debounceMs: 50 },
        exitButton: { type: 'gpio', pin: 22, pressedWhen: 'low', pulseMs: 5000, debounceMs: 50 },
      });
      // A renewal is what used to lose a hand-added contact: it keeps the stored wiring.
      const renewed = await services.doors.renew('lab', admin);
      expect(hardware(renewed.bundle.file)).toEqual(hardware(created.bundle.file));

      const noButton = { ...wiring, relayActiveLow: false, exitButtonPin: null };
      const rewired = await services.doors.renew('lab', admin, { wiring: noButton });
      expect(rewired.door.wiring).toEqual(noButton);
      expect(await services.doors.get('lab')).toMatchObject({ wiring: noButton });
      expect(hardware(rewired.bundle.file)).toMatchObject({
        relay: { pin: 23, activeLow: false },
        contact: { pin: 27 },
        exitButton: undefined,
      });
      const renewals = (await services.events.list({ doorId: 'lab', kind: 'door_changed' })).events.map(
        (e) => e.detail,
      );
      expect(renewals).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/valid until [^;]*; wiring now relay GPIO 23, contact GPIO 27, no exit button$/),
        ]),
      );

      await services.doors.revoke('lab', admin);
      const again = await services.doors.create({ doorId: 'lab', name: 'Lab' }, admin);
      expect(again.door.wiring).toEqual(noButton); // re-provisioned without wiring: the stored one
      expect(hardware(again.bundle.file).contact).toMatchObject({ pin: 27 });
    });

    it('refuses a wiring that shares a line or names a pin off the header, and changes nothing', async () => {
      const shared = { relayPin: 17, relayActiveLow: false, contactPin: 17, exitButtonPin: null };
      await expect(services.doors.create({ doorId: 'lab', name: 'Lab', wiring: shared }, admin)).rejects.toThrow(
        /relay and the contact cannot share GPIO 17/,
      );
      expect(await services.doors.get('lab')).toBeNull();
      const offHeader = { relayPin: 40, relayActiveLow: false, contactPin: null, exitButtonPin: null };
      await expect(
        services.doors.create({ doorId: 'lab', name: 'Lab', wiring: offHeader }, admin),
      ).rejects.toMatchObject({ code: 'invalid_input' });

      await services.doors.create({ doorId: 'lab', name: 'Lab' }, admin);
      const before = await services.doors.certificates('lab');
      await expect(services.doors.renew('lab', admin, { wiring: shared })).rejects.toMatchObject({
        code: 'invalid_input',
      });
      expect(await services.doors.certificates('lab')).toEqual(before); // no certificate issued
      expect((await services.doors.get('lab'))?.wiring).toMatchObject({ contactPin: null });
    });

    it('disable, enable, revoke, provision again, renew and delete, each audited; delete keeps the events', async () => {
      const removed: string[] = [];
      const { door } = await services.doors.create({ doorId: 'lab', name: 'Lab' }, admin);
      expect((await services.doors.setEnabled('lab', false, admin)).enabled).toBe(false);
      await expect(services.doors.remoteUnlock('lab', 'courier here', admin)).rejects.toMatchObject({
        code: 'conflict',
      });
      await services.doors.setEnabled('lab', true, admin);
      await expect(services.doors.create({ doorId: 'lab', name: 'Lab' }, admin)).rejects.toMatchObject({
        code: 'conflict',
      });
      await services.doors.revoke('lab', admin);
      expect((await services.doors.certificates('lab')).every((c) => c.status === 'revoked')).toBe(true);
      const again = await services.doors.create({ doorId: 'lab', name: 'Lab' }, admin);
      expect(again.door).toEqual({ ...door, enabled: true });
      await services.doors.renew('lab', admin);
      const statuses = (await services.doors.certificates('lab')).map((c) => c.status);
      expect(statuses.filter((s) => s === 'active')).toHaveLength(2);
      const withHook = createServices({
        records: stores.records,
        faceIndex: new ScriptedFaceIndex(),
        images: stores.images,
        messaging,
        provisioner,
        clock: () => NOW,
        logger: silentLogger(),
        doorFeed: feed,
        onDoorRemoved: (id) => removed.push(id),
      });
      await withHook.doors.remove('lab', admin);
      expect(removed).toEqual(['lab']);
      expect(await services.doors.get('lab')).toBeNull();
      expect(await services.doors.list()).toEqual([]);
      await expect(services.doors.remove('lab', admin)).rejects.toMatchObject({ code: 'not_found' });
      const log = (await services.events.list({ doorId: 'lab' })).events.map((e) => `${e.kind}: ${e.detail}`);
      // Every event has the same fixed clock time here, so compare as a set.
      expect(log).toHaveLength(7);
      expect(log).toEqual(
        expect.arrayContaining([
          'door_created: Lab; relay GPIO 17, no door contact, no exit button',
          'door_changed: disabled: its frames are refused',
          'door_changed: enabled',
          'door_changed: certificates revoked',
          'door_changed: re-provisioned: new certificate issued; relay GPIO 17, no door contact, no exit button',
          expect.stringMatching(/^door_changed: certificate renewed, valid until \d{4}-/),
          'door_changed: deleted (was "Lab")',
        ]),
      );
    });

    it('disabling a door keeps the alarm the door reported between the read and the write', async () => {
      await services.doors.create({ doorId: 'lab', name: 'Lab' }, admin);
      // Telemetry lands just after the service has read the door: a whole-record write from that
      // read would put the alarm back to none.
      const racing = new Proxy(stores.records, {
        get(target, prop) {
          if (prop === 'getDoor') {
            return async (doorId: string) => {
              const door = await target.getDoor(doorId);
              await target.updateDoorState(doorId, { alarm: 'forced_open', alarmSince: NOW - 1000, lock: 'unlocked' });
              return door;
            };
          }
          const value: unknown = Reflect.get(target, prop);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const raced = createServices({
        records: racing,
        faceIndex: new ScriptedFaceIndex(),
        images: stores.images,
        messaging,
        provisioner,
        clock: () => NOW,
        logger: silentLogger(),
        doorFeed: createDoorChangeFeed(),
      });
      const after = await raced.doors.setEnabled('lab', false, admin);
      expect(await stores.records.getDoor('lab')).toMatchObject({
        enabled: false,
        alarm: 'forced_open',
        alarmSince: NOW - 1000,
        lock: 'unlocked',
      });
      expect(after).toMatchObject({ enabled: false, alarm: 'forced_open' });
    });

    it('refuses a bad or duplicate door id, and a pulse out of bounds', async () => {
      await expect(services.doors.create({ doorId: 'Front Door', name: 'x' }, admin)).rejects.toMatchObject({
        code: 'invalid_input',
      });
      await expect(services.doors.create({ doorId: 'lab', name: 'x', pulseMs: 60_000 }, admin)).rejects.toMatchObject({
        code: 'invalid_input',
      });
      await services.doors.create({ doorId: 'lab', name: 'Lab' }, admin);
      await expect(services.doors.create({ doorId: 'lab', name: 'Lab again' }, admin)).rejects.toMatchObject({
        code: 'conflict',
      });
      expect((await services.doors.list()).map((d) => d.doorId)).toEqual(['lab']);
    });

    it('remote unlock sends an unlock (source remote) and logs who and why', async () => {
      await services.doors.create({ doorId: 'lab', name: 'Lab', pulseMs: 1500 }, admin);
      const { decisionId } = await services.doors.remoteUnlock('lab', 'courier at the door', { name: 'carol' });
      expect(messaging.published).toEqual([
        expect.objectContaining({
          type: 'unlock',
          source: 'remote',
          doorId: 'lab',
          decisionId,
          pulseMs: 1500,
          issuedAt: NOW,
        }),
      ]);
      expect((await services.events.list({ kind: 'remote_unlock' })).events).toEqual([
        expect.objectContaining({
          doorId: 'lab',
          result: 'granted',
          reason: 'remote',
          actor: 'carol',
          detail: 'courier at the door',
          decisionId,
        }),
      ]);
    });

    it('remote unlock refuses an unknown or disabled door, and needs a reason', async () => {
      await expect(services.doors.remoteUnlock('ghost', 'x', admin)).rejects.toMatchObject({ code: 'not_found' });
      await services.doors.create({ doorId: 'lab', name: 'Lab' }, admin);
      await expect(services.doors.remoteUnlock('lab', '  ', admin)).rejects.toMatchObject({ code: 'invalid_input' });
      await stores.records.putDoor({ ...(await stores.records.getDoor('lab'))!, enabled: false });
      await expect(services.doors.remoteUnlock('lab', 'why', admin)).rejects.toMatchObject({ code: 'conflict' });
      expect(messaging.published).toEqual([]);
    });

    it('remote unlock that cannot be delivered is logged and reported', async () => {
      await services.doors.create({ doorId: 'lab', name: 'Lab' }, admin);
      messaging.failNext = true;
      await expect(services.doors.remoteUnlock('lab', 'test', admin)).rejects.toMatchObject({ code: 'upstream' });
      expect((await services.events.list({ kind: 'remote_unlock' })).events[0]?.detail).toBe('test (not delivered)');
    });

    it('subscribe forwards door changes until unsubscribed', async () => {
      const seen: string[] = [];
      const off = services.doors.subscribe((d) => seen.push(d.doorId));
      const { door } = await services.doors.create({ doorId: 'lab', name: 'Lab' }, admin);
      feed.publish(door);
      off();
      feed.publish(door);
      expect(seen).toEqual(['lab']);
    });
  });

  describe('events', () => {
    it('validates filters and keys', async () => {
      await stores.records.appendEvent(makeEvent('event-0001', { doorId: 'lab' }));
      expect((await services.events.list({ doorId: 'lab', limit: 10 })).events).toHaveLength(1);
      await expect(services.events.list({ limit: 0 })).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(services.events.list({ doorId: '../x' })).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(services.events.getSnapshot('photos/p1/face.jpg')).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(services.events.getSnapshot('snapshots/../../keys/data.key')).rejects.toMatchObject({
        code: 'invalid_input',
      });
      await expect(services.enrollment.getPhoto('snapshots/lab/2026-01-01/e.jpg')).rejects.toMatchObject({
        code: 'invalid_input',
      });
      expect(await services.events.getSnapshot('snapshots/lab/2026-01-01/none.jpg')).toBeNull();
    });
  });
});
