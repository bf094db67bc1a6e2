/**
 * Issue 7 item 3: one door's certificate must not be able to make the broker hold memory without
 * bound. The broker and the back end's MQTT client run in a child process (as in `facegate
 * start`); a door attacks it with a raw mqtt.js client; the child's memory is read after forced
 * GCs before and after. Figures are printed. The bound checked is on what the process retains after
 * GC, the JavaScript heap plus the memory outside it (buffers): within 50 MB of the case's start.
 * RSS is held only to a coarse 150 MB: glibc keeps pages the process has freed, and how many
 * depends on timing (one CI run kept 58 MB of RSS after the QoS 1 case with the heap back at its
 * start), while a broker that held the frames of these cases would retain 238 MB or more.
 *  1. The attack from the issue: QoS 2 frames of 120 KB never released, persistent session,
 *     990 frames in each of six sessions.
 *  2. The same with QoS 1 frames (which the broker accepts and forwards), two sessions.
 *  3. QoS 1 events while the back end is away: they queue for its persistent session, up to the
 *     broker's per-client ceiling, and reach the back end when it returns.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openLocalCa, type LocalCa } from '../../cloud/src/adapters/local/ca/index.js';
import { BACKEND_IDENTITY } from '../../cloud/src/adapters/local/broker/index.js';
import { DEFAULT_QUEUE_LIMITS } from '../../cloud/src/adapters/local/broker/bounded-persistence.js';
import { MAX_DOOR_RECORD_BYTES } from '../../cloud/src/adapters/local/broker/acl.js';
import { doorTopics } from '../../protocol/index.js';
import { silentLogger } from '../../lib/logger.js';
import { type Credentials } from './support/fixtures.js';
import { makeTempDir } from '../support/temp-dir.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'broker-process.ts');
const MB = 1024 * 1024;
const LIMIT_BYTES = 50 * MB;
const RSS_LIMIT_BYTES = 150 * MB;
const FRAME = Buffer.alloc(120 * 1024, 7);
const FRAMES_PER_SESSION = 990;
const SESSIONS = 6;

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  received: { frames: number; events: number; status: number };
}

class BrokerProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  constructor(private readonly child: ChildProcess) {
    child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error) p?.reject(new Error(m.error));
      else p?.resolve(m.result);
    });
  }
  call<T>(request: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...request, id });
    });
  }
  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.disconnect();
    });
  }
}

const fmt = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
/** What the process holds after forced GCs: the JavaScript heap and the memory outside it. */
const retained = (m: Memory) => m.heapUsed + m.external;

function expectBounded(after: Memory, start: Memory): void {
  expect(retained(after) - retained(start)).toBeLessThan(LIMIT_BYTES);
  expect(after.rss - start.rss).toBeLessThan(RSS_LIMIT_BYTES);
}

