/**
 * The door agent talks MQTT through aws-iot-device-sdk-v2 (MQTT 3.1.1 client, as against IoT
 * Core). This runs that very client against the local broker: identity from the certificate
 * (the SDK's metrics username is ignored), its own topics work, others' do not, and its retained
 * last will reaches the back end when it drops.
 */
import { iot, mqtt } from 'aws-iot-device-sdk-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBackendMqtt, type BackendMqtt } from '../../cloud/src/adapters/local/mqtt/backend-mqtt.js';
import { doorTopics } from '../../protocol/index.js';
import { silentLogger } from '../../lib/logger.js';
import { connectClient, eventually, startBrokerFixture, type BrokerFixture } from './support/fixtures.js';

let fx: BrokerFixture;
let backend: BackendMqtt;
const received: string[] = [];

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
  backend.onFrame((doorId, p) => received.push(`frames ${doorId} ${p.toString()}`));
  backend.onStatus((doorId, p) => received.push(`status ${doorId} ${p.toString()}`));
});
afterAll(async () => {
  await backend?.close();
  await fx?.close();
});

async function sdkDoor(doorId: string, will?: mqtt.MqttWill): Promise<mqtt.MqttClientConnection> {
  const creds = await fx.credentials(doorId);
  let builder = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(creds.certPem, creds.keyPem)
    .with_certificate_authority(fx.ca.caCertPem)
    .with_endpoint('localhost')
    .with_port(fx.port)
    .with_client_id(doorId)
    .with_clean_session(false)
    .with_keep_alive_seconds(30);
  if (will) builder = builder.with_will(will);
  const connection = new mqtt.MqttClient().new_connection(builder.build());
  connection.on('error', () => undefined);
  await connection.connect();
  return connection;
}

describe('door on aws-iot-device-sdk-v2', () => {
  it('publishes its frames and receives its commands', async () => {
    const door = await sdkDoor('sdk-door');
    try {
      const commands: string[] = [];
      await door.subscribe(doorTopics('local', 'sdk-door').commands, mqtt.QoS.AtLeastOnce, (_topic, payload) => {
        commands.push(Buffer.from(payload).toString());
      });
      await door.publish(doorTopics('local', 'sdk-door').frames, 'sdk-frame', mqtt.QoS.AtLeastOnce);
      await eventually(() => received.includes('frames sdk-door sdk-frame'));

      const now = Date.now();
      await backend.publishCommand({
        v: 2,
        type: 'deny',
        reason: 'unknown',
        doorId: 'sdk-door',
        decisionId: 'decision-sdk-1',
        issuedAt: now,
        expiresAt: now + 5000,
      });
      await eventually(() => commands.some((c) => c.includes('decision-sdk-1')));
    } finally {
      await door.disconnect();
    }
  });

  it("is refused another door's commands", async () => {
    const door = await sdkDoor('sdk-door');
    try {
      const result = await door.subscribe(doorTopics('local', 'other-door').commands, mqtt.QoS.AtLeastOnce);
      expect(result.qos as number).toBe(128);
    } finally {
      await door.disconnect();
    }
  });

  it('its last will (offline status, retained) reaches the back end when it vanishes', async () => {
    const will = new mqtt.MqttWill(
      doorTopics('local', 'sdk-will').status,
      mqtt.QoS.AtLeastOnce,
      'sdk-will-offline',
      true,
    );
    const door = await sdkDoor('sdk-will', will);
    try {
      await eventually(() => fx.broker.connectedDoors().includes('sdk-will') || undefined);
      // The SDK's socket is native and cannot be cut from here; a takeover by the same identity ends
      // the SDK's session without a DISCONNECT, which is what makes the broker publish the will.
      const takeover = await connectClient(fx, 'sdk-will');
      await eventually(() => received.includes('status sdk-will sdk-will-offline'));
      await takeover.publishAsync(doorTopics('local', 'sdk-will').status, '', { qos: 1, retain: true });
      await takeover.endAsync();
    } finally {
      await door.disconnect();
    }
  });
});
