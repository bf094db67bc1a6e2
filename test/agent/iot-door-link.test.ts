/**
 * IotDoorLink end to end: aws-iot-device-sdk-v2 (MQTT 3.1.1, mutual TLS from files) against the
 * real local broker and the back end's real MQTT client. Nothing is mocked.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAgent } from '../../agent/src/agent.js';
import { PushCamera } from '../../agent/src/camera/push-camera.js';
import { IotDoorLink } from '../../agent/src/link/iot-door-link.js';
import { IdentityRefusedError } from '../../agent/src/errors.js';
import { SimulatedRelay } from '../../agent/src/relay/simulated-relay.js';
import { silentLogger } from '../../lib/logger.js';
import mqtt from 'mqtt';
import { BACKEND_IDENTITY, startLocalBroker } from '../../cloud/src/adapters/local/broker/index.js';
import { openLocalCa } from '../../cloud/src/adapters/local/ca/index.js';
import {
  DoorEventMessage,
  DoorStatusMessage,
  parseMessage,
  doorTopics,
  type DoorCommand,
  type FrameMessage,
} from '../../protocol/index.js';
import type { BackendMqtt } from '../../cloud/src/adapters/local/mqtt/backend-mqtt.js';
import { jpegWithSquare } from './support/images.js';
import { startLocalBrokerFixture, type LocalBrokerFixture } from '../support/broker-fixture.js';
import { captureLogger } from '../support/capture-logger.js';
import { freePort } from '../support/free-port.js';

/** What the link logs after each failed connection attempt. */
const CONNECT_RETRY = 'cannot reach the broker; retrying';
import { brightRegionGate } from './support/bright-region-detector.js';

let fx: LocalBrokerFixture;
let backend: BackendMqtt;
const received = {
  frames: [] as { doorId: string; body: Record<string, unknown> }[],
  events: [] as DoorEventMessage[],
  statuses: [] as DoorStatusMessage[],
};

beforeAll(async () => {
  fx = await startLocalBrokerFixture();
  backend = await fx.connectBackend();
  backend.onFrame((doorId, payload) =>
    received.frames.push({ doorId, body: JSON.parse(payload.toString()) as Record<string, unknown> }),
  );
  backend.onEvent((_doorId, payload) => {
    const r = parseMessage(DoorEventMessage, payload);
    if (r.ok) received.events.push(r.value);
  });
  backend.onStatus((_doorId, payload) => {
    const r = parseMessage(DoorStatusMessage, payload);
    if (r.ok) received.statuses.push(r.value);
  });
});
afterAll(async () => {
  await fx?.close();
});

async function newLink(doorId: string, overrides: Partial<ConstructorParameters<typeof IotDoorLink>[0]> = {}) {
  const files = await fx.doorFiles(doorId);
  return new IotDoorLink({
    siteId: 'local',
    doorId,
    endpoint: 'localhost',
    port: fx.port,
    ...files,
    keepAliveSec: 5,
    reconnectMinSec: 1,
    reconnectMaxSec: 2,
    logger: silentLogger(),
    ...overrides,
  });
}

/** Subscribes afresh (plain mqtt.js with the back end's certificate) and returns the retained status of one door. */
async function retainedStatus(doorId: string): Promise<Record<string, unknown>> {
  const creds = await fx.ca.issueClientCertificate(BACKEND_IDENTITY);
  const client = await mqtt.connectAsync({
    protocol: 'mqtts',
    host: '127.0.0.1',
    port: fx.port,
    ca: fx.ca.caCertPem,
    cert: creds.certPem,
    key: creds.keyPem,
    protocolVersion: 4,
    clientId: `${BACKEND_IDENTITY}-retained-check`,
    clean: true,
    reconnectPeriod: 0,
  });
  try {
    const message = new Promise<{ payload: Buffer; retain: boolean }>((resolve) =>
      client.on('message', (_t, payload, packet) => resolve({ payload, retain: packet.retain })),
    );
    await client.subscribeAsync(doorTopics('local', doorId).status, { qos: 1 });
    const { payload, retain } = await message;
    expect(retain).toBe(true);
    return JSON.parse(payload.toString()) as Record<string, unknown>;
  } finally {
    await client.endAsync();
  }
}

