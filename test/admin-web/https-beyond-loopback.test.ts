/**
 * Issue 7 item 5: the broker's and the admin site's interfaces are set apart (FACEGATE_HOST no
 * longer widens the admin site), and an admin site listening beyond loopback serves only HTTPS
 * (a certificate from the local CA by default), with Secure cookies and HSTS.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../cli/local-stack.js';
import { readLocalSettings } from '../../cli/settings.js';
import { isLoopback } from '../../cli/loopback.js';
import { silentLogger } from '../../lib/logger.js';

describe('admin site interface settings', () => {
  it('FACEGATE_HOST opens the broker only; the admin site needs its own FACEGATE_HTTP_HOST', () => {
    const lan = readLocalSettings({ FACEGATE_HOST: '0.0.0.0' });
    expect(lan.host).toBe('0.0.0.0');
    expect(lan.httpHost).toBe('127.0.0.1');
    const both = readLocalSettings({ FACEGATE_MQTT_HOST: '0.0.0.0', FACEGATE_HTTP_HOST: '192.0.2.10' });
    expect([both.host, both.httpHost]).toEqual(['0.0.0.0', '192.0.2.10']);
    expect(() => readLocalSettings({ FACEGATE_TLS_CERT: '/x.crt' })).toThrow(
      /both FACEGATE_TLS_CERT and FACEGATE_TLS_KEY/,
    );
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '192.0.2.10', '127.0.0.1.example.com'].some(isLoopback)).toBe(false);
  });
});

describe('admin site beyond loopback', () => {
  let tmp: string;
  let stack: LocalStack;
  let port: number;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-https-'));
    stack = await startLocalStack({
      dataDir: tmp,
      httpPort: 0,
      mqttPort: 0,
      httpHost: '0.0.0.0',
      logger: silentLogger(),
      virtualDoor: false,
    });
    port = Number(new URL(stack.httpUrl!).port);
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('serves HTTPS with a certificate from the local CA, Secure cookies and HSTS', async () => {
    expect(stack.httpUrl).toMatch(/^https:\/\/localhost:\d+$/);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      https
        .get(
          { host: '127.0.0.1', port, path: '/login', servername: 'localhost', ca: stack.backend.ca.caCertPem },
          resolve,
        )
        .on('error', reject);
    });
    res.resume();
    expect(res.statusCode).toBe(200);
    expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    const cookies = res.headers['set-cookie'] ?? [];
    expect(cookies.length).toBeGreaterThan(0);
    for (const c of cookies) expect(c).toMatch(/;\s*Secure/i);
  });

  it('answers no plain-HTTP request', async () => {
    const outcome = await new Promise<string>((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path: '/login' }, (r) => {
          r.resume();
          resolve(`status ${r.statusCode}`);
        })
        .on('error', (err) => resolve(`error ${(err as NodeJS.ErrnoException).code}`));
    });
    expect(outcome).not.toBe('status 200');
    expect(outcome).toMatch(/^error|^status 400/);
  });
});
