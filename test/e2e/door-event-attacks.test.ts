/**
 * Issue 7 item 4 performed as an attacker would: a raw MQTT client holding one door's real
 * certificate, against the local stack (aedes over mutual TLS, the back end, SQLite).
 * - 5,000 valid events in about two seconds must not become 5,000 audit rows.
 * - An "unlocked" report naming a decision the back end never issued must be flagged.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { doorTopics, type DoorEventMessage } from '../../protocol/index.js';
import { startLocalStack, type LocalStack } from '../../cli/local-stack.js';
import type { AuditEvent } from '../../cloud/src/domain/types.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';

let root: string;
let stack: LocalStack;

beforeAll(async () => {
  root = makeTempDir('door-attacks');
  stack = await startLocalStack({
    dataDir: path.join(root, 'data'),
    logger: silentLogger(),
    httpPort: 0,
    mqttPort: 0,
    adminSite: false,
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (root) removeDir(root);
});

/** A door registered on the stack, connected by a bare MQTT client with its certificate. */
async function attackerDoor(doorId: string): Promise<mqtt.MqttClient> {
  const { bundle } = await stack.services.doors.create({ doorId, name: doorId }, { name: 'test' });
  const c = bundle.credentials;
  return mqtt.connectAsync({
    protocol: 'mqtts',
    host: '127.0.0.1',
    port: stack.mqtt.port,
    ca: c.caPem,
    cert: c.certificatePem,
    key: c.privateKeyPem,
    rejectUnauthorized: true,
    protocolVersion: 4,
    clientId: c.clientId ?? doorId,
    clean: true,
    reconnectPeriod: 0,
  });
}

function event(doorId: string, extra: Partial<DoorEventMessage> = {}): DoorEventMessage {
  return { v: 2, doorId, eventId: randomUUID(), type: 'door_closed', at: Date.now(), ...extra };
}

async function doorEvents(doorId: string): Promise<AuditEvent[]> {
  const { events } = await stack.services.events.list({ doorId, kind: 'door_event', limit: 1000 });
  return events;
}

describe('a door that attacks the audit log (issue 7 item 4)', () => {
  it('5,000 valid events in about two seconds leave a bounded number of rows and one "rate limited" notice', async () => {
    const doorId = 'flood-door';
    const client = await attackerDoor(doorId);
    const topic = doorTopics(stack.siteId, doorId).events;
    const startedAt = Date.now();
    for (let sent = 0; sent < 5000; sent += 250) {
      await Promise.all(
        Array.from({ length: 250 }, () => client.publishAsync(topic, JSON.stringify(event(doorId)), { qos: 1 })),
      );
    }
    const seconds = (Date.now() - startedAt) / 1000;
    await client.endAsync();
    // The notice is written once the dropping starts; wait for it, then for the rows to settle.
    await waitFor('the rate-limit notice', async () =>
      (await doorEvents(doorId)).some((e) => /rate limited/.test(e.detail ?? '')),
    );
    let rows = (await doorEvents(doorId)).length;
    await waitFor(
      'the rows to settle',
      async () => {
        const now = (await doorEvents(doorId)).length;
        const settled = now === rows;
        rows = now;
        return settled;
      },
      20_000,
      500,
    );
    const events = await doorEvents(doorId);
    const notices = events.filter((e) => /rate limited/.test(e.detail ?? ''));
    // Burst of 50, then 2 a second for however long the flood took, plus the one notice.
    expect(events.length - notices.length).toBeLessThanOrEqual(50 + Math.ceil(2 * (seconds + 1)));
    expect(notices).toHaveLength(1);
  }, 120_000);

  it('an "unlocked" report naming a decision never issued to this door is logged as suspicious', async () => {
    const doorId = 'liar-door';
    const client = await attackerDoor(doorId);
    const topic = doorTopics(stack.siteId, doorId).events;
    const forged = randomUUID();
    await client.publishAsync(
      topic,
      JSON.stringify(event(doorId, { type: 'unlocked', decisionId: forged, source: 'face' })),
      { qos: 1 },
    );
    await client.endAsync();
    // The back end looks the grant up again after 2 s before flagging (a grant may be logged late).
    const flagged = await waitFor(
      'the forged report in the log',
      async () =>
        (await doorEvents(doorId)).find((e) => (e.detail ?? '').includes(forged) || /SUSPICIOUS/.test(e.detail ?? '')),
      20_000,
      250,
    );
    expect(flagged.detail).toMatch(/^SUSPICIOUS/);
  }, 60_000);
});
