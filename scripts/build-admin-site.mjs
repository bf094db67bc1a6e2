#!/usr/bin/env node
// `npm run build:admin-site`: the admin site as the AWS stack's admin host runs it, built here so
// the host installs nothing: no registry, no compiler, nothing it would not load. The CDK builds it
// at synth (infra/lib/admin-host.ts, the `Code` asset) and the host unzips it and runs
// `node server/admin-site.mjs`.
//
//   server/admin-site.mjs   the ESM bundle (esbuild) of cli/serve-aws-main.ts: the admin site, the
//                           AWS back end's adapters and SDK clients, nothing of the local back end
//   server/admin.mjs        `facegate admin create|reset-password USER` (cli/admin-host-admin-main.ts),
//                           its own bundle (split chunks would move import.meta.url-relative paths)
//   public/                 admin-web/public (the bundle serves ../public from its own folder)
//   node_modules/           only sharp (image checks of uploads) with its native libvips for the
//                           host's platform, installed from a cut of package-lock.json
//   package.json, VERSION
//
// better-sqlite3 is not shipped: on AWS the admin accounts are in DynamoDB (the stack always sets
// FACEGATE_TABLE_ADMINS), and the SQLite store the same module can open is replaced by a stub that
// says so if anything ever tried.
//
//   node scripts/build-admin-site.mjs --out DIR [--arch arm64|x64]   (default arm64: a t4g host)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { lockClosure } from './agent-package/lock-closure.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ENTRY = 'cli/serve-aws-main.ts';
export const BUNDLE = 'server/admin-site.mjs';
export const ADMIN_CLI = 'server/admin.mjs';
/** Loaded by the bundle at run time, from node_modules: native code that cannot be bundled. */
const NATIVE = ['sharp'];
/** Must never reach the admin host (the face engine, the door's MQTT stack, local-mode storage). */
export const FORBIDDEN = [
  '@vladmandic/human',
  '@vladmandic/face-api',
  '@tensorflow',
  'aws-crt',
  'aws-iot-device-sdk-v2',
  'better-sqlite3',
  'onoff',
  'aedes',
];

const SQLITE_STUB = `export default class Database {
  constructor() {
    throw new Error('SQLite is not part of the AWS admin site (accounts are in DynamoDB: set FACEGATE_TABLE_ADMINS)');
  }
}
`;

/** Builds the artifact into `outDir` (created, must be empty or absent). Returns what it holds. */
export async function buildAdminSite({ outDir, arch = 'arm64', log = () => {} }) {
  fs.mkdirSync(outDir, { recursive: true });
  if (fs.readdirSync(outDir).length > 0) throw new Error(`${outDir} is not empty`);
  const rootPackage = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

  // 1. The bundles. Banner: esbuild's ESM output has no require() for the CommonJS packages it inlines.
  const bundle = (entry, outfile) =>
    build({
      entryPoints: [path.join(ROOT, entry)],
      outfile: path.join(outDir, outfile),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: NATIVE,
      plugins: [
        {
          name: 'no-sqlite',
          setup(b) {
            b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: 'better-sqlite3', namespace: 'stub' }));
            b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: SQLITE_STUB, loader: 'js' }));
          },
        },
      ],
      banner: {
        js: "import { createRequire as __facegateRequire } from 'node:module'; const require = __facegateRequire(import.meta.url);",
      },
      metafile: true,
      minifyWhitespace: true,
      logLevel: 'warning',
    });
  const results = [await bundle(ENTRY, BUNDLE), await bundle('cli/admin-host-admin-main.ts', ADMIN_CLI)];
  const inputs = [...new Set(results.flatMap((r) => Object.keys(r.metafile.inputs)))];
  const leaked = inputs.filter((f) => FORBIDDEN.some((name) => f.includes(`node_modules/${name}/`)));
  if (leaked.length > 0) throw new Error(`the admin site bundle reached ${leaked.slice(0, 5).join(', ')}`);
  log(`bundled ${inputs.length} modules into ${BUNDLE} and ${ADMIN_CLI}`);

  // 2. The browser assets, where admin-web/src/assets.ts looks (../public beside the bundle's folder).
  fs.cpSync(path.join(ROOT, 'admin-web/public'), path.join(outDir, 'public'), { recursive: true });

  // 3. The native packages for the host, at the repository's locked versions, from npm's cache or
  //    the registry here; install scripts off (sharp ships prebuilt binaries per platform).
  const dependencies = Object.fromEntries(NATIVE.map((name) => [name, rootPackage.dependencies[name]]));
  const appPackage = {
    name: 'facegate-admin-site',
    version: rootPackage.version,
    private: true,
    type: 'module',
    dependencies,
  };
  fs.writeFileSync(path.join(outDir, 'package.json'), JSON.stringify(appPackage, null, 2) + '\n');
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  fs.writeFileSync(path.join(outDir, 'package-lock.json'), JSON.stringify(lockClosure(lock, appPackage), null, 2));
  const npmEnv = { ...process.env };
  for (const key of Object.keys(npmEnv)) if (/^npm_/i.test(key)) delete npmEnv[key];
  execFileSync(
    'npm',
    [
      'ci',
      '--omit=dev',
      '--ignore-scripts',
      `--cpu=${arch}`,
      '--os=linux',
      '--libc=glibc',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
    ],
    { cwd: outDir, env: npmEnv, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  fs.rmSync(path.join(outDir, 'package-lock.json'));
  fs.rmSync(path.join(outDir, 'node_modules/.package-lock.json'), { force: true });
  const binaries = path.join(outDir, `node_modules/@img/sharp-linux-${arch}/lib`);
  if (!fs.existsSync(binaries) || !fs.readdirSync(binaries).some((f) => f.endsWith('.node'))) {
    throw new Error(`sharp's linux-${arch} binary was not installed (${binaries})`);
  }
  fs.writeFileSync(path.join(outDir, 'VERSION'), `${rootPackage.version} linux-${arch}\n`);
  log(`sharp for linux-${arch} installed`);
  return { bundle: path.join(outDir, BUNDLE), modules: inputs };
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, arch: { type: 'string', default: 'arm64' } },
  });
  if (!values.out || !['arm64', 'x64'].includes(values.arch)) {
    console.error('usage: node scripts/build-admin-site.mjs --out DIR [--arch arm64|x64]');
    process.exit(2);
  }
  const started = performance.now();
  await buildAdminSite({
    outDir: path.resolve(values.out),
    arch: values.arch,
    log: (what) => console.error(`build:admin-site: ${what} (${((performance.now() - started) / 1000).toFixed(1)} s)`),
  });
}
