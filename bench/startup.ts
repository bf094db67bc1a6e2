/**
 * bench:startup — how long the `facegate` command takes to start, from compiled JavaScript (dist/,
 * `npm run build`) and from TypeScript through tsx (FACEGATE_FROM_SOURCE=1), alternating the two
 * so both see the same machine load:
 *   - `facegate --help`: process start to exit;
 *   - `facegate serve`: process start to the "FaceGate local back end ready" log line (broker,
 *     SQLite, admin site and the face engine's worker with its models loaded), on a data folder
 *     made by one warm-up start.
 * Prints medians and writes bench-results/startup.json.
 * Run: npm run bench:startup [-- --help-runs 7 --serve-runs 5]
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { percentile } from './lib/metrics.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/facegate.mjs');
const MODES = { compiled: { FACEGATE_FROM_SOURCE: '0' }, tsx: { FACEGATE_FROM_SOURCE: '1' } } as const;
type Mode = keyof typeof MODES;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function timeHelp(mode: Mode): number {
  const started = performance.now();
  const res = spawnSync(process.execPath, [BIN, '--help'], { env: { ...process.env, ...MODES[mode] } });
  if (res.status !== 0) throw new Error(`facegate --help (${mode}) exited ${res.status}: ${String(res.stderr)}`);
  return performance.now() - started;
}

async function timeServe(mode: Mode, env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const server = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...env, ...MODES[mode] },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  try {
    return await new Promise<number>((resolve, reject) => {
      server.once('exit', (code) => reject(new Error(`facegate serve (${mode}) exited ${code} before it was ready`)));
      readline.createInterface({ input: server.stdout }).on('line', (line) => {
        if (line.includes('"FaceGate local back end ready"')) resolve(performance.now() - started);
      });
    });
  } finally {
    server.kill('SIGTERM');
    await exited;
  }
}

const median = (values: number[]) => Math.round(percentile(values, 50));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'help-runs': { type: 'string', default: '7' }, 'serve-runs': { type: 'string', default: '5' } },
  });
  const helpRuns = Number(values['help-runs']);
  const serveRuns = Number(values['serve-runs']);
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--if-stale'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-bench-startup-'));
  const env = {
    ...process.env,
    FACEGATE_DATA_DIR: path.join(work, 'data'),
    FACEGATE_MQTT_PORT: String(await freePort()),
    FACEGATE_HTTP_PORT: String(await freePort()),
    FACEGATE_LOG_LEVEL: 'info',
  };
  const help: Record<Mode, number[]> = { compiled: [], tsx: [] };
  const serve: Record<Mode, number[]> = { compiled: [], tsx: [] };
  try {
    timeHelp('compiled');
    timeHelp('tsx');
    for (let i = 0; i < helpRuns; i++) for (const mode of ['compiled', 'tsx'] as const) help[mode].push(timeHelp(mode));
    await timeServe('compiled', env); // warm-up: creates the data folder, CA and first admin
    for (let i = 0; i < serveRuns; i++)
      for (const mode of ['compiled', 'tsx'] as const) serve[mode].push(await timeServe(mode, env));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  const result = {
    measuredAt: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadAverage1m: os.loadavg()[0] ?? 0,
    helpMs: { compiledMedian: median(help.compiled), tsxMedian: median(help.tsx), runs: helpRuns },
    serveReadyMs: { compiledMedian: median(serve.compiled), tsxMedian: median(serve.tsx), runs: serveRuns },
    samples: { help, serve },
  };
  console.log(
    `facegate --help     compiled ${result.helpMs.compiledMedian} ms   tsx ${result.helpMs.tsxMedian} ms   (median of ${helpRuns})`,
  );
  console.log(
    `facegate serve ready compiled ${result.serveReadyMs.compiledMedian} ms   tsx ${result.serveReadyMs.tsxMedian} ms   (median of ${serveRuns})`,
  );
  console.log(`load average ${result.loadAverage1m.toFixed(1)} on ${result.cpus} CPUs`);
  fs.mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench-results/startup.json'), JSON.stringify(result, null, 2) + '\n');
}

await main();
