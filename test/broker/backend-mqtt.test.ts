/** The back end's MQTT adapter: connection failures, fail-fast commands, handler isolation, reconnection. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBackendMqtt, type BackendMqtt } from '../../cloud/src/adapters/local/mqtt/backend-mqtt.js';
import { doorTopics, type DoorCommand } from '../../protocol/index.js';
import { silentLogger } from '../../lib/logger.js';
import { connectClient, endAll, eventually, startBrokerFixture, type BrokerFixture } from './support/fixtures.js';

let fx: BrokerFixture;
beforeAll(async () => {
  fx = await startBrokerFixture();
});
afterAll(async () => {
  await fx?.close();
});

function connect(extra: Partial<Parameters<typeof connectBackendMqtt>[0]> = {}): Promise<BackendMqtt> {
  return connectBackendMqtt({
    siteId: 'local',
    host: '127.0.0.1',
    port: fx.port,
    caPem: fx.ca.caCertPem,
    ...fx.backend,
    logger: silentLogger(),
    ...extra,
  });
}

function deny(doorId: string, decisionId: string): DoorCommand {
  const now = Date.now();
  return { v: 2, type: 'deny', reason: 'unknown', doorId, decisionId, issuedAt: now, expiresAt: now + 5000 };
}

describe('connectBackendMqtt', () => {
  it('fails with a clear error when the broker refuses the identity', async () => {
    const door = await fx.credentials('door-x');
    await expect(connect({ ...door })).rejects.toMatchObject({
      code: 'upstream',
      message: expect.stringContaining('cannot connect to the broker'),
    });
  });

  it('fails with a clear error when nothing listens', async () => {
    await expect(connect({ port: 1 })).rejects.toMatchObject({ code: 'upstream' });
  });

  it('keeps delivering when one handler throws', async () => {
    const backend = await connect({ clientId: 'facegate-backend-handlers' });
    const got: string[] = [];
    backend.onEvent(() => {
      throw new Error('handler bug');
    });
    backend.onEvent((doorId, p) => got.push(`${doorId} ${p.toString()}`));
    const door = await connectClient(fx, 'door-a');
    await door.publishAsync(doorTopics('local', 'door-a').events, 'one', { qos: 1 });
    await door.publishAsync(doorTopics('local', 'door-a').events, 'two', { qos: 1 });
    await eventually(() => got.includes('door-a two'));
    expect(got).toEqual(['door-a one', 'door-a two']);
    await endAll(door);
    await backend.close();
  });

  it('reconnects by itself after the broker restarts, resubscribes, and fails fast while away', async () => {
    const backend = await connect({ clientId: 'facegate-backend-reconnect', reconnect: { minMs: 50, maxMs: 400 } });
    const frames: string[] = [];
    backend.onFrame((doorId, p) => frames.push(`${doorId} ${p.toString()}`));

    await fx.stop();
    await eventually(() => !backend.isConnected() || undefined);
    // While the broker is away a command is refused at once rather than queued to arrive late.
    await expect(backend.publishCommand(deny('door-a', 'decision-away'))).rejects.toMatchObject({ code: 'upstream' });

    await fx.startAgain(); // a new broker: the old session and its subscriptions are gone
    await eventually(() => backend.isConnected() || undefined);

    const door = await connectClient(fx, 'door-a');
    // The resubscription may land a moment after CONNACK; keep sending until one frame arrives.
    let n = 0;
    while (!frames.some((f) => f.startsWith('door-a after-restart'))) {
      await door.publishAsync(doorTopics('local', 'door-a').frames, `after-restart-${n++}`, { qos: 1 });
      await new Promise((r) => setTimeout(r, 50));
    }
    await endAll(door);
    await backend.close();
  });

  it('the main back end keeps its session: events sent while it was away arrive when it is back', async () => {
    const first = await connect(); // client id facegate-backend: persistent session by default
    await first.close();
    const door = await connectClient(fx, 'door-a');
    await door.publishAsync(doorTopics('local', 'door-a').events, 'while-backend-away', { qos: 1 });
    await endAll(door);

    const second = await connect();
    const got: string[] = [];
    second.onEvent((doorId, p) => got.push(`${doorId} ${p.toString()}`)); // registered after connect resolved
    await eventually(() => got.includes('door-a while-backend-away'));
    await second.close();
  });

  it('a suffixed back-end client leaves no session behind', async () => {
    const first = await connect({ clientId: 'facegate-backend-cli' });
    await first.close();
    const door = await connectClient(fx, 'door-a');
    await door.publishAsync(doorTopics('local', 'door-a').events, 'not-for-cli', { qos: 1 });

    const second = await connect({ clientId: 'facegate-backend-cli' });
    const got: string[] = [];
    second.onEvent((_doorId, p) => got.push(p.toString()));
    await door.publishAsync(doorTopics('local', 'door-a').events, 'marker-for-cli', { qos: 1 });
    await eventually(() => got.includes('marker-for-cli'));
    expect(got).toEqual(['marker-for-cli']);
    await endAll(door);
    await second.close();
  });

  it('refuses a command while disconnected', async () => {
    const backend = await connect({ clientId: 'facegate-backend-closed' });
    await backend.close();
    await expect(backend.publishCommand(deny('door-a', 'decision-closed'))).rejects.toMatchObject({ code: 'upstream' });
  });
});
