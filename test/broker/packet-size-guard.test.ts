/** Oversized packets are cut off from their header, before the broker buffers them. */
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttFrameScanner } from '../../cloud/src/adapters/local/broker/packet-size-guard.js';
import { doorTopics } from '../../protocol/index.js';
import { connectClient, endAll, startBrokerFixture, type BrokerFixture } from './support/fixtures.js';

/** MQTT "remaining length" encoding. */
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

function packet(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, ...varint(body.length)]), body]);
}

describe('MqttFrameScanner', () => {
  it('follows packets split anywhere across chunks', () => {
    const scanner = new MqttFrameScanner(1000);
    const stream = Buffer.concat([
      packet(0x30, Buffer.alloc(300, 1)),
      packet(0xc0, Buffer.alloc(0)),
      packet(0x32, Buffer.alloc(999, 2)),
    ]);
    for (let i = 0; i < stream.length; i += 7) expect(scanner.feed(stream.subarray(i, i + 7))).toBeNull();
  });

  it('flags a packet announcing more than the limit, even split inside its length field', () => {
    const scanner = new MqttFrameScanner(1000);
    expect(scanner.feed(packet(0x30, Buffer.alloc(10)))).toBeNull();
    const header = Buffer.from([0x30, ...varint(1001)]);
    expect(scanner.feed(header.subarray(0, 2))).toBeNull();
    expect(scanner.feed(header.subarray(2))).toEqual({ declaredBytes: 1001, packetType: 3 });
  });

  it('flags a length field longer than four bytes as malformed', () => {
    const scanner = new MqttFrameScanner(1000);
    expect(scanner.feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff]))).toEqual({ declaredBytes: -1, packetType: 3 });
  });
});

describe('broker packet size guard', () => {
  let fx: BrokerFixture;
  beforeAll(async () => {
    fx = await startBrokerFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('closes a connection whose PUBLISH announces 64 MB long before the bytes are sent', async () => {
    const declared = 64 * 1024 * 1024;
    const creds = await fx.credentials('door-big');
    const written = await new Promise<number>((resolve) => {
      let total = 0;
      let done = false;
      const socket = tls.connect({
        host: '127.0.0.1',
        port: fx.port,
        ca: fx.ca.caCertPem,
        cert: creds.certPem,
        key: creds.keyPem,
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        done = true;
        resolve(total);
      });
      socket.once('secureConnect', () => {
        const id = Buffer.from('door-big');
        const connect = packet(
          0x10,
          Buffer.concat([Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, id.length]), id]),
        );
        socket.write(connect);
        socket.once('data', () => {
          // CONNACK received: announce a huge PUBLISH and stream its body until the broker hangs up.
          socket.write(Buffer.from([0x32, ...varint(declared)]));
          const chunk = Buffer.alloc(64 * 1024);
          const pump = () => {
            while (!done && total < declared) {
              total += chunk.length;
              if (!socket.write(chunk)) return void socket.once('drain', pump);
            }
          };
          pump();
        });
      });
    });
    expect(written).toBeLessThan(declared);
    expect(fx.logs()).toContainEqual(
      expect.objectContaining({
        msg: 'refused oversized or malformed MQTT packet; connection closed',
        cn: 'door-big',
        declaredBytes: declared,
      }),
    );

    const a = await connectClient(fx, 'door-a');
    await a.publishAsync(doorTopics('local', 'door-a').events, 'broker-still-serves', { qos: 1 });
    await endAll(a);
  });
});
