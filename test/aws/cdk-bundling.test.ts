/**
 * Proves the Lambdas bundle the way `cdk deploy` bundles them (NodejsFunction with the local
 * esbuild, no Docker), and that the recognize-frame bundle runs on its own in plain Node: no tsx,
 * no node_modules next to it. Also that the admin host's release is the admin site built for
 * linux-arm64 (scripts/build-admin-site.mjs; test/aws/admin-site-artifact.test.ts runs one).
 */
import { spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStack } from './cdk-app.js';

let built: ReturnType<typeof buildStack>;
let recognizeBundle: string;
let adminSite: string;

beforeAll(() => {
  built = buildStack({ site: 'bundled' }, { bundle: true });
  const resources = Template.fromStack(built.stack).toJSON().Resources as Record<string, { Properties: any }>;
  const fn = resources[built.stack.getLogicalId(built.stack.lambdas.recognizeFrame.node.defaultChild as never)]!;
  const assetHash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  recognizeBundle = path.join(built.outdir, `asset.${assetHash}`, 'index.js');
  adminSite = path.join(built.outdir, `asset.${built.stack.adminHost.code.assetHash}`);
}, 300_000);
afterAll(() => built?.cleanup());

/** Runs the bundle's handler in a fresh Node process with only the given environment. */
function invokeBundle(
  env: Record<string, string>,
  event: unknown,
): { stdout: string; stderr: string; status: number | null } {
  const script = `
    const { handler } = require(${JSON.stringify(recognizeBundle)});
    handler(${JSON.stringify(event)}).then(
      (r) => { process.stdout.write('RESULT ' + JSON.stringify(r) + '\\n'); },
      (e) => { process.stdout.write('ERROR ' + e.code + ' ' + e.message + '\\n'); },
    );`;
  const res = spawnSync(process.execPath, ['-e', script], {
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { stdout: res.stdout, stderr: res.stderr, status: res.status };
}

describe('Lambda bundling', () => {
  it('bundles recognize-frame with esbuild into one CommonJS file with the AWS SDK inside', () => {
    expect(fs.existsSync(recognizeBundle)).toBe(true);
    const code = fs.readFileSync(recognizeBundle, 'utf8');
    const required = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!));
    const external = [...required].filter((name) => !builtinModules.includes(name.replace(/^node:/, '')));
    // The S3 client's optional SigV4a signer (multi-region access points, unused here) is its only lazy require.
    expect(external).toEqual(['@aws-sdk/signature-v4-crt']);
    console.log(`recognize-frame bundle: ${(fs.statSync(recognizeBundle).size / 1024).toFixed(0)} KiB`);
  });

  it('the bundle refuses to start without its configuration, naming the variable', () => {
    const res = invokeBundle({}, {});
    expect(res.stdout).toMatch(/^ERROR config AWS_REGION must be set/m);
  });

  it('the configured bundle builds its clients and rejects a malformed rule event without calling AWS', () => {
    const res = invokeBundle(
      {
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
        FACEGATE_TABLE_PEOPLE: 'p',
        FACEGATE_TABLE_FACES: 'f',
        FACEGATE_TABLE_DOORS: 'd',
        FACEGATE_TABLE_EVENTS: 'e',
        FACEGATE_TABLE_VISITS: 'v',
        FACEGATE_TABLE_BUDGETS: 'bud',
        FACEGATE_BUCKET: 'b',
        FACEGATE_KMS_KEY_ID: 'k',
        FACEGATE_COLLECTION_ID: 'c',
        FACEGATE_IOT_DATA_ENDPOINT: 'abc123-ats.iot.eu-west-1.amazonaws.com',
        FACEGATE_LOG_LEVEL: 'warn',
      },
      { v: 2, topicDoorId: 'Not A Door!' },
    );
    expect(res.stdout).toMatch(/^RESULT \{"status":"rejected","reason":"topicDoorId must be a door id"\}$/m);
    // The JSON log line went to stdout for CloudWatch, with the component that rejected it.
    expect(res.stdout).toMatch(/"component":"recognize-frame-lambda".*IoT rule event rejected/);
  });
});

describe('admin host release', () => {
  it('is the built admin site for linux-arm64: the bundle, its assets and sharp, no repository and no registry install', () => {
    const files = fs
      .readdirSync(adminSite, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(adminSite, path.join(e.parentPath, e.name)));
    expect(files).toContain('server/admin-site.mjs');
    expect(files).toContain('server/admin.mjs'); // facegate admin create|reset-password, over the same table
    expect(files).toContain('public/app.css');
    // None of the repository's sources, lock file or the face engine: only what the host runs.
    expect(files.filter((f) => /^(cli|cloud|agent|lib|infra|test)\//.test(f) || f === 'package-lock.json')).toEqual([]);
    expect(files.filter((f) => /@vladmandic|@tensorflow|aws-crt|better-sqlite3/.test(f))).toEqual([]);
    // sharp's native addon for the t4g host: an ELF for AArch64 (e_machine 183).
    const native = files.filter((f) => f.endsWith('.node'));
    expect(native.length).toBeGreaterThan(0);
    for (const f of native) {
      expect(f).toMatch(/^node_modules\/@img\/sharp-linux-arm64\//);
      expect(fs.readFileSync(path.join(adminSite, f)).readUInt16LE(18), f).toBe(183);
    }
    const total = files.reduce((sum, f) => sum + fs.statSync(path.join(adminSite, f)).size, 0);
    console.log(`admin host release (linux-arm64): ${files.length} files, ${(total / 1e6).toFixed(1)} MB`);
    expect(total).toBeLessThan(40e6);
  });
});
