/** The topic rules as pure functions, case by case (the broker tests prove they are wired in). */
import { describe, expect, it } from 'vitest';
import {
  checkPublish,
  checkSubscribe,
  checkWill,
  MAX_DOOR_RECORD_BYTES,
} from '../../cloud/src/adapters/local/broker/acl.js';
import {
  identityFromCommonName,
  isBackendClientId,
  BACKEND_IDENTITY,
} from '../../cloud/src/adapters/local/broker/identity.js';
import { MAX_MQTT_MESSAGE_BYTES } from '../../protocol/index.js';

const SITE = 'local';
const doorA = identityFromCommonName('door-a')!;
const backend = identityFromCommonName(BACKEND_IDENTITY)!;
const pub = (topic: string, payloadBytes = 10, retain = false) => ({ topic, payloadBytes, retain });

describe('identities', () => {
  it('maps a CN to a door, the back end, or nothing', () => {
    expect(doorA).toEqual({ kind: 'door', cn: 'door-a', doorId: 'door-a' });
    expect(backend).toEqual({ kind: 'backend', cn: BACKEND_IDENTITY });
    for (const cn of ['Door-A', 'door/a', '', '+', '#', 'facegate-backend-2', 'a'.repeat(65)]) {
      expect(identityFromCommonName(cn), cn).toBeNull();
    }
  });

  it('lets the back end use its CN or a suffixed client id, nothing else', () => {
    expect(isBackendClientId('facegate-backend')).toBe(true);
    expect(isBackendClientId('facegate-backend-cli-1')).toBe(true);
    for (const id of ['door-a', 'facegate-backend-', 'facegate-backend-a/b', 'xfacegate-backend'])
      expect(isBackendClientId(id), id).toBe(false);
  });
});

describe('publish rules', () => {
  it('a door publishes only its own frames, events and status', () => {
    for (const ch of ['frames', 'events', 'status'])
      expect(checkPublish(doorA, pub(`facegate/local/doors/door-a/${ch}`), SITE).ok, ch).toBe(true);
    for (const topic of [
      'facegate/local/doors/door-b/frames',
      'facegate/local/doors/door-a/commands',
      'facegate/local/doors/door-a/frames/extra',
      'facegate/local/doors/+/frames',
      'facegate/local/doors/door-a',
      '$SYS/broker/x',
      'other/topic',
    ]) {
      expect(checkPublish(doorA, pub(topic), SITE).ok, topic).toBe(false);
    }
  });

  it('only status may be retained, and never a command', () => {
    expect(checkPublish(doorA, pub('facegate/local/doors/door-a/status', 10, true), SITE).ok).toBe(true);
    expect(checkPublish(doorA, pub('facegate/local/doors/door-a/frames', 10, true), SITE).ok).toBe(false);
    expect(checkPublish(backend, pub('facegate/local/doors/door-a/commands', 10, true), SITE).ok).toBe(false);
  });

  it('the back end publishes commands to any door and nothing else', () => {
    expect(checkPublish(backend, pub('facegate/local/doors/door-b/commands'), SITE).ok).toBe(true);
    for (const topic of [
      'facegate/local/doors/door-b/frames',
      'facegate/local/doors/door-b/status',
      'facegate/local/doors/+/commands',
      'x/y',
    ]) {
      expect(checkPublish(backend, pub(topic), SITE).ok, topic).toBe(false);
    }
  });

  it(`refuses payloads over ${MAX_MQTT_MESSAGE_BYTES} bytes for everyone`, () => {
    expect(checkPublish(doorA, pub('facegate/local/doors/door-a/frames', MAX_MQTT_MESSAGE_BYTES), SITE).ok).toBe(true);
    const over = checkPublish(doorA, pub('facegate/local/doors/door-a/frames', MAX_MQTT_MESSAGE_BYTES + 1), SITE);
    expect(over).toEqual({ ok: false, reason: expect.stringContaining('exceeds') });
    expect(
      checkPublish(backend, pub('facegate/local/doors/door-a/commands', MAX_MQTT_MESSAGE_BYTES + 1), SITE).ok,
    ).toBe(false);
  });

  it(`keeps a door's events and status within ${MAX_DOOR_RECORD_BYTES} bytes (frames may be larger)`, () => {
    for (const channel of ['events', 'status']) {
      const topic = `facegate/local/doors/door-a/${channel}`;
      expect(checkPublish(doorA, pub(topic, MAX_DOOR_RECORD_BYTES), SITE).ok, channel).toBe(true);
      expect(checkPublish(doorA, pub(topic, MAX_DOOR_RECORD_BYTES + 1), SITE), channel).toEqual({
        ok: false,
        reason: expect.stringContaining(`${channel} payload`),
      });
    }
    expect(checkPublish(doorA, pub('facegate/local/doors/door-a/frames', MAX_DOOR_RECORD_BYTES + 1), SITE).ok).toBe(
      true,
    );
  });

  it("a door's will must be its own status", () => {
    expect(checkWill(doorA, pub('facegate/local/doors/door-a/status', 10, true), SITE).ok).toBe(true);
    expect(checkWill(doorA, pub('facegate/local/doors/door-a/events'), SITE).ok).toBe(false);
    expect(checkWill(doorA, pub('facegate/local/doors/door-b/status', 10, true), SITE).ok).toBe(false);
  });
});

describe('subscribe rules', () => {
  it('a door subscribes to its own commands topic only, never with wildcards', () => {
    expect(checkSubscribe(doorA, 'facegate/local/doors/door-a/commands', SITE).ok).toBe(true);
    for (const filter of [
      'facegate/local/doors/door-b/commands',
      'facegate/local/doors/+/commands',
      'facegate/local/doors/door-a/+',
      'facegate/#',
      '#',
      'facegate/local/doors/door-a/frames',
    ]) {
      expect(checkSubscribe(doorA, filter, SITE).ok, filter).toBe(false);
    }
  });

  it("the back end subscribes to doors' frames, events and status, one door or all", () => {
    for (const filter of [
      'facegate/local/doors/+/frames',
      'facegate/local/doors/+/events',
      'facegate/local/doors/+/status',
      'facegate/local/doors/door-a/status',
    ]) {
      expect(checkSubscribe(backend, filter, SITE).ok, filter).toBe(true);
    }
    for (const filter of [
      '#',
      'facegate/#',
      'facegate/local/doors/+/commands',
      'facegate/local/doors/+/+',
      'facegate/local/doors/#',
      '$SYS/#',
      'facegate/local/doors/Bad/frames',
    ]) {
      expect(checkSubscribe(backend, filter, SITE).ok, filter).toBe(false);
    }
  });
});