function unlockCommand(doorId: string, decisionId: string, pulseMs = 300): DoorCommand {
  const now = Date.now();
  return { v: 2, type: 'unlock', doorId, decisionId, issuedAt: now, expiresAt: now + 5000, pulseMs, source: 'face' };
}

describe('IotDoorLink against the local broker (mutual TLS)', () => {
  it('connects, receives its commands, and publishes frames, events and retained status', async () => {
    const link = await newLink('link-door-1');
    const commands: Buffer[] = [];
    const changes: boolean[] = [];
    link.onCommand((p) => commands.push(p));
    link.onConnectionChange((c) => changes.push(c));
    await link.connect();
    expect(link.connected).toBe(true);
    await vi.waitFor(() => expect(fx.broker.connectedDoors()).toContain('link-door-1'));

    // connect() resolves only once the commands subscription is in place.
    await backend.publishCommand(unlockCommand('link-door-1', 'link-cmd-0001'));
    await vi.waitFor(() => expect(commands.length).toBe(1));
    expect(JSON.parse(commands[0]!.toString())).toMatchObject({ type: 'unlock', doorId: 'link-door-1' });

    const jpeg = (await jpegWithSquare()).toString('base64');
    await link.publishFrame(frameMessage('link-door-1', 'frame-00000001', jpeg));
    await link.publishEvent({
      v: 2,
      doorId: 'link-door-1',
      eventId: 'event-00000001',
      type: 'door_opened',
      at: Date.now(),
    });
    await link.publishStatus({ v: 2, doorId: 'link-door-1', online: true, lock: 'locked', at: Date.now() });
    await vi.waitFor(() => {
      expect(received.frames.find((f) => f.doorId === 'link-door-1')?.body).toMatchObject({
        frameId: 'frame-00000001',
        jpeg,
      });
      expect(received.events.find((e) => e.doorId === 'link-door-1')).toMatchObject({ type: 'door_opened' });
      expect(received.statuses.find((s) => s.doorId === 'link-door-1')).toMatchObject({ online: true });
    });

    await link.disconnect();
    expect(link.connected).toBe(false);
    expect(changes).toEqual([true, false]);
    await expect(link.publishFrame(frameMessage('link-door-1', 'frame-00000002', jpeg))).rejects.toThrow(
      /not open|offline/,
    );
  });

  it('can connect again after disconnect() (an agent stopped and started in one process)', async () => {
    const link = await newLink('link-door-again');
    const commands: Buffer[] = [];
    link.onCommand((p) => commands.push(p));
    await link.connect();
    await link.disconnect();
    await link.connect();
    expect(link.connected).toBe(true);
    await backend.publishCommand(unlockCommand('link-door-again', 'link-again-0001'));
    await vi.waitFor(() => expect(commands).toHaveLength(1));
    await link.disconnect();
  });

  it('leaves a retained "offline, locked" status as its last will when the door dies uncleanly', async () => {
    const files = await fx.doorFiles('link-door-will');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./support/link-child.ts', import.meta.url)),
        'link-door-will',
        String(fx.port),
        files.caFile,
        files.certFile,
        files.keyFile,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('connected') && resolve());
        child.once('exit', (code) => reject(new Error(`link child exited early (${code})`)));
      });
      child.kill('SIGKILL');
      await vi.waitFor(
        () =>
          expect(received.statuses.filter((s) => s.doorId === 'link-door-will').at(-1)).toMatchObject({
            online: false,
            lock: 'locked',
          }),
        { timeout: 15_000 },
      );
      // Retained: a back end that subscribes later learns the door is offline too.
      const retained = await retainedStatus('link-door-will');
      expect(retained).toMatchObject({ online: false, lock: 'locked', doorId: 'link-door-will' });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('keeps retrying a first connection until the broker comes up', async () => {
    const port = await freePort();
    const log = captureLogger();
    const link = await newLink('link-door-retry', { port, logger: log.logger });
    const attempt = link.connect();
    // Two failed attempts prove it retries rather than giving up after the first.
    await vi.waitFor(() => expect(log.count(CONNECT_RETRY)).toBeGreaterThanOrEqual(2), { timeout: 15_000 });
    expect(link.connected).toBe(false);
    const server = await fx.ca.issueServerCertificate({ dns: ['localhost'], ips: ['127.0.0.1'] });
    const late = await startLocalBroker({
      siteId: 'local',
      host: '127.0.0.1',
      port,
      tls: { caPem: fx.ca.caCertPem, certPem: server.certPem, keyPem: server.keyPem },
      logger: silentLogger(),
    });
    try {
      await attempt;
      expect(link.connected).toBe(true);
      // A link that connected on a retry must still notice the broker going away (the SDK stops
      // emitting events on a connection object whose connect() once failed).
      await late.close();
      await vi.waitFor(() => expect(link.connected).toBe(false), { timeout: 10_000 });
      await link.disconnect();
    } finally {
      await late.close();
    }
  });

  it('stops retrying when disconnect() is called before it ever connected', async () => {
    const log = captureLogger();
    const link = await newLink('link-door-giveup', { port: await freePort(), logger: log.logger });
    const attempt = link.connect();
    await vi.waitFor(() => expect(log.count(CONNECT_RETRY)).toBeGreaterThanOrEqual(1), { timeout: 15_000 });
    await link.disconnect();
    await expect(attempt).rejects.toThrow(/closed before it connected/);
    expect(link.connected).toBe(false);
  });
});

