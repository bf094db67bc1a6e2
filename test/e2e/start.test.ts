/**
 * `facegate start` as a user runs it: one command brings up the broker, back end, admin site and
 * the simulated door (a separate agent process), prints what to do next, lets a photo dropped in
 * the door's camera folder open it (enrolled from a second CLI process while the server runs),
 * stops cleanly on SIGTERM, and a second start reuses the data directory.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_DIR, HAVE_FACES, REPO_ROOT, SKIP_REASON } from '../face/faces-dataset.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { freePort } from '../support/free-port.js';

const BIN = path.join(REPO_ROOT, 'bin/facegate.mjs');

interface Started {
  proc: ChildProcess;
  output(): string;
  /** Log lines (JSON, since stdout is not a terminal) of both the server and the door agent. */
  logs(): Record<string, unknown>[];
  waitFor(what: string, test: () => boolean, timeoutMs?: number): Promise<void>;
}

function start(env: NodeJS.ProcessEnv): Started {
  const proc = spawn(process.execPath, [BIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const logs = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  return {
    proc,
    output: () => out,
    logs,
    async waitFor(what, test, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!test()) {
        if (proc.exitCode !== null)
          throw new Error(`facegate start exited (${proc.exitCode}) while waiting for ${what}:\n${out.slice(-3000)}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${out.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

async function stop(s: Started): Promise<number | null> {
  if (s.proc.exitCode !== null) return s.proc.exitCode;
  const exited = new Promise<number | null>((resolve) => s.proc.once('exit', (code) => resolve(code)));
  s.proc.kill('SIGTERM');
  return exited;
}

describe('facegate start', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  let first: Started;

  beforeAll(async () => {
    root = makeTempDir('start');
    env = {
      ...process.env,
      FACEGATE_DATA_DIR: path.join(root, 'data'),
      FACEGATE_HTTP_PORT: String(await freePort()),
      FACEGATE_MQTT_PORT: String(await freePort()),
      FACEGATE_LOG_LEVEL: 'info',
    };
    first = start(env);
  });

  afterAll(async () => {
    if (first) await stop(first);
    removeDir(root);
  });

  it('starts everything with one command and says what to do next', async () => {
    await first.waitFor('the welcome text', () => first.output().includes('Stop with Ctrl+C.'));
    const text = first.output();
    expect(text).toContain(`Admin site    http://127.0.0.1:${env.FACEGATE_HTTP_PORT}`);
    // Piped, not a terminal: the one-time password goes to a 0600 file, and only its path is printed.
    const otpFile = path.join(root, 'data', 'one-time-password-admin.txt');
    expect(text).toContain(otpFile);
    expect(fs.statSync(otpFile).mode & 0o777).toBe(0o600);
    const otp = fs.readFileSync(otpFile, 'utf8').trim();
    expect(otp).toMatch(/^\S{20}$/);
    expect(text).not.toContain(otp);
    expect(text).toContain('doors/front-door/camera');
    // The example enrols as many photos as the advice recommends (three), not two.
    expect(text).toContain('Enrol someone (three photos recommended)');
    expect(text).toContain('npx facegate enroll --name "Ada" ada1.jpg ada2.jpg ada3.jpg');
    await first.waitFor('the simulated door online', () =>
      first.logs().some((l) => l.msg === 'door connected' && l.doorId === 'front-door'),
    );
    const health = await fetch(`http://127.0.0.1:${env.FACEGATE_HTTP_PORT}/healthz`);
    expect(health.status).toBe(200);
  });

  it.skipIf(!HAVE_FACES)(
    `opens the simulated door for a person enrolled from the CLI (${HAVE_FACES ? 'photos found' : SKIP_REASON})`,
    async () => {
      const enroll = await promisify(execFile)(
        process.execPath,
        [BIN, 'enroll', '--name', 'Alan Greenspan', path.join(DEV_DIR, 'Alan_Greenspan', '1.jpg')],
        {
          env: { ...env, FACEGATE_LOG_LEVEL: 'error' },
        },
      );
      expect(enroll.stdout).toMatch(/enrolled with 1 face/);
      fs.copyFileSync(
        path.join(DEV_DIR, 'Alan_Greenspan', '2.jpg'),
        path.join(root, 'data', 'doors', 'front-door', 'camera', 'visitor.jpg'),
      );
      await first.waitFor('the decision', () =>
        first.logs().some((l) => l.msg === 'access granted' && l.doorId === 'front-door'),
      );
      await first.waitFor('the relay', () =>
        first.logs().some((l) => l.component === 'simulated-relay' && l.relay === 'unlocked'),
      );
    },
  );

  it('stops cleanly on SIGTERM, and a second start reuses the data, its certificates and no new password', async () => {
    expect(await stop(first)).toBe(0);
    const issued = () => fs.readdirSync(path.join(root, 'data', 'ca', 'issued')).length;
    const issuedBefore = issued();
    const second = start(env);
    try {
      await second.waitFor('the welcome text', () => second.output().includes('Stop with Ctrl+C.'));
      expect(second.output()).not.toMatch(/one-time password/);
      await second.waitFor('the simulated door online again', () =>
        second.logs().some((l) => l.msg === 'door connected' && l.doorId === 'front-door'),
      );
      // Broker, back end, virtual door and simulated door all kept the certificates they had.
      expect(issued()).toBe(issuedBefore);
      if (HAVE_FACES) {
        const people = await promisify(execFile)(process.execPath, [BIN, 'people'], {
          env: { ...env, FACEGATE_LOG_LEVEL: 'error' },
        });
        expect(people.stdout).toContain('Alan Greenspan');
      }
    } finally {
      expect(await stop(second)).toBe(0);
    }
  });
});
