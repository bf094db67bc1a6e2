/**
 * The door package (`npm run build:agent`, dist-agent/facegate-agent-*-linux-arm64.tar.gz) on
 * arm64 without a Pi: the archive is unpacked and its own arm64 Node runs the agent under qemu
 * user-mode emulation (qemu-aarch64-static called directly, no binfmt needed), with Debian's arm64
 * libc from scripts/arm64-sysroot.sh through QEMU_LD_PREFIX. Against the real local back end
 * (broker with mutual TLS, face engine, SQLite) the agent connects with its certificate, sends a
 * frame from a folder camera, and a granted decision drives its simulated relay. This proves the
 * arm64 binaries load and that the package is complete (nothing outside it is used).
 *
 * scripts/test-full.sh (what CI runs) builds the archive and the sysroot first. With CI set, a
 * missing archive, qemu or sysroot fails this test; locally it is skipped and says why.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../support/capture-logger.js';
import { startLocalStack, type LocalStack } from '../../cli/local-stack.js';
import { writeDoorBundle } from '../../cli/door-bundle.js';
import { DEV_DIR, HAVE_FACES, REPO_ROOT, SKIP_REASON } from '../face/faces-dataset.js';
import { isCi } from '../support/photo-set.global.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';

const OUT_DIR = path.join(REPO_ROOT, 'dist-agent');
const SYSROOT = path.join(OUT_DIR, 'arm64-sysroot');
const QEMU = '/usr/bin/qemu-aarch64-static';
const ENROLLED = 'Alan_Greenspan';
const DOOR_ID = 'arm64-door';
// Emulated arm64 on two shared cores: loading sharp, the AWS CRT and BlazeFace takes tens of seconds.
const EMULATED_MS = 400_000;
/**
 * How old a frame may be when the back end gets it, for this emulated door only. A frame carries
 * the instant its camera took it and the back end measures its age from then (5 s by default, a
 * security property: a face from long ago must not open the door now). Under emulation the arm64
 * face gate and JPEG fit take 10-30 s a frame, so with the default every frame is (rightly)
 * dropped as stale. 60 s is the largest the real setting accepts (FACEGATE_MAX_FRAME_AGE_MS);
 * the local stack takes it as \`recognize.maxFrameAgeMs\`.
 */
const EMULATED_FRAME_AGE_MS = 60_000;

function findArchive(): string | undefined {
  const name = fs.existsSync(OUT_DIR)
    ? fs.readdirSync(OUT_DIR).find((f) => /^facegate-agent-.*-linux-arm64\.tar\.gz$/.test(f))
    : undefined;
  return name && path.join(OUT_DIR, name);
}

const archive = findArchive();
const missing = [
  !archive && 'the door package (npm run build:agent)',
  !fs.existsSync(QEMU) && `${QEMU} (Debian qemu-user-static)`,
  !fs.existsSync(path.join(SYSROOT, 'lib/ld-linux-aarch64.so.1')) &&
    `the arm64 runtime in ${SYSROOT} (scripts/arm64-sysroot.sh)`,
  !HAVE_FACES && SKIP_REASON,
].filter((m): m is string => typeof m === 'string');
const ready = missing.length === 0;

describe.runIf(!ready && isCi(process.env))('door package on arm64 (CI)', () => {
  it('has what it needs to run: the test must not pass untested', () => {
    throw new Error(`cannot run the arm64 package test, missing: ${missing.join('; ')}`);
  });
});

