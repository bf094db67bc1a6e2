/**
 * Builds the admin app on the real application services (SQLite records and the encrypted file
 * store in a temporary directory, the local CA issuing door certificates) and a real SQLite
 * account store, and signs in through the real sign-in route, for inject() tests. Two ports are
 * test implementations: the face index is scripted (the real engine is too slow here; see
 * ScriptedFaceIndex) and door commands are recorded at the messaging port (the broker adapter
 * has its own tests against aedes). Every call that reaches the services is recorded, so a test
 * can show that bad input stopped before them.
 */
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { buildAdminApp, type AdminAppOptions } from '../../../admin-web/src/app.js';
import { SqliteAdminUserStore } from '../../../admin-web/src/users/sqlite-admin-user-store.js';
import { hashPassword } from '../../../admin-web/src/users/password.js';
import { silentLogger } from '../../../lib/logger.js';
import { openLocalCa } from '../../../cloud/src/adapters/local/ca/index.js';
import { LocalDoorProvisioner } from '../../../cloud/src/adapters/local/ca/local-door-provisioner.js';
import { createDoorChangeFeed, type DoorChangeFeed } from '../../../cloud/src/app/door-change-feed.js';
import { createServices } from '../../../cloud/src/app/create-services.js';
import type { FacegateServices } from '../../../cloud/src/app/services.js';
import { auditEvent } from '../../../cloud/src/domain/audit-event.js';
import type { AuditEvent, Door } from '../../../cloud/src/domain/types.js';
import type { DoorStatePatch } from '../../../cloud/src/ports/records.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';
import { openLocalStores, type LocalStores } from '../../cloud/support/local-stores.js';
import { RecordingMessaging } from '../../cloud/support/recording-messaging.js';
import { ScriptedFaceIndex } from '../../cloud/support/scripted-face-index.js';

export const ADMIN = { username: 'alice', password: 'correct horse battery' };

export interface Call {
  method: string;
  args: unknown[];
}

export interface Harness {
  app: FastifyInstance;
  /** The real services the app was given. */
  services: FacegateServices;
  /** Every call the app made into the services, in order ('people.create', …). */
  calls: Call[];
  callsTo(method: string): Call[];
  stores: LocalStores;
  faceIndex: ScriptedFaceIndex;
  messaging: RecordingMessaging;
  users: SqliteAdminUserStore;
  /** Adds a door through the doors service (certificate issued by the local CA), then sets its live state. */
  addDoor(door: Pick<Door, 'doorId' | 'name'> & DoorStatePatch): Promise<Door>;
  /** What door telemetry does when a door reports: the record changes and the live feed hears of it. */
  changeDoor(doorId: string, patch: DoorStatePatch): Promise<void>;
  /** Appends an audit event as a door or handler would. */
  addEvent(e: Partial<AuditEvent> & Pick<AuditEvent, 'kind'>): Promise<AuditEvent>;
  close(): Promise<void>;
}

// One CA per test file: making its RSA key is the slow part, and nothing here depends on a fresh one.
let sharedCa: Promise<LocalDoorProvisioner> | undefined;
function provisioner(): Promise<LocalDoorProvisioner> {
  sharedCa ??= (async () => {
    const dir = makeTempDir('admin-web-ca');
    process.once('exit', () => removeDir(dir));
    const ca = await openLocalCa(path.join(dir, 'ca'), silentLogger());
    return new LocalDoorProvisioner(ca, { siteId: 'local', host: 'localhost', port: 8883 });
  })();
  return sharedCa;
}

/** Wraps each service method so calls are recorded, then passes them on unchanged. */
function recorded(services: FacegateServices, calls: Call[]): FacegateServices {
  const wrap = <T extends object>(area: string, target: T): T => {
    const out: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(target)) {
      out[name] =
        typeof fn === 'function'
          ? (...args: unknown[]) => {
              calls.push({ method: `${area}.${name}`, args });
              return (fn as (...a: unknown[]) => unknown)(...args);
            }
          : fn;
    }
    return out as T;
  };
  return {
    people: wrap('people', services.people),
    enrollment: wrap('enrollment', services.enrollment),
    doors: wrap('doors', services.doors),
    events: wrap('events', services.events),
  };
}

export async function buildHarness(extra: Partial<AdminAppOptions> = {}): Promise<Harness> {
  const stores = openLocalStores('admin-web');
  const faceIndex = new ScriptedFaceIndex();
  const messaging = new RecordingMessaging();
  const feed: DoorChangeFeed = createDoorChangeFeed();
  const real = createServices({
    records: stores.records,
    faceIndex,
    images: stores.images,
    messaging,
    provisioner: await provisioner(),
    clock: () => Date.now(),
    logger: silentLogger(),
    doorFeed: feed,
  });
  const calls: Call[] = [];
  const services = recorded(real, calls);
  const users = SqliteAdminUserStore.open(':memory:');
  await users.create(
    { username: ADMIN.username, passwordHash: await hashPassword(ADMIN.password), mustChangePassword: false },
    Date.now(),
  );
  const app = await buildAdminApp({ services, users, logger: silentLogger(), cookieSecure: false, ...extra });
  await app.ready();
  const changeDoor = async (doorId: string, patch: DoorStatePatch) => {
    await stores.records.updateDoorState(doorId, patch);
    const door = await stores.records.getDoor(doorId);
    if (door) feed.publish(door);
  };
  return {
    app,
    services,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    stores,
    faceIndex,
    messaging,
    users,
    async addDoor({ doorId, name, ...state }) {
      await real.doors.create({ doorId, name }, { name: 'test' });
      if (Object.keys(state).length > 0) await changeDoor(doorId, state);
      return (await stores.records.getDoor(doorId))!;
    },
    changeDoor,
    async addEvent(e) {
      const event = auditEvent({ at: Date.now(), ...e });
      await stores.records.appendEvent(event);
      return event;
    },
    async close() {
      await app.close();
      await users.close();
      await stores.close();
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
