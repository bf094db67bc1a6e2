/**
 * A door's life from the command line, against the running local stack (real broker over mutual
 * TLS, real SQLite, the real local CA) with real door clients: the door agent (AWS IoT device
 * SDK) and a raw MQTT client holding the door's certificate. Every operation runs as
 * `facegate doors …` / `facegate provision …` in its own process, as an operator would, while the
 * server keeps running: issue 7 item 2.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { doorTopics } from '../../protocol/index.js';
import { startLocalStack, type LocalStack } from '../../cli/local-stack.js';
import { createAgentFromConfig, type AgentRuntime } from '../../agent/src/create-agent-from-config.js';
import { REPO_ROOT } from '../face/faces-dataset.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { asPayload, frameMessage, plainJpeg } from '../cloud/support/frames.js';
import { waitFor } from '../support/wait-for.js';

const run = promisify(execFile);
const BIN = path.join(REPO_ROOT, 'bin/facegate.mjs');
const DOOR = 'lab-door';

interface Bundle {
  bundle: { format: string; privateKeyIncluded: boolean; certificateNotAfter: string };
  doorId: string;
  mqtt: { endpoint: string; port: number; caPem: string; certPem: string; keyPem?: string };
  camera: { type: string; path?: string };
  relay: { type: string };
}

/** Connects once with a door's certificate; resolves with the client, or the refusal. */
function connectRaw(
  port: number,
  b: Bundle,
): Promise<{ ok: true; client: mqtt.MqttClient } | { ok: false; error: Error }> {
  return new Promise((resolve) => {
    const client = mqtt.connect({
      protocol: 'mqtts',
      host: '127.0.0.1',
      port,
      ca: b.mqtt.caPem,
      cert: b.mqtt.certPem,
      key: b.mqtt.keyPem,
      rejectUnauthorized: true,
      protocolVersion: 4,
      clientId: b.doorId,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
    });
    client.once('connect', () => resolve({ ok: true, client }));
    client.once('error', (error) => {
      client.end(true);
      resolve({ ok: false, error });
    });
    client.once('close', () => resolve({ ok: false, error: new Error('closed before CONNACK') }));
  });
}

