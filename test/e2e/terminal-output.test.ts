/**
 * What `facegate serve` shows a person (issue 10 item 8). Piped (stdout not a terminal): JSON log
 * lines on stdout only, and the start banner as plain text on stderr, apart from them. On a
 * terminal (a real pty from script(1)): the banner with the one-time password on stdout, log
 * entries one line each, and page loads add no lines, so the password does not scroll away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../face/faces-dataset.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { freePort } from '../support/free-port.js';

const BIN = path.join(REPO_ROOT, 'bin/facegate.mjs');
const BANNER_END = 'Stop with Ctrl+C.';

interface Server {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  waitFor(what: string, test: () => boolean): Promise<void>;
  stop(): Promise<void>;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Server {
  const proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    async waitFor(what, test) {
      const deadline = Date.now() + 200_000;
      while (!test()) {
        if (proc.exitCode !== null) throw new Error(`exited (${proc.exitCode}) waiting for ${what}:\n${out}\n${err}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${out.slice(-3000)}\n${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Ten page loads, then one request that is logged (a sign-in post without its CSRF token is
 * refused with a warning), so the test waits for a line it knows will come.
 */
async function browse(port: number): Promise<void> {
  for (let i = 0; i < 10; i++) await fetch(`http://127.0.0.1:${port}/login`).then((r) => r.text());
  await fetch(`http://127.0.0.1:${port}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'username=a&password=b',
  }).then((r) => r.text());
}

describe('facegate serve in a terminal and in a pipe', () => {
  let root: string;
  const servers: Server[] = [];

  beforeAll(() => {
    root = makeTempDir('terminal');
  });
  afterAll(async () => {
    for (const s of servers) await s.stop().catch(() => undefined);
    removeDir(root);
  });

  async function envFor(name: string): Promise<{ env: NodeJS.ProcessEnv; port: number }> {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FACEGATE_DATA_DIR: path.join(root, name),
      FACEGATE_HTTP_PORT: String(port),
      FACEGATE_MQTT_PORT: String(await freePort()),
      FACEGATE_LOG_LEVEL: 'info',
    };
    delete env.CI; // CI forces JSON logs even on a terminal; this test is about what a person sees
    return { env, port };
  }

  it('piped: JSON lines only on stdout, the banner as plain text on stderr, no line per page load', async () => {
    const { env, port } = await envFor('piped');
    const server = run(process.execPath, [BIN, 'serve'], env);
    servers.push(server);
    await server.waitFor('the banner', () => server.stderr().includes(BANNER_END));
    const banner = server.stderr();
    expect(banner).toContain('FaceGate is running.');
    expect(banner).toContain(`Admin site    http://127.0.0.1:${port}`);
    expect(banner).toMatch(/the one-time password is in\n\s+\S+one-time-password-admin\.txt/);
    expect(banner.split('\n').filter((l) => l.startsWith('{'))).toEqual([]);

    await browse(port);
    await server.waitFor('the refused sign-in warning', () => server.stdout().includes('"msg":"request refused"'));
    const lines = server.stdout().trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    expect(lines.filter((l) => l.includes('/login'))).toEqual([]);
    expect(lines.filter((l) => /incoming request|request completed/.test(l))).toEqual([]);
    await server.stop();
  }, 240_000);

  it('on a terminal: the banner and one-time password on stdout, one line per log entry, none per page load', async () => {
    const { env, port } = await envFor('tty');
    // script(1) runs the command on a new pty and copies what it shows to our stdout.
    const command = `${process.execPath} ${BIN} serve`;
    const server = run('script', ['-qfec', command, '/dev/null'], { ...env, COLUMNS: '160', LINES: '40' });
    servers.push(server);
    await server.waitFor('the banner', () => server.stdout().includes(BANNER_END));
    const screen = () => server.stdout().replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex -- strips colour codes
    expect(screen()).toMatch(/First sign-in: user "admin", one-time password \S{8,}/);
    expect(screen()).not.toContain('"level"');

    await browse(port);
    await server.waitFor('the refused sign-in warning', () => screen().includes('request refused'));
    const afterBanner = screen().slice(screen().indexOf(BANNER_END) + BANNER_END.length);
    const lines = afterBanner.split(/\r?\n/).filter((l) => l.trim() !== '');
    expect(lines.filter((l) => l.includes('/login'))).toEqual([]);
    // Each log entry is one line starting with its time: nothing spread over several lines.
    for (const line of lines) expect(line, afterBanner).toMatch(/^\[\d{2}:\d{2}:\d{2}(\.\d+)?\] /);
    // Ten page loads later the banner, password included, is still within one screen.
    expect(lines.length).toBeLessThan(15);
    await server.stop();
  }, 240_000);
});
