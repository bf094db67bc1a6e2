/**
 * The issue's done-when: a client with a certificate for door A cannot publish frames as door B
 * nor read B's commands — plus the rest of the IoT-policy-like rules, on a real broker over mTLS.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectBackendMqtt, type BackendMqtt } from '../../cloud/src/adapters/local/mqtt/backend-mqtt.js';
import { MAX_MQTT_MESSAGE_BYTES, doorTopics, type UnlockCommand } from '../../protocol/index.js';
import { silentLogger } from '../../lib/logger.js';
import {
  connectClient,
  publishOutcome,
  endAll,
  eventually,
  nextMessage,
  startBrokerFixture,
  type BrokerFixture,
} from './support/fixtures.js';

let fx: BrokerFixture;
let backend: BackendMqtt;
/** Everything the back end received, as `${channel} ${doorId} ${payload}`. */
const received: string[] = [];
const open: MqttClient[] = [];

async function door(doorId: string, clientId = doorId): Promise<MqttClient> {
  const client = await connectClient(fx, doorId, clientId);
  open.push(client);
  return client;
}

function unlock(doorId: string, decisionId: string): UnlockCommand {
  const now = Date.now();
  return {
    v: 2,
    type: 'unlock',
    doorId,
    decisionId,
    issuedAt: now,
    expiresAt: now + 5000,
    pulseMs: 3000,
    source: 'face',
  };
}

/** Proves the back end is caught up: a legit marker sent after the act under test has arrived. */
async function backendSawMarker(doorId: string): Promise<void> {
  const marker = `marker-${Math.random().toString(36).slice(2)}`;
  const client = await door(doorId);
  await client.publishAsync(doorTopics('local', doorId).events, marker, { qos: 1 });
  await eventually(() => received.includes(`events ${doorId} ${marker}`));
  await client.endAsync();
}

beforeAll(async () => {
  fx = await startBrokerFixture();
  backend = await connectBackendMqtt({
    siteId: 'local',
    host: '127.0.0.1',
    port: fx.port,
    caPem: fx.ca.caCertPem,
    ...fx.backend,
    logger: silentLogger(),
  });
  backend.onFrame((doorId, payload) =>
    received.push(`frames ${doorId} ${payload.length > 1000 ? `${payload.length}B` : payload.toString()}`),
  );
  backend.onEvent((doorId, payload) => received.push(`events ${doorId} ${payload.toString()}`));
  backend.onStatus((doorId, payload) => received.push(`status ${doorId} ${payload.toString()}`));
});

afterEach(async () => {
  await endAll(...open.splice(0));
});

afterAll(async () => {
  await backend?.close();
  await fx?.close();
});

describe('door publishing', () => {
  it('door A publishes its own frames and the back end receives them with A as door id', async () => {
    const a = await door('door-a');
    await a.publishAsync(doorTopics('local', 'door-a').frames, 'frame-from-a', { qos: 1 });
    await eventually(() => received.includes('frames door-a frame-from-a'));
  });

  it('door A publishing frames as door B is refused, logged, and nobody sees it', async () => {
    const b = await door('door-b');
    await b.subscribeAsync(doorTopics('local', 'door-b').commands);
    const bSaw: string[] = [];
    b.on('message', (t, p) => bSaw.push(`${t} ${p.toString()}`));

    const a = await door('door-a');
    // MQTT 3.1.1 has no negative PUBACK: the broker drops the connection.
    expect(await publishOutcome(a, doorTopics('local', 'door-b').frames, 'forged-frame')).toBe('dropped');
    await backendSawMarker('door-b');

    expect(received.filter((r) => r.includes('forged-frame'))).toEqual([]);
    expect(bSaw).toEqual([]);
    expect(fx.logs()).toContainEqual(
      expect.objectContaining({
        msg: 'refused publish',
        identity: 'door-a',
        topic: 'facegate/local/doors/door-b/frames',
      }),
    );
  });

  it('a door may not publish commands, not even to itself, nor to topics outside its own', async () => {
    for (const topic of [
      doorTopics('local', 'door-a').commands,
      'facegate/local/doors/door-a/secrets',
      'something/else',
      doorTopics('local', 'door-b').status,
    ]) {
      const a = await door('door-a');
      expect(await publishOutcome(a, topic, 'nope'), topic).toBe('dropped');
    }
    await backendSawMarker('door-a');
    expect(received.filter((r) => r.includes('nope'))).toEqual([]);
  });

  it('a door may retain its status but not its frames', async () => {
    const a = await door('door-a');
    await a.publishAsync(doorTopics('local', 'door-a').status, 'retained-status', { qos: 1, retain: true });
    await eventually(() => received.includes('status door-a retained-status'));
    expect(await publishOutcome(a, doorTopics('local', 'door-a').frames, 'retained-frame', { retain: true })).toBe(
      'dropped',
    );
    await backendSawMarker('door-a');
    expect(received.filter((r) => r.includes('retained-frame'))).toEqual([]);
    // Clear the retained status so later tests start clean.
    const again = await door('door-a');
    await again.publishAsync(doorTopics('local', 'door-a').status, '', { qos: 1, retain: true });
  });

  it(`refuses a payload over ${MAX_MQTT_MESSAGE_BYTES} bytes and logs door, topic and size; 100 KB passes`, async () => {
    const a = await door('door-a');
    await a.publishAsync(doorTopics('local', 'door-a').frames, Buffer.alloc(100 * 1024, 1), { qos: 1 });
    await eventually(() => received.includes(`frames door-a ${100 * 1024}B`));

    expect(await publishOutcome(a, doorTopics('local', 'door-a').frames, Buffer.alloc(129 * 1024, 2))).toBe('dropped');
    await backendSawMarker('door-a');
    expect(received).not.toContain(`frames door-a ${129 * 1024}B`);
    expect(fx.logs()).toContainEqual(
      expect.objectContaining({
        msg: 'refused publish',
        identity: 'door-a',
        topic: doorTopics('local', 'door-a').frames,
        bytes: 129 * 1024,
      }),
    );
  });
});