describe('door lifecycle from the CLI: disable, enable, revoke, provision again, renew, delete', () => {
  let root: string;
  let dataDir: string;
  let stack: LocalStack;
  const agents: AgentRuntime[] = [];

  const facegate = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
        env: {
          ...process.env,
          FACEGATE_DATA_DIR: dataDir,
          FACEGATE_LOG_LEVEL: 'error',
          FACEGATE_MQTT_PORT: String(stack.mqtt.port),
          FACEGATE_PUBLIC_HOST: '127.0.0.1',
        },
        timeout: 120_000,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };
  const readBundle = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Bundle;
  const startAgent = async (file: string) => {
    const runtime = await createAgentFromConfig(file, silentLogger());
    agents.push(runtime);
    await runtime.agent.start();
    await waitFor('door agent connected', () => runtime.agent.state.connected);
    return runtime;
  };
  const doorEvents = async () => (await stack.services.events.list({ doorId: DOOR, limit: 100 })).events;

  beforeAll(async () => {
    root = makeTempDir('door-lifecycle');
    dataDir = path.join(root, 'data');
    stack = await startLocalStack({ dataDir, logger: silentLogger(), httpPort: 0, mqttPort: 0, adminSite: false });
  });

  afterAll(async () => {
    for (const a of agents) await a.stop().catch(() => undefined);
    await stack?.close();
    removeDir(root);
  });

  let first: string;
  let firstBundle: Bundle;

  it('provision writes one bundle file (certificates inline, 0600) that the agent runs as it is', async () => {
    first = path.join(root, 'door-1', 'bundle.json');
    const result = await facegate('provision', DOOR, '--simulated', '--out', first);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Certificate valid until');
    expect(fs.statSync(first).mode & 0o777).toBe(0o600);
    firstBundle = readBundle(first);
    expect(firstBundle).toMatchObject({
      bundle: { format: 'facegate-door-bundle', privateKeyIncluded: true },
      doorId: DOOR,
      mqtt: { endpoint: '127.0.0.1', port: stack.mqtt.port },
      camera: { type: 'directory', path: 'camera' },
      relay: { type: 'simulated' },
    });
    expect(fs.existsSync(path.join(root, 'door-1', 'camera'))).toBe(true);
    // One year by default.
    const days = (Date.parse(firstBundle.bundle.certificateNotAfter) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(364);
    expect(days).toBeLessThan(366);
    // An existing door with a valid certificate is not silently issued a second one.
    const again = await facegate('provision', DOOR);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists and has a valid certificate/);
  });

  it("a disabled door's frames are refused before any search and logged; enable undoes it", async () => {
    expect((await facegate('doors', 'disable', DOOR)).code).toBe(0);
    expect((await stack.services.doors.get(DOOR))?.enabled).toBe(false);
    const door = await connectRaw(stack.mqtt.port, firstBundle);
    if (!door.ok) throw door.error;
    const commands: string[] = [];
    door.client.on('message', (_t, payload) => commands.push(payload.toString()));
    await door.client.subscribeAsync(doorTopics('local', DOOR).commands, { qos: 1 });
    const jpeg = await plainJpeg();
    await door.client.publishAsync(doorTopics('local', DOOR).frames, asPayload(frameMessage(DOOR, jpeg, Date.now())), {
      qos: 1,
    });
    const logged = await waitFor('denied event', async () =>
      (await doorEvents()).find((e) => e.kind === 'access' && e.reason === 'door_disabled'),
    );
    expect(logged).toMatchObject({ doorId: DOOR, result: 'denied' });
    expect(commands.every((c) => !c.includes('"unlock"'))).toBe(true); // never an unlock
    await door.client.endAsync();

    expect((await facegate('doors', 'enable', DOOR)).code).toBe(0);
    expect((await stack.services.doors.get(DOOR))?.enabled).toBe(true);
    const changes = (await doorEvents()).filter((e) => e.kind === 'door_changed').map((e) => [e.actor, e.detail]);
    expect(changes).toEqual([
      ['cli', 'enabled'],
      ['cli', 'disabled: its frames are refused'],
    ]);
  });

  it('revoke drops the connected door agent within 2 s and its certificate is refused from then on', async () => {
    const agent = await startAgent(first);
    let droppedAt = 0;
    const watch = setInterval(() => {
      if (!droppedAt && !agent.agent.state.connected) droppedAt = Date.now();
    }, 10);
    try {
      const result = await facegate('doors', 'revoke', DOOR);
      const revokedAt = Date.now(); // the CLI has exited: the revocation is on disk
      expect(result.code, result.stderr).toBe(0);
      await waitFor('door dropped', () => droppedAt > 0, 10_000);
      const dropMs = droppedAt - revokedAt;
      console.log(`revoked door dropped ${dropMs} ms after "facegate doors revoke" exited`);
      expect(dropMs).toBeLessThan(2_000);
    } finally {
      clearInterval(watch);
    }
    // Every reconnect with the revoked certificate is refused (the link gives up after 3): it never gets back in.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(agent.agent.state.connected).toBe(false);
    const raw = await connectRaw(stack.mqtt.port, firstBundle);
    expect(raw.ok).toBe(false);
    expect((await stack.services.doors.certificates(DOOR)).map((c) => c.status)).toEqual(['revoked']);
    await agent.stop();
  });

  let second: string;

  it('provisioning a revoked door again issues a new certificate that connects; the old one stays refused', async () => {
    second = path.join(root, 'door-2', 'bundle.json');
    const result = await facegate('provision', DOOR, '--simulated', '--out', second);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/provisioned again/);
    const bundle = readBundle(second);
    expect(bundle.mqtt.certPem).not.toBe(firstBundle.mqtt.certPem);
    await startAgent(second);
    expect((await connectRaw(stack.mqtt.port, firstBundle)).ok).toBe(false);
  });

  it('renew issues the next certificate; the list shows its expiry', async () => {
    const third = path.join(root, 'door-3', 'bundle.json');
    const result = await facegate('doors', 'renew', DOOR, '--simulated', '--out', third);
    expect(result.code, result.stderr).toBe(0);
    const renewed = readBundle(third);
    expect(renewed.mqtt.certPem).not.toBe(readBundle(second).mqtt.certPem);
    const statuses = (await stack.services.doors.certificates(DOOR)).map((c) => c.status);
    expect(statuses).toEqual(['active', 'active', 'revoked']);
    const list = await facegate('doors', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(`${DOOR}\\s+${DOOR}\\s+yes\\s+online\\s+.*active until \\d{4}-\\d{2}-\\d{2}`),
    );
  });

  it('delete needs --yes, then drops the door and removes certificates and live state but keeps its audit events', async () => {
    const refused = await facegate('doors', 'delete', DOOR);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--yes/);
    expect(await stack.services.doors.get(DOOR)).not.toBeNull();

    const agent = agents[agents.length - 1]!;
    expect(agent.agent.state.connected).toBe(true);
    const result = await facegate('doors', 'delete', DOOR, '--yes');
    expect(result.code, result.stderr).toBe(0);
    await waitFor('deleted door dropped', () => !agent.agent.state.connected, 5_000);
    expect(await stack.services.doors.get(DOOR)).toBeNull();
    expect(fs.readdirSync(path.join(dataDir, 'ca', 'issued')).length).toBeGreaterThan(0); // the back end's own
    expect(stack.backend.ca.certificatesOf(DOOR)).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'doors', DOOR))).toBe(false);
    const kinds = (await stack.services.events.list({ doorId: DOOR, limit: 100 })).events.map((e) => e.kind);
    expect(kinds).toContain('door_created');
    expect(kinds).toContain('access');
    expect(
      (await stack.services.events.list({ doorId: DOOR, kind: 'door_changed', limit: 1 })).events[0],
    ).toMatchObject({
      detail: expect.stringMatching(/^deleted/),
    });
    expect((await connectRaw(stack.mqtt.port, readBundle(second))).ok).toBe(false);
    await agent.stop();
  });
});
