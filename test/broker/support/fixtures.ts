/**
 * Shared set-up for the broker tests: a real local CA in a temporary directory, a real broker on
 * a free port over mutual TLS, and real MQTT clients (mqtt.js, MQTT 3.1.1) holding real
 * certificates. Nothing here is mocked.
 */
import fs from 'node:fs';
import path from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { openLocalCa, type LocalCa } from '../../../cloud/src/adapters/local/ca/index.js';
import {
  startLocalBroker,
  BACKEND_IDENTITY,
  type LocalBroker,
} from '../../../cloud/src/adapters/local/broker/index.js';
import { silentLogger, type Logger } from '../../../lib/logger.js';
import pino from 'pino';
import { makeTempDir } from '../../support/temp-dir.js';

export interface Credentials {
  certPem: string;
  keyPem: string;
  serialNumber?: string;
}

/** A logger that keeps every line in memory, so tests can check that refusals are logged. */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (chunk: string) => void chunks.push(chunk) });
  return {
    logger,
    lines: () =>
      chunks.flatMap((c) =>
        c
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      ),
  };
}

export interface BrokerFixture {
  dir: string;
  ca: LocalCa;
  broker: LocalBroker;
  port: number;
  backend: Credentials;
  logs: () => Record<string, unknown>[];
  /** Issues (once per name) a client certificate from the local CA. */
  credentials(commonName: string): Promise<Credentials>;
  /** Stops the broker, keeping its port for `startAgain` (for reconnection tests). */
  stop(): Promise<void>;
  startAgain(): Promise<void>;
  close(): Promise<void>;
}

export async function startBrokerFixture(): Promise<BrokerFixture> {
  const dir = makeTempDir('broker');
  const { logger, lines } = memoryLogger();
  const ca = await openLocalCa(path.join(dir, 'ca'), silentLogger());
  const server = await ca.issueServerCertificate({ dns: [], ips: [] });
  const tlsOptions = { caPem: ca.caCertPem, certPem: server.certPem, keyPem: server.keyPem };
  const isRevoked = (_cn: string, serial: string) => ca.isRevoked(serial);
  let broker = await startLocalBroker({
    siteId: 'local',
    host: '127.0.0.1',
    port: 0,
    tls: tlsOptions,
    isRevoked,
    logger,
  });
  const port = broker.port;
  const issued = new Map<string, Credentials>();
  const credentials = async (cn: string) => {
    let creds = issued.get(cn);
    if (!creds) {
      creds = await ca.issueClientCertificate(cn);
      issued.set(cn, creds);
    }
    return creds;
  };
  const backend = await credentials(BACKEND_IDENTITY);
  const fixture: BrokerFixture = {
    dir,
    ca,
    get broker() {
      return broker;
    },
    port,
    backend,
    logs: lines,
    credentials,
    async stop() {
      await broker.close();
    },
    async startAgain() {
      broker = await startLocalBroker({ siteId: 'local', host: '127.0.0.1', port, tls: tlsOptions, isRevoked, logger });
    },
    async close() {
      await broker.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

export type ConnectOutcome = { ok: true; client: MqttClient } | { ok: false; error: Error };

/**
 * Connects once, without retries, and reports how it went instead of throwing, so tests can
 * assert on refusals.
 */
export function tryConnect(
  port: number,
  creds: Partial<Credentials> & { caPem: string },
  clientId: string,
  extra: IClientOptions = {},
): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const client = mqtt.connect({
      protocol: 'mqtts',
      host: '127.0.0.1',
      port,
      ca: creds.caPem,
      cert: creds.certPem,
      key: creds.keyPem,
      rejectUnauthorized: true,
      protocolVersion: 4,
      clientId,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      ...extra,
    });
    let settled = false;
    const settle = (outcome: ConnectOutcome) => {
      if (settled) return;
      settled = true;
      if (!outcome.ok) client.end(true);
      resolve(outcome);
    };
    client.once('connect', () => settle({ ok: true, client }));
    client.once('error', (error) => settle({ ok: false, error }));
    client.once('close', () => settle({ ok: false, error: new Error('connection closed before CONNACK') }));
  });
}

export async function connectClient(
  fixture: BrokerFixture,
  commonName: string,
  clientId = commonName,
  extra: IClientOptions = {},
): Promise<MqttClient> {
  const creds = await fixture.credentials(commonName);
  const outcome = await tryConnect(fixture.port, { ...creds, caPem: fixture.ca.caCertPem }, clientId, extra);
  if (!outcome.ok) throw outcome.error;
  return outcome.client;
}

/** Resolves with the next message on `topic` (exact match) received by `client`. */
export function nextMessage(client: MqttClient, topic: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const onMessage = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      client.off('message', onMessage);
      resolve(payload);
    };
    client.on('message', onMessage);
  });
}

/** Resolves once the broker has dropped the client's connection. */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve();
    client.once('close', () => resolve());
  });
}

/**
 * Publishes at QoS 1 and reports whether the broker accepted it (PUBACK) or dropped the
 * connection (how aedes refuses under MQTT 3.1.1). Fails fast either way, no timeout needed.
 */
export async function publishOutcome(
  client: MqttClient,
  topic: string,
  payload: string | Buffer,
  options: { retain?: boolean } = {},
): Promise<'accepted' | 'dropped'> {
  const acked = client.publishAsync(topic, payload, { qos: 1, retain: options.retain ?? false }).then(
    () => 'accepted' as const,
    () => 'dropped' as const,
  );
  return Promise.race([acked, closed(client).then(() => 'dropped' as const)]);
}

export function eventually<T>(check: () => T | undefined, intervalMs = 20): Promise<T> {
  return new Promise((resolve) => {
    const tick = () => {
      const value = check();
      if (value !== undefined && value !== false) resolve(value);
      else setTimeout(tick, intervalMs);
    };
    tick();
  });
}

export function endAll(...clients: (MqttClient | undefined)[]): Promise<unknown> {
  return Promise.all(clients.filter((c): c is MqttClient => !!c).map((c) => c.endAsync(true).catch(() => undefined)));
}