describe('door subscribing', () => {
  it("door A cannot read door B's commands: SUBACK failure and no delivery", async () => {
    const a = await door('door-a');
    // mqtt.js turns a 0x80 return code in the SUBACK into a rejection carrying the packet.
    await expect(a.subscribeAsync(doorTopics('local', 'door-b').commands, { qos: 1 })).rejects.toMatchObject({
      packet: { granted: [128] },
    });
    const aSaw: string[] = [];
    a.on('message', (t) => aSaw.push(t));

    const b = await door('door-b');
    await b.subscribeAsync(doorTopics('local', 'door-b').commands, { qos: 1 });
    const bGets = nextMessage(b, doorTopics('local', 'door-b').commands);
    await backend.publishCommand(unlock('door-b', 'decision-for-b'));
    expect(JSON.parse((await bGets).toString())).toMatchObject({ doorId: 'door-b', decisionId: 'decision-for-b' });

    // A is still connected (a refused SUBSCRIBE does not drop it) and got nothing.
    expect(a.connected).toBe(true);
    expect(aSaw).toEqual([]);
    expect(fx.logs()).toContainEqual(
      expect.objectContaining({
        msg: 'refused subscribe',
        identity: 'door-a',
        topic: doorTopics('local', 'door-b').commands,
      }),
    );
  });

  it('a door may not use wildcards nor read other channels', async () => {
    const a = await door('door-a');
    const filters = [
      'facegate/local/doors/+/commands',
      'facegate/#',
      '#',
      doorTopics('local', 'door-b').frames,
      doorTopics('local', 'door-a').frames,
      doorTopics('local', 'door-a').status,
    ];
    for (const filter of filters) {
      await expect(a.subscribeAsync(filter, { qos: 1 }), filter).rejects.toMatchObject({ packet: { granted: [128] } });
    }
    const ok = await a.subscribeAsync(doorTopics('local', 'door-a').commands, { qos: 1 });
    expect(ok.map((g) => g.qos)).toEqual([1]);
  });
});

describe('back end commands', () => {
  it('publishCommand reaches only the door it is for', async () => {
    const a = await door('door-a');
    const b = await door('door-b');
    await a.subscribeAsync(doorTopics('local', 'door-a').commands, { qos: 1 });
    await b.subscribeAsync(doorTopics('local', 'door-b').commands, { qos: 1 });
    const bSaw: string[] = [];
    b.on('message', (_t, p) => bSaw.push(p.toString()));

    const aGets = nextMessage(a, doorTopics('local', 'door-a').commands);
    await backend.publishCommand(unlock('door-a', 'decision-for-a'));
    expect(JSON.parse((await aGets).toString())).toMatchObject({
      type: 'unlock',
      doorId: 'door-a',
      decisionId: 'decision-for-a',
    });

    // B is caught up once its own command arrives: the command for A never did.
    const bGets = nextMessage(b, doorTopics('local', 'door-b').commands);
    await backend.publishCommand(unlock('door-b', 'decision-for-b2'));
    await bGets;
    expect(bSaw.some((p) => p.includes('decision-for-a'))).toBe(false);
  });

  it('refuses an invalid command before it reaches the broker', async () => {
    await expect(
      backend.publishCommand({ ...unlock('door-a', 'decision-bad'), pulseMs: 10 ** 9 }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(backend.publishCommand({ ...unlock('door-a', 'decision-bad'), doorId: '+' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});

describe('connection rules', () => {
  it('a door must use its door id as client id', async () => {
    await expect(connectClient(fx, 'door-a', 'door-b')).rejects.toThrow(/Identifier rejected|identifier/i);
    await expect(connectClient(fx, 'door-a', 'facegate-backend')).rejects.toThrow(/Identifier rejected|identifier/i);
  });

  it('the back end cannot connect under a door id', async () => {
    await expect(connectClient(fx, 'facegate-backend', 'door-a')).rejects.toThrow(/Identifier rejected|identifier/i);
  });

  it("a door's last will must be its own status", async () => {
    const forged = {
      topic: doorTopics('local', 'door-b').status,
      payload: Buffer.from('forged-will'),
      qos: 1 as const,
      retain: true,
    };
    await expect(connectClient(fx, 'door-a', 'door-a', { will: forged })).rejects.toThrow(/Not authorized/i);
    const onFrames = {
      topic: doorTopics('local', 'door-a').frames,
      payload: Buffer.from('will-as-frame'),
      qos: 1 as const,
      retain: false,
    };
    await expect(connectClient(fx, 'door-a', 'door-a', { will: onFrames })).rejects.toThrow(/Not authorized/i);

    const own = {
      topic: doorTopics('local', 'door-a').status,
      payload: Buffer.from('a-is-gone'),
      qos: 1 as const,
      retain: true,
    };
    const a = await connectClient(fx, 'door-a', 'door-a', { will: own });
    a.stream.destroy(); // vanish without DISCONNECT: the broker publishes the will
    await eventually(() => received.includes('status door-a a-is-gone'));
    const cleaner = await door('door-a');
    await cleaner.publishAsync(doorTopics('local', 'door-a').status, '', { qos: 1, retain: true });
  });
});
