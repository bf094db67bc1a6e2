/**
 * Builds the admin app on the in-memory services double and a real SQLite account store, and
 * signs in through the real sign-in route, for inject() tests.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { buildAdminApp, type AdminAppOptions } from '../../../admin-web/src/app.js';
import { SqliteAdminUserStore } from '../../../admin-web/src/users/sqlite-admin-user-store.js';
import { hashPassword } from '../../../admin-web/src/users/password.js';
import { silentLogger } from '../../../lib/logger.js';
import { MemoryServices } from './memory-services.js';

export const ADMIN = { username: 'alice', password: 'correct horse battery' };

export interface Harness {
  app: FastifyInstance;
  services: MemoryServices;
  users: SqliteAdminUserStore;
  close(): Promise<void>;
}

export async function buildHarness(extra: Partial<AdminAppOptions> = {}): Promise<Harness> {
  const services = new MemoryServices();
  const users = SqliteAdminUserStore.open(':memory:');
  await users.create(
    { username: ADMIN.username, passwordHash: await hashPassword(ADMIN.password), mustChangePassword: false },
    Date.now(),
  );
  const app = await buildAdminApp({ services, users, logger: silentLogger(), cookieSecure: false, ...extra });
  await app.ready();
  return {
    app,
    services,
    users,
    async close() {
      await app.close();
      await users.close();
    },
  };
}

/** Cookies from Set-Cookie headers, merged into a jar (name → value). */
export function collectCookies(res: LightMyRequestResponse, jar: Record<string, string> = {}): Record<string, string> {
  for (const c of res.cookies as { name: string; value: string }[]) jar[c.name] = c.value;
  return jar;
}

export function cookieHeader(jar: Record<string, string>): string {
  return Object.entries(jar)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
}

export function csrfFromHtml(body: string): string {
  const m = /<meta name="csrf-token" content="([^"]+)">/.exec(body);
  if (!m) throw new Error('page has no csrf token');
  return m[1]!;
}

export interface Session {
  jar: Record<string, string>;
  /** The CSRF token of the signed-in session (what every page of the site carries). */
  csrf: string;
  /** The anonymous token the sign-in form carried (bound to the pre-session cookie). */
  loginCsrf: string;
  cookie: string;
}

/**
 * Signs in like a browser: GET /login for the pre-session cookie and token, POST the form, then
 * load the page it redirects to for the session's own CSRF token.
 */
export async function signIn(app: FastifyInstance, creds = ADMIN): Promise<Session> {
  const page = await app.inject({ method: 'GET', url: '/login' });
  const jar = collectCookies(page);
  const loginCsrf = csrfFromHtml(page.body);
  const res = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: cookieHeader(jar) },
    payload: { username: creds.username, password: creds.password, _csrf: loginCsrf },
  });
  if (res.statusCode !== 303) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  collectCookies(res, jar);
  const landing = await app.inject({
    url: String(res.headers.location),
    headers: { cookie: cookieHeader(jar), accept: 'text/html' },
  });
  if (landing.statusCode !== 200) throw new Error(`after sign-in: ${landing.statusCode} ${landing.body}`);
  return { jar, csrf: csrfFromHtml(landing.body), loginCsrf, cookie: cookieHeader(jar) };
}

/** A small real JPEG (a gradient), made at test time. */
export async function makeJpeg(width = 320, height = 240): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i += 3) {
    raw[i] = (i / 3) % 256;
    raw[i + 1] = 128;
    raw[i + 2] = ((i / 3) * 7) % 256;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

export async function makePng(width = 64, height = 64): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 100, b: 50 } } })
    .png()
    .toBuffer();
}

/** A multipart/form-data body built by hand, so tests control every byte, name and field. */
export function multipart(parts: { field: string; filename?: string; contentType?: string; data: Buffer | string }[]) {
  const boundary = '----facegate-test-' + Math.random().toString(16).slice(2);
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.field}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
    chunks.push(
      Buffer.from(head + '\r\n'),
      Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