describe.skipIf(!ready)(
  `door package on arm64 under qemu (${ready ? 'ready' : `skipped, missing: ${missing.join('; ')}`})`,
  () => {
    let root: string;
    let pkg: string;
    let stack: LocalStack;
    let agent: ChildProcess | undefined;
    let output = '';
    let personId: string;
    const backEnd = captureLogger('info');
    /** The agent's JSON log lines so far (pino, one object a line). */
    const agentLog = () =>
      output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as { msg?: string; time?: number; [key: string]: unknown }];
          } catch {
            return [];
          }
        });
    const emulated = (args: string[], cwd: string) =>
      execFileSync(QEMU, args, {
        cwd,
        env: { ...process.env, QEMU_LD_PREFIX: SYSROOT },
        encoding: 'utf8',
        timeout: EMULATED_MS,
      });
    async function waitFor<T>(
      what: string,
      probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
    ) {
      const deadline = Date.now() + EMULATED_MS;
      for (;;) {
        const value = await probe();
        if (value) return value;
        if (agent?.exitCode != null)
          throw new Error(`the arm64 agent exited (${agent.exitCode}) before ${what}:\n${output.slice(-3000)}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    beforeAll(async () => {
      root = makeTempDir('arm64-package');
      execFileSync('tar', ['-xzf', archive!, '-C', root]);
      pkg = path.join(root, path.basename(archive!, '.tar.gz'));
      stack = await startLocalStack({
        dataDir: path.join(root, 'data'),
        logger: backEnd.logger,
        httpPort: 0,
        mqttPort: 0,
        adminSite: false,
        recognize: { maxFrameAgeMs: EMULATED_FRAME_AGE_MS },
      });
      const person = await stack.services.people.create({ name: 'Alan Greenspan' }, { name: 'test' });
      personId = person.personId;
      const enrolled = await stack.services.enrollment.enroll(
        person.personId,
        [fs.readFileSync(path.join(DEV_DIR, ENROLLED, '1.jpg'))],
        { name: 'test' },
      );
      expect(enrolled[0]?.faceId).toBeTruthy();
    });

    afterAll(async () => {
      if (agent && agent.exitCode === null) {
        const exited = new Promise((resolve) => agent!.once('exit', resolve));
        agent.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
        if (agent.exitCode === null) agent.kill('SIGKILL');
      }
      await stack?.close();
      if (root) removeDir(root);
    });

    it('holds what install.sh and the systemd unit expect: arm64 Node, the agent, the unit', () => {
      for (const file of [
        'bin/node',
        'app/agent/src/main.js',
        'app/agent/src/relay-off.js',
        'systemd/facegate-agent.service',
      ])
        expect(fs.existsSync(path.join(pkg, file)), file).toBe(true);
      const elf = fs.readFileSync(path.join(pkg, 'bin/node')).subarray(0, 20);
      expect(elf.readUInt16LE(18)).toBe(183); // EM_AARCH64
      // Only the agent's own packages: nothing of the back end, the admin site or the CLI.
      const modules = fs.readdirSync(path.join(pkg, 'app/node_modules'));
      for (const foreign of [
        'fastify',
        '@fastify',
        'better-sqlite3',
        'aedes',
        'commander',
        'tsx',
        'esbuild',
        'playwright-core',
      ])
        expect(modules).not.toContain(foreign);
      // aws-crt uses @aws-sdk/util-utf8-browser; the back end's AWS clients stay out.
      const awsSdk = fs.existsSync(path.join(pkg, 'app/node_modules/@aws-sdk'))
        ? fs.readdirSync(path.join(pkg, 'app/node_modules/@aws-sdk'))
        : [];
      expect(awsSdk.filter((p) => p.startsWith('client-'))).toEqual([]);
      expect(fs.existsSync(path.join(pkg, 'app/cloud'))).toBe(false);
      expect(fs.existsSync(path.join(pkg, 'app/admin-web'))).toBe(false);
    });

    it(
      'loads its arm64 native parts: sharp resizes, the AWS CRT and onoff (epoll built for this Node) load',
      () => {
        const script = `
        const sharp = (await import('sharp')).default;
        const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } }).png().toBuffer();
        const { info } = await sharp(png).resize(32).raw().toBuffer({ resolveWithObject: true });
        const crt = await import('aws-crt');
        const { Gpio } = await import('onoff');
        console.log(JSON.stringify({ arch: process.arch, width: info.width, crt: typeof crt.io.ClientBootstrap, gpio: Gpio.accessible }));`;
        const out = emulated([path.join(pkg, 'bin/node'), '--input-type=module', '-e', script], path.join(pkg, 'app'));
        expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({
          arch: 'arm64',
          width: 32,
          crt: 'function',
          gpio: false,
        });
      },
      EMULATED_MS,
    );

    it(
      'runs the agent: connects with its certificate and sends a frame from its folder camera through its face gate',
      async () => {
        const { bundle } = await stack.services.doors.create(
          { doorId: DOOR_ID, name: DOOR_ID, pulseMs: 500 },
          { name: 'test' },
        );
        const dir = path.join(root, 'door');
        fs.mkdirSync(path.join(dir, 'camera'), { recursive: true });
        const configFile = writeDoorBundle(dir, bundle, {
          mqtt: {
            endpoint: '127.0.0.1',
            port: stack.mqtt.port,
            caFile: 'ca.pem',
            certFile: 'door.crt',
            keyFile: 'door.key',
          },
          camera: { type: 'directory', path: 'camera', mode: 'watch', intervalMs: 200 },
          relay: { type: 'simulated' },
        });
        agent = spawn(QEMU, [path.join(pkg, 'bin/node'), path.join(pkg, 'app/agent/src/main.js'), configFile], {
          cwd: root,
          env: {
            ...process.env,
            QEMU_LD_PREFIX: SYSROOT,
            FACEGATE_LOG_LEVEL: 'debug', // printed only when the test fails

            NODE_ENV: 'production',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        agent.stdout!.on('data', (d: Buffer) => (output += d.toString()));
        agent.stderr!.on('data', (d: Buffer) => (output += d.toString()));

        const door = await waitFor('the door online over mutual TLS', async () => {
          const d = await stack.services.doors.get(DOOR_ID);
          return d?.online && d.agentVersion ? d : null;
        });
        expect(door.agentVersion).toMatch(/\d+\.\d+\.\d+/);

        fs.copyFileSync(path.join(DEV_DIR, ENROLLED, '3.jpg'), path.join(dir, 'camera', 'walk-up.jpg'));
        // The frame passed the arm64 face gate (BlazeFace on tfjs-WASM), left over mutual TLS and was
        // handled by the back end's frame handler.
        await waitFor('the frame handled by the back end', () => {
          const { outcomes } = stack.frameStats();
          return Object.values(outcomes).some((n) => n > 0);
        });
        console.log('arm64 agent: back end frame outcomes', JSON.stringify(stack.frameStats().outcomes));
      },
      EMULATED_MS * 2,
    );

    it(
      'on a granted decision drives its simulated relay; the access log has the grant and the door its unlock',
      async () => {
        // The frame carries the instant the camera took it; the emulated gate and JPEG fit take
        // 10-30 s, so it is that old when it arrives (EMULATED_FRAME_AGE_MS says why that is allowed).
        const seen = agentLog().find((l) => l.msg === 'new picture in watched folder')?.time;
        const sent = agentLog().find((l) => l.msg === 'frame sent')?.time;
        const stale = backEnd.lines.filter((l) => l.msg === 'stale frame dropped').map((l) => l.ageMs);
        console.log(`arm64 agent: picture seen -> frame sent ${seen && sent ? sent - seen : '?'} ms`);
        expect(stack.frameStats().outcomes, `frame ages dropped as stale: ${JSON.stringify(stale)} ms`).toMatchObject({
          decided: 1,
          stale: 0,
        });

        const access = await waitFor('the access-log row', async () => {
          const { events } = await stack.services.events.list({ doorId: DOOR_ID, kind: 'access', limit: 10 });
          return events[0];
        });
        expect(access).toMatchObject({ result: 'granted', reason: 'match', personId, personName: 'Alan Greenspan' });
        expect(access.decisionId).toBeTruthy();

        // The relay's observable effect: the agent's relay log, energised then released after the pulse.
        const energised = await waitFor('the simulated relay energised', () =>
          agentLog().find((l) => l.msg === 'simulated relay energised: door UNLOCKED' && l.relay === 'unlocked'),
        );
        await waitFor('the relay released after the pulse', () =>
          agentLog().find(
            (l) => l.msg === 'simulated relay released: door locked' && (l.time ?? 0) >= (energised.time ?? 0),
          ),
        );
        expect(agentLog().find((l) => l.msg === 'door unlocked')).toMatchObject({
          decisionId: access.decisionId,
          source: 'face',
        });
        console.log(`arm64 agent: decision -> relay energised ${(energised.time ?? 0) - access.at} ms`);

        // The door told the back end, for that decision (not flagged as an unlock no grant backs).
        const unlocked = await waitFor("the door's unlock event in the log", async () => {
          const { events } = await stack.services.events.list({ doorId: DOOR_ID, kind: 'door_event', limit: 50 });
          return events.find((e) => e.decisionId === access.decisionId && e.detail?.startsWith('unlocked'));
        });
        expect(unlocked.detail).not.toContain('SUSPICIOUS');
      },
      EMULATED_MS * 2,
    );
  },
);
