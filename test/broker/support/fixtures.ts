/**
 * The broker tests' helpers over the shared fixture (test/support/broker-fixture.ts): real MQTT
 * clients (mqtt.js, MQTT 3.1.1) holding real certificates, connecting and publishing in ways that
 * report refusals instead of throwing. Nothing here is mocked.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { captureLogger } from '../../support/capture-logger.js';
import { waitFor } from '../../support/wait-for.js';
import { startLocalBrokerFixture, type Credentials, type LocalBrokerFixture } from '../../support/broker-fixture.js';

export type { Credentials };

/** The shared broker fixture, with the broker's log lines kept for the refusal checks. */
export interface BrokerFixture extends LocalBrokerFixture {
  logs: () => Record<string, unknown>[];
}

export async function startBrokerFixture(): Promise<BrokerFixture> {
  const { logger, lines } = captureLogger();
  const fixture = await startLocalBrokerFixture(logger);
  return Object.assign(fixture, { logs: (): Record<string, unknown>[] => lines });
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

/** Waits (20 s at most) for a condition; a timeout names the condition by its source text. */
export function eventually<T>(check: () => T | undefined | null | false): Promise<T> {
  return waitFor(check.toString(), check);
}

export function endAll(...clients: (MqttClient | undefined)[]): Promise<unknown> {
  return Promise.all(clients.filter((c): c is MqttClient => !!c).map((c) => c.endAsync(true).catch(() => undefined)));
}
