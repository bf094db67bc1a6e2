/**
 * Forced- and held-open alerts (issue 9 item 6) from the door to the admin's screen: a client with
 * the door's real certificate publishes door events to the local stack (aedes over mutual TLS,
 * door telemetry, SQLite), and headless Chromium on the admin site sees the alert appear live on
 * the dashboard and the doors page, go when the door reports closed, and go when acknowledged.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdminApp } from '../../admin-web/src/app.js';
import { hashPassword } from '../../admin-web/src/users/password.js';
import { SqliteAdminUserStore } from '../../admin-web/src/users/sqlite-admin-user-store.js';
import { startLocalStack, type LocalStack } from '../../cli/local-stack.js';
import { silentLogger } from '../../lib/logger.js';
import { doorTopics, type DoorEventType } from '../../protocol/index.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { CHROMIUM, SCREENSHOT_DIR } from './support/browser-fixtures.js';
import { ADMIN } from './support/harness.js';

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(`door alarm browser test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const DOOR = 'front-door';

describe.skipIf(!haveChromium)('door alarms on the admin site, live from a door', () => {
  let root: string;
  let stack: LocalStack;
  let users: SqliteAdminUserStore;
  let app: FastifyInstance;
  let siteUrl: string;
  let door: mqtt.MqttClient;
  let browser: Browser;
  let page: Page;

  const send = async (type: DoorEventType) => {
    const event = { v: 2, doorId: DOOR, eventId: randomUUID(), type, at: Date.now() };
    await door.publishAsync(doorTopics(stack.siteId, DOOR).events, JSON.stringify(event), { qos: 1 });
  };
  const alert = () => page.locator(`#door-alarms [data-alarm-door="${DOOR}"]`);

  beforeAll(async () => {
    root = makeTempDir('door-alarms');
    stack = await startLocalStack({
      dataDir: path.join(root, 'data'),
      logger: silentLogger(),
      httpPort: 0,
      mqttPort: 0,
      adminSite: false,
      virtualDoor: false,
    });
    users = SqliteAdminUserStore.open(':memory:');
    await users.create(
      { username: ADMIN.username, passwordHash: await hashPassword(ADMIN.password), mustChangePassword: false },
      Date.now(),
    );
    app = await buildAdminApp({ services: stack.services, users, logger: silentLogger(), cookieSecure: false });
    siteUrl = await app.listen({ port: 0, host: '127.0.0.1' });

    const { bundle } = await stack.services.doors.create({ doorId: DOOR, name: 'Front door' }, { name: 'test' });
    const c = bundle.credentials;
    door = await mqtt.connectAsync({
      protocol: 'mqtts',
      host: '127.0.0.1',
      port: stack.mqtt.port,
      ca: c.caPem,
      cert: c.certificatePem,
      key: c.privateKeyPem,
      rejectUnauthorized: true,
      protocolVersion: 4,
      clientId: c.clientId ?? DOOR,
      clean: true,
      reconnectPeriod: 0,
    });

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.setDefaultTimeout(20_000);
    await page.goto(new URL('/login', siteUrl).href);
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await door?.endAsync();
    await app?.close();
    await users?.close();
    await stack?.close();
    if (root) removeDir(root);
  });

  it('forced open: the dashboard shows the alert live and clears it when the door reports closed', async () => {
    expect(await alert().count()).toBe(0);

    await send('door_forced_open');
    await alert().waitFor({ state: 'visible' });
    expect(await alert().getAttribute('role')).toBe('alert');
    expect(await alert().innerText()).toMatch(/Front door: door forced open since \d{4}-\d\d-\d\d/);
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'door-alarm-dashboard.png') });

    await send('door_closed');
    await alert().waitFor({ state: 'detached' });
    expect((await stack.services.doors.get(DOOR))?.alarm).toBeNull();
  }, 60_000);

  it('held open: shown on the doors page at load, acknowledged with its button, logged with who', async () => {
    await send('door_opened');
    await send('door_held_open');
    await expect.poll(async () => (await stack.services.doors.get(DOOR))?.alarm, { timeout: 20_000 }).toBe('held_open');

    await page.goto(new URL('/doors', siteUrl).href);
    expect(await alert().innerText()).toContain('held open');
    await alert().getByRole('button', { name: 'Acknowledge' }).click();
    await page.waitForURL((u) => u.pathname === '/doors');
    expect(await alert().count()).toBe(0);
    expect((await stack.services.doors.get(DOOR))?.alarm).toBeNull();

    const { events } = await stack.services.events.list({ doorId: DOOR, kind: 'door_changed' });
    expect(events[0]).toMatchObject({
      actor: ADMIN.username,
      detail: expect.stringMatching(/^alarm acknowledged: held open since /),
    });

    // The door is still open: a new forced opening raises the alert again on this page, live.
    await send('door_forced_open');
    await alert().waitFor({ state: 'visible' });
    expect(await alert().innerText()).toContain('forced open');
  }, 60_000);
});
