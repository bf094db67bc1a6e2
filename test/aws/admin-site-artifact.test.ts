/**
 * The admin site as the AWS stack ships it (scripts/build-admin-site.mjs, the admin host's `Code`
 * asset): built here for this machine's architecture (the stack builds it for arm64 the same way),
 * checked for what it must not hold (the face engine, aws-crt, the agent, SQLite), then unpacked
 * away from the repository and started the way the host's systemd unit starts it — `node
 * server/admin-site.mjs` in its folder, with nothing but the stack's environment — against
 * dynalite, s3rver and the SSM stand-in, over HTTPS; its admin command (`node server/admin.mjs`)
 * makes an account that the running site signs in.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { openLocalCa } from '../../cloud/src/adapters/local/ca/index.js';
import { ADMIN_CLI, buildAdminSite, BUNDLE, FORBIDDEN } from '../../scripts/build-admin-site.mjs';
import { startDynalite, startS3rver, type LocalDynamo, type LocalS3 } from './local-aws.js';
import { startFakeSsm, type FakeSsm } from './fake-ssm.js';
import { freePort } from '../support/free-port.js';

const BUCKET = 'facegate-artifact-test';
const OTP_PREFIX = '/facegate/artifact/admin/one-time-password/';
const KMS_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000';
const arch = process.arch === 'arm64' ? 'arm64' : 'x64';

let work: string;
let site: string;
let modules: string[];
let dynamo: LocalDynamo;
let s3: LocalS3;
let ssm: FakeSsm;
let server: ChildProcess | undefined;

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

async function endpointOf(client: { config: { endpoint?: unknown } }): Promise<string> {
  const provider = client.config.endpoint as () => Promise<{ protocol: string; hostname: string; port?: number }>;
  const e = await provider();
  return `${e.protocol}//${e.hostname}:${e.port}`;
}

interface Reply {
  status: number;
  type: string;
  location: string | undefined;
  cookies: string[];
  body: string;
}

function request(
  port: number,
  ca: string,
  url: string,
  options: { method?: string; cookie?: string; form?: Record<string, string> } = {},
): Promise<Reply> {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: url,
        method: options.method ?? 'GET',
        ca,
        agent: false,
        headers: {
          accept: 'text/html',
          ...(options.cookie && { cookie: options.cookie }),
          ...(body !== undefined && {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': String(Buffer.byteLength(body)),
          }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            type: String(res.headers['content-type']),
            location: res.headers.location,
            cookies: res.headers['set-cookie'] ?? [],
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-admin-site-'));
  site = path.join(work, 'app');
  ({ modules } = await buildAdminSite({ outDir: site, arch }));
  [dynamo, s3, ssm] = await Promise.all([startDynalite(), startS3rver(), startFakeSsm()]);
}, 180_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  await Promise.all([dynamo?.stop(), s3?.stop(), ssm?.stop()]);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the admin site artifact', () => {
  it('is the site and the admin command as two bundles, the browser assets and sharp for the host: no face engine, aws-crt, agent or SQLite', () => {
    const files = filesUnder(site);
    const bytes = (f: string) => fs.statSync(path.join(site, f)).size;
    const total = files.reduce((sum, f) => sum + bytes(f), 0);
    console.log(
      `admin site artifact (linux-${arch}): ${files.length} files, ${(total / 1e6).toFixed(1)} MB; server/ (the site and the admin command) ${(files.filter((f) => f.startsWith('server/')).reduce((sum, f) => sum + bytes(f), 0) / 1e6).toFixed(1)} MB of ${modules.length} modules`,
    );
    // Today about 7.4 MB of bundles and 28 MB in all (18 MB of it libvips); the repository with
    // `npm ci --omit=dev` was about 360 MB.
    const server = files.filter((f) => f.startsWith('server/')).reduce((sum, f) => sum + bytes(f), 0);
    expect(server).toBeLessThan(10e6);
    expect(files).toContain(ADMIN_CLI);
    expect(total).toBeLessThan(40e6);
    expect(files).toContain('public/app.css');
    expect(files).toContain('VERSION');

    // Nothing it must not hold, on disk or inside the bundle.
    const top = new Set(files.map((f) => f.split(path.sep)[0]));
    expect([...top].sort()).toEqual(['VERSION', 'node_modules', 'package.json', 'public', 'server']);
    const packages = new Set(
      files
        .filter((f) => f.startsWith('node_modules/'))
        .map((f) =>
          f
            .split('/')
            .slice(1, f.split('/')[1]!.startsWith('@') ? 3 : 2)
            .join('/'),
        ),
    );
    expect([...packages].sort()).toEqual([
      '@img/colour',
      `@img/sharp-libvips-linux-${arch}`,
      `@img/sharp-linux-${arch}`,
      'detect-libc',
      'semver',
      'sharp',
    ]);
    const nativeFiles = files.filter((f) => f.endsWith('.node'));
    expect(nativeFiles.length).toBeGreaterThan(0);
    expect(nativeFiles.every((f) => f.startsWith(`node_modules/@img/sharp-linux-${arch}/`))).toBe(true);
    for (const name of FORBIDDEN) {
      expect(
        files.filter((f) => f.includes(name)),
        name,
      ).toEqual([]);
      expect(
        modules.filter((m) => m.includes(`node_modules/${name}/`)),
        name,
      ).toEqual([]);
    }
    // Of the repository's own code: the AWS adapters, never the local back end or the agent.
    expect(modules.filter((m) => /^(cloud\/src\/adapters\/local|agent)\//.test(m))).toEqual([]);
    expect(modules).toContain('cloud/src/adapters/aws/dynamo-records.ts');
  });

  it('runs with Node alone where it was unpacked, on the stack environment, and serves the sign-in page', async () => {
    const tables = await dynamo.createTables(`art${randomUUID().slice(0, 8)}`);
    await s3.createBucket(BUCKET);
    const tls = path.join(work, 'tls');
    const ca = await openLocalCa(path.join(tls, 'ca'), silentLogger());
    const cert = await ca.issueServerCertificate({ dns: ['localhost'], ips: ['127.0.0.1'] });
    fs.writeFileSync(path.join(tls, 'cert.pem'), cert.certPem);
    fs.writeFileSync(path.join(tls, 'key.pem'), cert.keyPem, { mode: 0o600 });
    const port = await freePort();
    // What /etc/facegate/admin.env holds on the host, pointed at the local stand-ins; no NODE_PATH,
    // and the folder is outside the repository, so nothing resolves into its node_modules.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: work,
      NODE_ENV: 'production',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: '1',
      AWS_ENDPOINT_URL_DYNAMODB: await endpointOf(dynamo.client),
      AWS_ENDPOINT_URL_S3: await endpointOf(s3.client),
      AWS_ENDPOINT_URL_SSM: ssm.url,
      // Nothing answers Rekognition or IoT here: the sign-in page must not need them.
      AWS_ENDPOINT_URL_REKOGNITION: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_IOT: 'http://127.0.0.1:9',
      FACEGATE_BACKEND: 'aws',
      FACEGATE_TABLE_PEOPLE: tables.people,
      FACEGATE_TABLE_FACES: tables.faces,
      FACEGATE_TABLE_DOORS: tables.doors,
      FACEGATE_TABLE_EVENTS: tables.events,
      FACEGATE_TABLE_ADMINS: tables.admins,
      FACEGATE_BUCKET: BUCKET,
      FACEGATE_KMS_KEY_ID: KMS_KEY,
      FACEGATE_COLLECTION_ID: 'facegate-artifact',
      FACEGATE_IOT_POLICY_NAME: 'facegate-artifact-door',
      FACEGATE_IOT_DATA_ENDPOINT: 'facegate-artifact.iot.invalid',
      FACEGATE_ONE_TIME_PASSWORD_PREFIX: OTP_PREFIX,
      FACEGATE_TLS_CERT: path.join(tls, 'cert.pem'),
      FACEGATE_TLS_KEY: path.join(tls, 'key.pem'),
      FACEGATE_HOST: '127.0.0.1',
      FACEGATE_HTTP_PORT: String(port),
      FACEGATE_DATA_DIR: path.join(work, 'data'),
    };
    server = spawn(process.execPath, [BUNDLE], { cwd: site, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    server.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    await new Promise<void>((resolve, reject) => {
      server!.once('exit', (code) => reject(new Error(`the bundled server exited (${code}):\n${stderr}`)));
      readline.createInterface({ input: server!.stdout! }).on('line', (line) => {
        if (line.includes('"FaceGate admin site ready (AWS back end)"')) resolve();
      });
    });

    const get = (url: string) => request(port, ca.caCertPem, url);
    const signIn = await get('/login');
    expect(signIn.status).toBe(200);
    expect(signIn.body).toContain('<h1>Sign in</h1>');
    expect(signIn.body).toContain('name="_csrf"');
    // The browser assets come from the artifact's public/ folder.
    const css = await get('/assets/app.css');
    expect(css.status).toBe(200);
    expect(css.type).toMatch(/text\/css/);
    expect(css.body).toBe(fs.readFileSync(path.join(site, 'public/app.css'), 'utf8'));
    // The first admin's one-time password went to SSM (a SecureString), so DynamoDB and SSM work from the bundle.
    expect(ssm.parameters.get(`${OTP_PREFIX}admin`)).toMatchObject({ Type: 'SecureString', KeyId: KMS_KEY });

    // The release's admin command (what an operator runs on the host through Session Manager) makes
    // an account in the table the running site reads: the site signs it in.
    // Asynchronously: dynalite answers from this process.
    const admin = (...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [ADMIN_CLI, ...args], { cwd: site, env, timeout: 60_000 }, (err, stdout, stderr) =>
          resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
        );
      });
    const created = await admin('create', 'operator');
    expect(created.status, created.stderr).toBe(0);
    const password = /^ {2}(\S+)$/m.exec(created.stdout)?.[1];
    expect(password, created.stdout).toMatch(/^\S{20}$/);
    expect((await admin('create', 'operator')).stderr).toContain('Admin operator already exists');
    expect((await admin('delete', 'operator')).status).toBe(2);
    const page = await get('/login');
    const presession = page.cookies.map((c) => c.split(';')[0]!).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const signedIn = await request(port, ca.caCertPem, '/login', {
      method: 'POST',
      cookie: presession,
      form: { username: 'operator', password: password!, _csrf: csrf },
    });
    expect(signedIn.status, signedIn.body).toBe(303);
    expect(signedIn.location).toBe('/account/password'); // a one-time password is replaced first
    expect(signedIn.cookies.some((c) => c.startsWith('fg_session='))).toBe(true);
  }, 120_000);
});