describe('the broker bounds what one door can make it hold', () => {
  let dir: string;
  let ca: LocalCa;
  let door: Credentials;
  let proc: BrokerProcess;
  let port: number;
  let baseline: Memory;

  function connectDoor(): Promise<MqttClient> {
    return mqtt.connectAsync({
      protocol: 'mqtts',
      host: '127.0.0.1',
      port,
      ca: ca.caCertPem,
      cert: door.certPem,
      key: door.keyPem,
      rejectUnauthorized: true,
      protocolVersion: 4,
      clientId: 'door-m',
      clean: false, // a persistent session, as in the attack
      reconnectPeriod: 0,
    });
  }

  async function report(label: string): Promise<Memory> {
    const m = await proc.call<Memory>({ type: 'measure' });
    console.log(
      `[broker memory] ${label}: rss ${fmt(m.rss)} (${fmt(m.rss - caseStart.rss)} vs this case's start, ` +
        `${fmt(m.rss - baseline.rss)} vs the first), retained ${fmt(retained(m))} ` +
        `(${fmt(retained(m) - retained(caseStart))} vs this case's start), heap ${fmt(m.heapUsed)}, ` +
        `buffers ${fmt(m.arrayBuffers)}; back end received ${JSON.stringify(m.received)}`,
    );
    return m;
  }

  beforeAll(async () => {
    dir = makeTempDir('broker-memory');
    ca = await openLocalCa(path.join(dir, 'ca'), silentLogger());
    const server = await ca.issueServerCertificate({ dns: [], ips: [] });
    const backend = await ca.issueClientCertificate(BACKEND_IDENTITY);
    door = await ca.issueClientCertificate('door-m');
    const child = fork(CHILD, [], { execArgv: ['--expose-gc', '--import', 'tsx'], stdio: 'inherit' });
    proc = new BrokerProcess(child);
    ({ port } = await proc.call<{ port: number }>({
      type: 'start',
      tls: { caPem: ca.caCertPem, certPem: server.certPem, keyPem: server.keyPem },
      backend: { certPem: backend.certPem, keyPem: backend.keyPem },
    }));
    // Warm up the paths the attacks use, so the baseline includes code and pools, not just an idle process.
    const warm = await connectDoor();
    for (let i = 0; i < 20; i++) await warm.publishAsync(doorTopics('local', 'door-m').frames, FRAME, { qos: 1 });
    await warm.endAsync();
    baseline = await proc.call<Memory>({ type: 'measure' });
    console.log(`[broker memory] start: rss ${fmt(baseline.rss)}, heap ${fmt(baseline.heapUsed)}`);
  }, 60_000);

  // Each case is held to what it adds. The cases run in one process, and memory the allocator got
  // for an earlier case stays in RSS after the JavaScript heap and buffers are freed (seen here:
  // heap back to 23 MB and buffers to 0.5 MB while RSS kept +30 MB from the QoS 1 case), so
  // comparing every case with the very first baseline would charge each one for its predecessors.
  let caseStart: Memory;
  beforeEach(async () => {
    caseStart = await proc.call<Memory>({ type: 'measure' });
  });

  afterAll(async () => {
    await proc?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('QoS 2 frames of 120 KB never released, 990 in each of six persistent sessions: within 50 MB', async () => {
    const topic = doorTopics('local', 'door-m').frames;
    for (let s = 0; s < SESSIONS; s++) {
      const client = await connectDoor();
      const gone = new Promise<void>((resolve) => client.once('close', () => resolve()));
      // Written as fast as the socket takes them; the broker drops the connection at the first.
      for (let i = 0; i < FRAMES_PER_SESSION; i++) client.publish(topic, FRAME, { qos: 2 }, () => undefined);
      await gone;
      client.end(true);
    }
    const after = await report('after QoS 2 attack');
    expectBounded(after, caseStart);
  }, 120_000);

  it('QoS 1 frames of 120 KB, 990 in each of two persistent sessions, all acknowledged: within 50 MB', async () => {
    const topic = doorTopics('local', 'door-m').frames;
    const before = (await proc.call<Memory>({ type: 'measure' })).received.frames;
    // Two sessions (238 MB sent) rather than six: the same proof at a third of the CPU time.
    for (let s = 0; s < 2; s++) {
      const client = await connectDoor();
      await Promise.all(
        Array.from({ length: FRAMES_PER_SESSION }, () => client.publishAsync(topic, FRAME, { qos: 1 })),
      );
      await client.endAsync();
    }
    const after = await report('after QoS 1 frames');
    // The broker really took them: the back end saw (almost) every frame (QoS 0 to it, live only).
    expect(after.received.frames - before).toBeGreaterThan(2 * FRAMES_PER_SESSION * 0.9);
    expectBounded(after, caseStart);
  }, 240_000);

  it('events flooded while the back end is away are queued up to the ceiling, then delivered: within 50 MB', async () => {
    const topic = doorTopics('local', 'door-m').events;
    const event = Buffer.alloc(MAX_DOOR_RECORD_BYTES, 0x20); // the largest event the broker takes
    const count = 12_000; // 96 MB if all were kept
    await proc.call({ type: 'backendOff' });
    const client = await connectDoor();
    for (let sent = 0; sent < count; sent += 500) {
      await Promise.all(Array.from({ length: 500 }, () => client.publishAsync(topic, event, { qos: 1 })));
    }
    await client.endAsync();
    const queued = await proc.call<{ messages: number; bytes: number }>({ type: 'queued', clientId: BACKEND_IDENTITY });
    console.log(
      `[broker memory] queued for the back end while away: ${queued.messages} messages, ${fmt(queued.bytes)}`,
    );
    expect(queued.messages).toBeGreaterThan(0);
    expect(queued.messages).toBeLessThanOrEqual(DEFAULT_QUEUE_LIMITS.maxMessages);
    expect(queued.bytes).toBeLessThanOrEqual(DEFAULT_QUEUE_LIMITS.maxBytes);
    const during = await report('after 12,000 events of 8 KB with the back end away');
    expectBounded(during, caseStart);

    // When the back end returns it gets what was kept, and the queue empties.
    const eventsBefore = during.received.events;
    await proc.call({ type: 'backendOn' });
    while ((await proc.call<{ messages: number }>({ type: 'queued', clientId: BACKEND_IDENTITY })).messages > 0) {
      await sleep(100);
    }
    const back = await report('after the back end returned');
    expect(back.received.events - eventsBefore).toBe(queued.messages);
    expectBounded(back, caseStart);
  }, 240_000);
});