describe('IotDoorLink refused by the broker', () => {
  it('gives up after 3 refused CONNECTs in a row when its certificate is revoked while connected', async () => {
    const log = captureLogger();
    const link = await newLink('link-door-revoked', { logger: log.logger });
    const refused: Error[] = [];
    link.onRefused((err) => refused.push(err));
    try {
      await link.connect();
      expect(link.connected).toBe(true);
      await fx.ca.revoke('link-door-revoked');
      // The broker drops it; every reconnect is refused (CONNACK "not authorized"), and the link stops trying.
      await vi.waitFor(() => expect(refused).toHaveLength(1), { timeout: 30_000, interval: 200 });
      expect(refused[0]).toBeInstanceOf(IdentityRefusedError);
      expect(refused[0]!.message).toMatch(/refused this door's certificate 3 times in a row/);
      expect(link.connected).toBe(false);
      // Two refusals retried with backoff, the third ends it.
      expect(log.count('the broker refused this door; retrying')).toBe(2);
    } finally {
      await link.disconnect();
    }
  });

  it('rejects connect() with IdentityRefusedError when the first connection is refused for good', async () => {
    const link = await newLink('link-door-revoked-early');
    await fx.ca.revoke('link-door-revoked-early');
    const refused: Error[] = [];
    link.onRefused((err) => refused.push(err));
    await expect(link.connect()).rejects.toBeInstanceOf(IdentityRefusedError);
    expect(refused).toHaveLength(1);
    await link.disconnect();
  });

  it('refuses at construction a config whose door id is not the one its certificate names', async () => {
    const files = await fx.doorFiles('link-door-a');
    expect(
      () =>
        new IotDoorLink({
          siteId: 'local',
          doorId: 'link-door-b',
          endpoint: 'localhost',
          port: fx.port,
          ...files,
          logger: silentLogger(),
        }),
    ).toThrow(/names door "link-door-b" but its certificate is for door "link-door-a"/);
  });
});

describe('door agent over the real link', () => {
  it('pulses on an unlock from the back end, reports it, relocks when the broker goes away, and reconnects', async () => {
    const relay = new SimulatedRelay(silentLogger());
    const link = await newLink('agent-door-1');
    const camera = new PushCamera();
    const agent = createAgent(
      {
        doorId: 'agent-door-1',
        frames: { maxFps: 5, maxWidth: 640, maxBytes: 92 * 1024 },
        unlock: { maxPulseMs: 5000 },
      },
      { camera, relay, link, logger: silentLogger(), agentVersion: 'test', faceGate: brightRegionGate() },
    );
    const mine = <T extends { doorId: string }>(list: T[]) => list.filter((m) => m.doorId === 'agent-door-1');
    try {
      await agent.start();
      expect(relay.state).toBe('locked');
      await vi.waitFor(
        () =>
          expect(mine(received.statuses).at(-1)).toMatchObject({ online: true, lock: 'locked', agentVersion: 'test' }),
        { timeout: 10_000 },
      );

      // A frame from the camera reaches the back end.
      camera.push(await jpegWithSquare({ x: 77 }));
      await vi.waitFor(() => expect(received.frames.some((f) => f.doorId === 'agent-door-1')).toBe(true), {
        timeout: 10_000,
      });

      // An expired command is refused and reported; the relay never moves.
      const now = Date.now();
      await backend.publishCommand({
        ...unlockCommand('agent-door-1', 'agent-expired-01'),
        issuedAt: now - 20_000,
        expiresAt: now - 15_000,
      });
      await vi.waitFor(
        () =>
          expect(mine(received.events).find((e) => e.type === 'command_rejected')).toMatchObject({
            decisionId: 'agent-expired-01',
          }),
        { timeout: 10_000 },
      );
      expect(relay.history).toEqual([]);

      // A fresh unlock pulses the relay and it relocks.
      await backend.publishCommand(unlockCommand('agent-door-1', 'agent-unlock-01', 5000));
      await vi.waitFor(() => expect(relay.state).toBe('unlocked'), { timeout: 10_000 });
      await vi.waitFor(() =>
        expect(mine(received.events).find((e) => e.type === 'unlocked')).toMatchObject({
          decisionId: 'agent-unlock-01',
        }),
      );

      // The broker goes away mid-pulse: the door locks at once, without waiting for the pulse.
      await fx.stop();
      await vi.waitFor(() => expect(relay.state).toBe('locked'), { timeout: 10_000 });
      expect(link.connected).toBe(false);

      // It comes back: the SDK reconnects with backoff, resubscribes, and a new unlock works again.
      await fx.startAgain();
      await vi.waitFor(() => expect(link.connected).toBe(true), { timeout: 20_000 });
      await vi.waitFor(() => expect(backend.isConnected()).toBe(true), { timeout: 20_000 });
      let n = 0;
      await vi.waitFor(
        async () => {
          if (relay.state === 'locked' && relay.history.length < 3)
            await backend
              .publishCommand(unlockCommand('agent-door-1', `agent-unlock-again-${n++}`, 300))
              .catch(() => {});
          expect(relay.history.length).toBeGreaterThanOrEqual(3);
        },
        { timeout: 20_000, interval: 500 },
      );
      await vi.waitFor(() => expect(relay.state).toBe('locked'), { timeout: 5000 });
    } finally {
      await agent.stop();
    }
    expect(relay.state).toBe('locked');
  });
});

// Last, because s2n (the SDK's TLS) delays its failure by a random 10-30 s ("blinding") and the
// broker's close waits for that half-open handshake.
describe('IotDoorLink with the wrong CA', () => {
  it('refuses a broker whose certificate is not from the configured CA', async () => {
    const files = await fx.doorFiles('link-door-wrongca');
    // Another CA's certificate: the broker's server certificate cannot be verified with it.
    const other = await openLocalCa(path.join(fx.dir, 'other-ca'), silentLogger());
    const otherCaFile = path.join(fx.dir, 'other-ca.pem');
    fs.writeFileSync(otherCaFile, other.caCertPem);
    const log = captureLogger();
    const link = new IotDoorLink({
      siteId: 'local',
      doorId: 'link-door-wrongca',
      endpoint: 'localhost',
      port: fx.port,
      caFile: otherCaFile,
      certFile: files.certFile,
      keyFile: files.keyFile,
      reconnectMinSec: 1,
      reconnectMaxSec: 1,
      logger: log.logger,
    });
    const attempt = link.connect();
    // The first attempt fails (after s2n's blinding delay, up to 30 s): the door refused the broker.
    await vi.waitFor(() => expect(log.count(CONNECT_RETRY)).toBeGreaterThanOrEqual(1), { timeout: 45_000 });
    expect(link.connected).toBe(false);
    expect(fx.broker.connectedDoors()).not.toContain('link-door-wrongca');
    await link.disconnect();
    await expect(attempt).rejects.toThrow();
  });
});

function frameMessage(doorId: string, frameId: string, jpeg: string): FrameMessage {
  const now = Date.now();
  return {
    v: 2,
    type: 'frame',
    doorId,
    frameId,
    capturedAt: now,
    jpeg,
    visit: { id: `visit-${frameId}`, seq: 0, startedAt: now, last: true },
    face: { box: { x: 0, y: 0, width: 64, height: 64 }, score: 0.9, sharpness: 50 },
  };
}
