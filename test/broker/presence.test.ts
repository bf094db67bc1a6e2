/** Door online/offline as the broker sees it: connect, clean disconnect, dropped socket, keepalive timeout, takeover. */
import tls from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BACKEND_IDENTITY } from '../../cloud/src/adapters/local/broker/index.js';
import { connectClient, endAll, eventually, startBrokerFixture, type BrokerFixture } from './support/fixtures.js';

let fx: BrokerFixture;
let seen: string[] = [];
beforeAll(async () => {
  fx = await startBrokerFixture();
  fx.broker.onPresence((doorId, online) => seen.push(`${doorId} ${online ? 'online' : 'offline'}`));
});
beforeEach(() => {
  seen = [];
});
afterAll(async () => {
  await fx?.close();
});

/** A minimal MQTT 3.1.1 CONNECT, so a test can be a client that then falls silent. */
function connectPacket(clientId: string, keepaliveSeconds: number): Buffer {
  const id = Buffer.from(clientId, 'utf8');
  const variable = Buffer.from([
    0x00,
    0x04,
    0x4d,
    0x51,
    0x54,
    0x54,
    0x04,
    0x02,
    keepaliveSeconds >> 8,
    keepaliveSeconds & 0xff,
  ]);
  const payload = Buffer.concat([Buffer.from([id.length >> 8, id.length & 0xff]), id]);
  const remaining = variable.length + payload.length; // < 128: one length byte
  return Buffer.concat([Buffer.from([0x10, remaining]), variable, payload]);
}

describe('presence', () => {
  it('goes online on connect and offline on a clean disconnect', async () => {
    const a = await connectClient(fx, 'door-a');
    await eventually(() => seen.includes('door-a online'));
    expect(fx.broker.connectedDoors()).toEqual(['door-a']);
    await a.endAsync();
    await eventually(() => seen.includes('door-a offline'));
    expect(fx.broker.connectedDoors()).toEqual([]);
  });

  it('goes offline when the socket just drops', async () => {
    const b = await connectClient(fx, 'door-b');
    await eventually(() => seen.includes('door-b online'));
    b.stream.destroy();
    await eventually(() => seen.includes('door-b offline'));
    await endAll(b);
  });

  it('goes offline on keepalive timeout when a door falls silent', async () => {
    const creds = await fx.credentials('door-k');
    const socket = tls.connect(
      { host: '127.0.0.1', port: fx.port, ca: fx.ca.caCertPem, cert: creds.certPem, key: creds.keyPem },
      () => {
        socket.write(connectPacket('door-k', 1)); // keepalive 1 s, then never a PINGREQ
      },
    );
    socket.on('error', () => undefined);
    await eventually(() => seen.includes('door-k online'));
    await eventually(() => seen.includes('door-k offline')); // the broker gives up after 1.5 × keepalive
    expect(fx.logs()).toContainEqual(
      expect.objectContaining({ msg: 'client keepalive timed out', clientId: 'door-k' }),
    );
    socket.destroy();
  });

  it('a second connection with the same door id takes over; the door stays online after', async () => {
    const first = await connectClient(fx, 'door-t');
    const second = await connectClient(fx, 'door-t');
    await eventually(() => !first.connected || undefined);
    expect(fx.broker.connectedDoors()).toContain('door-t');
    expect(seen.filter((s) => s.startsWith('door-t')).at(-1)).toBe('door-t online');
    await endAll(first, second);
    await eventually(() => seen.at(-1) === 'door-t offline' || undefined);
    expect(fx.broker.connectedDoors()).not.toContain('door-t');
  });

  it('the back end is not a door', async () => {
    const backend = await connectClient(fx, BACKEND_IDENTITY);
    const a = await connectClient(fx, 'door-a');
    await eventually(() => seen.includes('door-a online'));
    expect(fx.broker.connectedDoors()).toEqual(['door-a']);
    await endAll(a, backend);
    await eventually(() => seen.includes('door-a offline'));
    expect(seen.some((s) => s.startsWith(BACKEND_IDENTITY))).toBe(false);
  });

  it('a throwing listener does not stop the others, and unsubscribing works', async () => {
    const calls: string[] = [];
    const offBad = fx.broker.onPresence(() => {
      throw new Error('listener bug');
    });
    const offGood = fx.broker.onPresence((doorId, online) => calls.push(`${doorId} ${online}`));
    const a = await connectClient(fx, 'door-a');
    await eventually(() => calls.includes('door-a true'));
    offBad();
    offGood();
    await endAll(a);
    await eventually(() => seen.includes('door-a offline'));
    expect(calls).toEqual(['door-a true']);
    expect(fx.logs()).toContainEqual(expect.objectContaining({ msg: 'presence listener threw' }));
  });
});
