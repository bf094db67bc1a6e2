/** Who may connect at all: mutual TLS against the local CA, revocation, and hostile clients. */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalBroker } from '../../cloud/src/adapters/local/broker/index.js';
import { openLocalCa } from '../../cloud/src/adapters/local/ca/index.js';
import { doorTopics } from '../../protocol/index.js';
import { silentLogger } from '../../lib/logger.js';
import {
  connectClient,
  publishOutcome,
  endAll,
  eventually,
  startBrokerFixture,
  tryConnect,
  type BrokerFixture,
} from './support/fixtures.js';
import { makeTempDir } from '../support/temp-dir.js';

let fx: BrokerFixture;
beforeAll(async () => {
  fx = await startBrokerFixture();
});
afterAll(async () => {
  await fx?.close();
});

describe('mutual TLS', () => {
  it('accepts a door with a certificate from the local CA', async () => {
    const a = await connectClient(fx, 'door-a');
    expect(a.connected).toBe(true);
    await endAll(a);
  });

  it('refuses a client without a certificate, and logs it', async () => {
    const outcome = await tryConnect(fx.port, { caPem: fx.ca.caCertPem }, 'door-a');
    expect(outcome.ok).toBe(false);
    await eventually(() => fx.logs().some((l) => l.msg === 'refused TLS connection'));
  });

  it('refuses a certificate for the same door id signed by another CA', async () => {
    const dir = makeTempDir('other-ca');
    const other = await openLocalCa(path.join(dir, 'ca'), silentLogger());
    const impostor = await other.issueClientCertificate('door-a');
    fs.rmSync(dir, { recursive: true, force: true });
    const outcome = await tryConnect(fx.port, { ...impostor, caPem: fx.ca.caCertPem }, 'door-a');
    expect(outcome.ok).toBe(false);
  });

  it('refuses TLS below 1.2', async () => {
    const creds = await fx.credentials('door-a');
    const error = await new Promise<Error>((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port: fx.port,
        ca: fx.ca.caCertPem,
        cert: creds.certPem,
        key: creds.keyPem,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
      });
      socket.once('secureConnect', () => resolve(new Error('unexpectedly connected')));
      socket.once('error', resolve);
    });
    expect(error.message).not.toBe('unexpectedly connected');
  });

  it('refuses a certificate whose CN is not a door id', async () => {
    await expect(connectClient(fx, 'Not_A_Door')).rejects.toThrow(/Not authorized/i);
  });
});

describe('revocation', () => {
  it('a revoked door cannot connect; a live one is cut off at its next message; a re-provisioned one can', async () => {
    const live = await connectClient(fx, 'door-r');
    await live.publishAsync(doorTopics('local', 'door-r').events, 'before-revocation', { qos: 1 });

    await fx.ca.revoke('door-r');

    expect(await publishOutcome(live, doorTopics('local', 'door-r').events, 'after-revocation')).toBe('dropped');
    expect(fx.logs()).toContainEqual(
      expect.objectContaining({ msg: 'refused publish: certificate revoked', identity: 'door-r' }),
    );

    await expect(connectClient(fx, 'door-r')).rejects.toThrow(/Not authorized/i);
    expect(fx.logs()).toContainEqual(
      expect.objectContaining({ msg: 'refused connection', cn: 'door-r', reason: 'certificate is revoked' }),
    );

    const fresh = await fx.ca.issueClientCertificate('door-r');
    const outcome = await tryConnect(fx.port, { ...fresh, caPem: fx.ca.caCertPem }, 'door-r');
    expect(outcome.ok).toBe(true);
    if (outcome.ok) await endAll(outcome.client);
  });
});

describe('revocation of an idle door', () => {
  it('a connected door that sends nothing is dropped once revoked', async () => {
    const server = await fx.ca.issueServerCertificate({ dns: [], ips: [] });
    const broker = await startLocalBroker({
      siteId: 'local',
      host: '127.0.0.1',
      port: 0,
      tls: { caPem: fx.ca.caCertPem, certPem: server.certPem, keyPem: server.keyPem },
      isRevoked: (_cn, serial) => fx.ca.isRevoked(serial),
      revocationSweepMs: 100,
      logger: silentLogger(),
    });
    try {
      const presence: string[] = [];
      broker.onPresence((doorId, online) => presence.push(`${doorId} ${online}`));
      const creds = await fx.ca.issueClientCertificate('door-idle');
      const outcome = await tryConnect(broker.port, { ...creds, caPem: fx.ca.caCertPem }, 'door-idle');
      if (!outcome.ok) throw outcome.error;
      await fx.ca.revoke('door-idle');
      await eventually(() => presence.includes('door-idle false'));
      expect(broker.connectedDoors()).not.toContain('door-idle');
      await endAll(outcome.client);
    } finally {
      await broker.close();
    }
  });
});

describe('revocation check failures', () => {
  it('a revocation check that throws refuses the connection (fail closed)', async () => {
    const server = await fx.ca.issueServerCertificate({ dns: [], ips: [] });
    const broker = await startLocalBroker({
      siteId: 'local',
      host: '127.0.0.1',
      port: 0,
      tls: { caPem: fx.ca.caCertPem, certPem: server.certPem, keyPem: server.keyPem },
      isRevoked: () => {
        throw new Error('revocation list unreadable');
      },
      logger: silentLogger(),
    });
    try {
      const creds = await fx.credentials('door-a');
      const outcome = await tryConnect(broker.port, { ...creds, caPem: fx.ca.caCertPem }, 'door-a');
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error.message).toMatch(/Not authorized/i);
    } finally {
      await broker.close();
    }
  });
});

describe('start-up failures', () => {
  it('a port in use or bad TLS material fails with a clear error', async () => {
    const server = await fx.ca.issueServerCertificate({ dns: [], ips: [] });
    const tlsMaterial = { caPem: fx.ca.caCertPem, certPem: server.certPem, keyPem: server.keyPem };
    await expect(
      startLocalBroker({ siteId: 'local', host: '127.0.0.1', port: fx.port, tls: tlsMaterial, logger: silentLogger() }),
    ).rejects.toMatchObject({
      code: 'broker_start',
      message: expect.stringContaining('cannot listen'),
    });
    await expect(
      startLocalBroker({
        siteId: 'local',
        host: '127.0.0.1',
        port: 0,
        tls: { ...tlsMaterial, keyPem: 'not a key' },
        logger: silentLogger(),
      }),
    ).rejects.toMatchObject({ code: 'broker_start' });
  });
});

describe('hostile clients', () => {
  it('garbage after the handshake, plain TCP and a half-open socket do not hurt the broker', async () => {
    const creds = await fx.credentials('door-h');
    await new Promise<void>((resolve) => {
      const socket = tls.connect(
        { host: '127.0.0.1', port: fx.port, ca: fx.ca.caCertPem, cert: creds.certPem, key: creds.keyPem },
        () => {
          socket.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x01])); // CONNECT with an invalid length
          socket.write(Buffer.alloc(4096, 0xee));
        },
      );
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
    });
    await new Promise<void>((resolve) => {
      const plain = net.connect(fx.port, '127.0.0.1', () => plain.end('CONNECT / HTTP/1.0\r\n\r\n'));
      plain.on('error', () => undefined);
      plain.on('close', () => resolve());
    });
    const halfOpen = net.connect(fx.port, '127.0.0.1');
    halfOpen.on('error', () => undefined);

    // The broker still serves a legitimate door.
    const a = await connectClient(fx, 'door-a');
    await a.publishAsync(doorTopics('local', 'door-a').events, 'still-alive', { qos: 1 });
    await endAll(a);
    halfOpen.destroy();
  });
});
