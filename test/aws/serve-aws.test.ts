/**
 * `facegate serve-aws` end to end: the admin site's composition root on the EC2 host, configured
 * only through the environment the CDK stack writes plus the standard AWS SDK endpoint variables,
 * served over real HTTPS, with DynamoDB on dynalite and S3 on s3rver. Rekognition and IoT point at
 * a local tripwire that fails the test if any route exercised here calls them.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { ConfigError } from '../../lib/errors.js';
import { serveAws } from '../../cli/commands/serve-aws.js';
import { DATA_FILES } from '../../cli/local-backend.js';
import { openLocalCa } from '../../cloud/src/adapters/local/ca/index.js';
import { DynamoRecords } from '../../cloud/src/adapters/aws/dynamo-records.js';
import type { TableNames } from '../../cloud/src/adapters/aws/dynamo-schema.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { startDynalite, startS3rver, type LocalDynamo, type LocalS3 } from './local-aws.js';
import { startFakeSsm, type FakeSsm } from './fake-ssm.js';
import { freePort } from '../support/free-port.js';
import { envPatch } from '../support/env-patch.js';

const BUCKET = 'facegate-serve-aws-test';
const OTP_PREFIX = '/facegate/test/admin/one-time-password/';
const KMS_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000';

/** Answers every request with a 500 and records it: Rekognition and IoT must stay untouched here. */
async function startTripwire(): Promise<{ url: string; hits: string[]; stop(): Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url} ${String(req.headers['x-amz-target'] ?? '')}`.trim());
    res.writeHead(500, { 'content-type': 'application/json' }).end('{"__type":"InternalFailure","message":"tripwire"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  setCookies: string[];
  body: string;
}

/** A minimal browser over real HTTPS: verifies the server against the CA, keeps a cookie jar. */
function httpsClient(port: number, ca: string) {
  const jar = new Map<string, string>();
  return {
    jar,
    request(
      method: string,
      url: string,
      options: { headers?: Record<string, string>; body?: string } = {},
    ): Promise<Reply> {
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      return new Promise((resolve, reject) => {
        const req = https.request(
          {
            host: '127.0.0.1',
            port,
            method,
            path: url,
            ca,
            agent: false,
            headers: {
              ...(cookie && { cookie }),
              ...(options.body !== undefined && { 'content-length': String(Buffer.byteLength(options.body)) }),
              ...options.headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const setCookies = res.headers['set-cookie'] ?? [];
              for (const line of setCookies) {
                const [pair] = line.split(';');
                const eq = pair!.indexOf('=');
                const name = pair!.slice(0, eq).trim();
                const value = pair!.slice(eq + 1).trim();
                if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
                else jar.set(name, value);
              }
              resolve({
                status: res.statusCode!,
                headers: res.headers,
                setCookies,
                body: Buffer.concat(chunks).toString('utf8'),
              });
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(options.body);
      });
    },
  };
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function csrfFrom(page: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(page);
  if (!match) throw new Error('no CSRF token in the page');
  return match[1]!;
}

function cookieLine(reply: Reply, name: string): string {
  const line = reply.setCookies.find((c) => c.startsWith(`${name}=`));
  if (!line) throw new Error(`no ${name} cookie set; got ${JSON.stringify(reply.setCookies)}`);
  return line;
}

let dynamo: LocalDynamo;
let s3: LocalS3;
let tripwire: Awaited<ReturnType<typeof startTripwire>>;
let ssm: FakeSsm;
let tables: TableNames;
let tlsDir: string;
let caCertPem: string;
let certFile: string;
let keyFile: string;
/** afterAll leaves process.env as found. */
const env = envPatch();

/** Everything readAdminHostConfig requires and what points the SDK clients at the local servers. */
function hostEnv(dataDir: string, port: number): Record<string, string | undefined> {
  return {
    AWS_REGION: 'eu-west-1',
    // s3rver checks signatures against its built-in account; dynalite accepts any credentials.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: undefined,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    // An IP-address endpoint makes the SDK's S3 endpoint rules use path-style addressing, which
    // s3rver needs; openAwsBackend sets no forcePathStyle (and the SDK reads no variable for it).
    AWS_ENDPOINT_URL_S3: s3.url,
    AWS_ENDPOINT_URL_REKOGNITION: tripwire.url,
    AWS_ENDPOINT_URL_IOT: tripwire.url,
    AWS_ENDPOINT_URL_SSM: ssm.url,
    AWS_MAX_ATTEMPTS: '1',
    FACEGATE_TABLE_PEOPLE: tables.people,
    FACEGATE_TABLE_FACES: tables.faces,
    FACEGATE_TABLE_DOORS: tables.doors,
    FACEGATE_TABLE_EVENTS: tables.events,
    FACEGATE_BUCKET: BUCKET,
    FACEGATE_KMS_KEY_ID: KMS_KEY,
    FACEGATE_COLLECTION_ID: 'facegate-test',
    FACEGATE_IOT_POLICY_NAME: 'facegate-test-door',
    // Never resolves (.invalid): a publish would fail loudly instead of reaching a real account.
    FACEGATE_IOT_DATA_ENDPOINT: 'facegate-test.iot.invalid',
    FACEGATE_MATCH_THRESHOLD: undefined,
    FACEGATE_EVENT_RETENTION_DAYS: undefined,
    FACEGATE_MAX_FRAME_AGE_MS: undefined,
    FACEGATE_TLS_CERT: certFile,
    FACEGATE_TLS_KEY: keyFile,
    FACEGATE_HOST: '127.0.0.1',
    FACEGATE_HTTP_PORT: String(port),
    FACEGATE_DATA_DIR: dataDir,
    FACEGATE_TABLE_ADMINS: tables.admins,
    FACEGATE_ONE_TIME_PASSWORD_PREFIX: OTP_PREFIX,
    // What the stack's timeZone setting writes: validity dates are days in this zone.
    FACEGATE_TIME_ZONE: 'America/New_York',
  };
}

beforeAll(async () => {
  [dynamo, s3, tripwire, ssm] = await Promise.all([startDynalite(), startS3rver(), startTripwire(), startFakeSsm()]);
  tables = await dynamo.createTables(`sa${randomUUID().slice(0, 8)}`);
  await s3.createBucket(BUCKET);

  // A server certificate for 127.0.0.1 from the local CA, so the client verifies TLS for real.
  tlsDir = makeTempDir('serve-aws-tls');
  const ca = await openLocalCa(path.join(tlsDir, 'ca'), silentLogger());
  const server = await ca.issueServerCertificate({ dns: ['localhost'], ips: ['127.0.0.1'] });
  caCertPem = ca.caCertPem;
  certFile = path.join(tlsDir, 'server.crt');
  keyFile = path.join(tlsDir, 'server.key');
  fs.writeFileSync(certFile, server.certPem);
  fs.writeFileSync(keyFile, server.keyPem, { mode: 0o600 });
});

afterAll(async () => {
  env.restore();
  await Promise.all([dynamo?.stop(), s3?.stop(), tripwire?.stop(), ssm?.stop()]);
  if (tlsDir) removeDir(tlsDir);
});

describe('serveAws', () => {
  it('refuses to start with a ConfigError naming both variables when the TLS key is missing', async () => {
    const dataDir = path.join(makeTempDir('serve-aws-nokey'), 'data');
    try {
      env.set({ ...hostEnv(dataDir, await freePort()), FACEGATE_TLS_KEY: undefined });
      const started = serveAws(silentLogger());
      await expect(started).rejects.toBeInstanceOf(ConfigError);
      await expect(started).rejects.toThrow(/FACEGATE_TLS_CERT and FACEGATE_TLS_KEY/);
      // Refused before touching anything: no data directory, no admin account created.
      expect(fs.existsSync(dataDir)).toBe(false);
    } finally {
      env.restore();
      removeDir(path.dirname(dataDir));
    }
  });

  it('refuses a time zone that is not an IANA name, before touching anything', async () => {
    const dataDir = path.join(makeTempDir('serve-aws-zone'), 'data');
    try {
      env.set({ ...hostEnv(dataDir, await freePort()), FACEGATE_TIME_ZONE: 'Mars/Olympus' });
      await expect(serveAws(silentLogger())).rejects.toThrow(/FACEGATE_TIME_ZONE must be an IANA time zone/);
      expect(fs.existsSync(dataDir)).toBe(false);
    } finally {
      env.restore();
      removeDir(path.dirname(dataDir));
    }
  });

  it('serves the admin site over HTTPS on the AWS adapters: sign-in, people in DynamoDB, erasure in S3', async () => {
    const dataDir = makeTempDir('serve-aws-data');
    const port = await freePort();
    env.set(hostEnv(dataDir, port));
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(' '));
    });
    let site: { stop(): Promise<void> } | undefined;
    try {
      site = await serveAws(silentLogger());
      log.mockRestore();
      // The one-time password is an SSM SecureString under the stack's key; the banner names the
      // parameter, never the password, and the instance keeps no account database of its own.
      const parameter = `${OTP_PREFIX}admin`;
      expect(printed.join('\n'), 'first-start banner').toContain(parameter);
      const stored = ssm.parameters.get(parameter);
      expect(stored).toMatchObject({ Type: 'SecureString', KeyId: KMS_KEY });
      const otp = stored!.Value;
      expect(otp).toMatch(/^\S{20}$/);
      expect(printed.join('\n')).not.toContain(otp);
      expect(fs.existsSync(path.join(dataDir, DATA_FILES.admin))).toBe(false);
      expect(fs.readdirSync(dataDir).filter((f) => f.startsWith('one-time-password'))).toEqual([]);

      const client = httpsClient(port, caCertPem);

      // Public health check, over TLS verified against the CA; HSTS because it is served over HTTPS.
      const health = await client.request('GET', '/healthz');
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toEqual({ ok: true });
      expect(health.headers['strict-transport-security']).toMatch(/max-age=31536000/);

      // No session: pages go to sign-in, scripts get a 401.
      const home = await client.request('GET', '/', { headers: { accept: 'text/html' } });
      expect(home.status).toBe(303);
      expect(home.headers.location).toBe('/login?next=%2F');
      const api = await client.request('GET', '/api/people');
      expect(api.status).toBe(401);

      // Sign in with the one-time password; every cookie is Secure, HttpOnly, SameSite=Strict.
      const loginPage = await client.request('GET', '/login', { headers: { accept: 'text/html' } });
      expect(loginPage.status).toBe(200);
      expect(cookieLine(loginPage, 'fg_presession')).toMatch(/;\s*Secure/i);
      let csrf = csrfFrom(loginPage.body);
      const signIn = await client.request('POST', '/login', {
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: form({ username: 'admin', password: otp, _csrf: csrf }),
      });
      expect(signIn.status).toBe(303);
      expect(signIn.headers.location).toBe('/account/password');
      expect(ssm.parameters.has(parameter), 'one-time password parameter deleted at first sign-in').toBe(false);
      const session = cookieLine(signIn, 'fg_session');
      expect(session).toMatch(/;\s*Secure/i);
      expect(session).toMatch(/;\s*HttpOnly/i);
      expect(session).toMatch(/;\s*SameSite=Strict/i);

      // A one-time password must be replaced before anything else.
      const blocked = await client.request('GET', '/api/people');
      expect(blocked.status).toBe(403);
      const passwordPage = await client.request('GET', '/account/password', { headers: { accept: 'text/html' } });
      csrf = csrfFrom(passwordPage.body);
      const newPassword = `serve-aws-${randomUUID()}`;
      const changed = await client.request('POST', '/account/password', {
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: form({ current: otp, password: newPassword, confirm: newPassword, _csrf: csrf }),
      });
      expect(changed.status).toBe(303);
      expect(cookieLine(changed, 'fg_session')).toMatch(/;\s*Secure/i);
      // The new password started a new session, and CSRF tokens are bound to the session.
      const dashboard = await client.request('GET', '/', { headers: { accept: 'text/html' } });
      expect(dashboard.body).toContain('Times in America/New_York');
      csrf = csrfFrom(dashboard.body);

      // Without the CSRF token a change is refused and nothing is written.
      const json = { 'content-type': 'application/json' };
      const forged = await client.request('POST', '/api/people', {
        headers: json,
        body: JSON.stringify({ name: 'Mallory' }),
      });
      expect(forged.status).toBe(403);

      const created = await client.request('POST', '/api/people', {
        headers: { ...json, 'x-csrf-token': csrf },
        body: JSON.stringify({ name: 'Ada Lovelace', validUntil: '2026-12-31' }),
      });
      expect(created.status, created.body).toBe(201);
      const { person } = JSON.parse(created.body) as { person: { personId: string; name: string; status: string } };
      expect(person).toMatchObject({ name: 'Ada Lovelace', status: 'active' });

      // The person is in the DynamoDB table the stack named, read back through a separate adapter.
      const records = new DynamoRecords({
        client: dynamo.client,
        tables,
        eventRetentionDays: null,
        logger: silentLogger(),
      });
      expect(await records.getPerson(person.personId)).toMatchObject({
        personId: person.personId,
        name: 'Ada Lovelace',
        status: 'active',
        // The end of 31 December in New York (UTC-5), not in Greenwich.
        validUntil: Date.UTC(2027, 0, 1, 5) - 1,
      });
      expect((await records.listPeople()).map((p) => p.name)).toEqual(['Ada Lovelace']);
      const { events } = await records.listEvents();
      expect(events.map((e) => [e.kind, e.personId, e.actor])).toContainEqual([
        'person_created',
        person.personId,
        'admin',
      ]);

      // Erasure goes through S3 too: a photo stored under the person's prefix is gone afterwards.
      const photoKey = `photos/${person.personId}/leftover.jpg`;
      await s3.client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: photoKey, Body: Buffer.from('not really a jpeg') }),
      );
      const erased = await client.request('DELETE', `/api/people/${person.personId}`, {
        headers: { ...json, 'x-csrf-token': csrf },
        body: JSON.stringify({ confirm: true }),
      });
      expect(erased.status, erased.body).toBe(204);
      await expect(s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: photoKey }))).rejects.toMatchObject({
        name: 'NoSuchKey',
      });
      expect(await records.getPerson(person.personId)).toBeNull();
      const after = await records.listEvents();
      expect(after.events.find((e) => e.kind === 'person_erased')).toMatchObject({
        personId: person.personId,
        detail: 'erased 0 faces, 1 photos, 0 snapshots',
      });

      // None of this needed Rekognition or the IoT control plane.
      expect(tripwire.hits).toEqual([]);

      await site.stop();
      site = undefined;
      await expect(client.request('GET', '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

      // A replacement instance (empty disk, same stack) has the account: no new one-time password,
      // and the password chosen above signs in.
      const replacementDir = makeTempDir('serve-aws-replacement');
      env.set({ FACEGATE_DATA_DIR: replacementDir });
      try {
        site = await serveAws(silentLogger());
        const fresh = httpsClient(port, caCertPem);
        const page = await fresh.request('GET', '/login', { headers: { accept: 'text/html' } });
        const again = await fresh.request('POST', '/login', {
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
          body: form({ username: 'admin', password: newPassword, _csrf: csrfFrom(page.body) }),
        });
        expect(again.status).toBe(303);
        expect(again.headers.location).toBe('/');
        expect(ssm.calls.filter((c) => c === 'AmazonSSM.PutParameter')).toHaveLength(1);
        await site.stop();
        site = undefined;
      } finally {
        removeDir(replacementDir);
      }
    } finally {
      log.mockRestore();
      await site?.stop();
      env.restore();
      removeDir(dataDir);
    }
  });
});
