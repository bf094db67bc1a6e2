/**
 * bench:agent — what the door agent costs on the machine it runs on (issue 12 item 1):
 * - the face gate per 640-px frame (decode + BlazeFace + sharpness), p50/p95 over real photos
 *   from ../shared/faces/dev, each centred on a 640×480 grey frame as a door camera sees a face;
 * - the agent's start-up to ready: process start → connected to the broker over mutual TLS with
 *   the face gate loaded, the compiled agent in its own process (bench/lib/agent-child.mjs);
 * - its RSS once ready, and while judging frames dropped into its camera folder.
 *
 *   npm run bench:agent -- [--photos N=60] [--starts S=3] [--json FILE]
 */
import { execFileSync, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { silentLogger } from '../lib/logger.js';
import { startLocalStack } from '../cli/local-stack.js';
import { writeDoorBundle } from '../cli/door-bundle.js';
import { AgentConfigSchema } from '../agent/src/config.js';
import { FaceGate } from '../agent/src/face-gate/face-gate.js';
import { HumanFaceDetector } from '../agent/src/face-gate/human-face-detector.js';
import { listPeople } from './lib/dataset.js';
import { percentile } from './lib/metrics.js';
import { cameraFrame } from './lib/camera-frame.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const Args = z.object({
  photos: z.coerce.number().int().min(5).max(2000).default(60),
  starts: z.coerce.number().int().min(1).max(20).default(3),
  json: z.string().default(path.join(ROOT, 'bench-results', 'agent.json')),
  dataset: z.string().default(path.resolve(ROOT, '../shared/faces/dev')),
});
const { values } = parseArgs({
  options: {
    photos: { type: 'string' },
    starts: { type: 'string' },
    json: { type: 'string' },
    dataset: { type: 'string' },
  },
});
const parsed = Args.safeParse(values);
if (!parsed.success) {
  console.error(`bench:agent: ${z.prettifyError(parsed.error)}`);
  process.exit(2);
}
const args = parsed.data;
if (!fs.existsSync(args.dataset)) {
  console.error(`bench:agent: no photo set at ${args.dataset}`);
  process.exit(2);
}
const progress = (line: string) => process.stderr.write(`\r${line.padEnd(78)}`);
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

// Every k-th person, sorted by name: varied faces, none chosen by hand.
const people = listPeople(args.dataset);
const step = Math.max(1, Math.floor(people.length / args.photos));
const photos = people
  .filter((_, i) => i % step === 0)
  .slice(0, args.photos)
  .map((p) => p.photos[0]!);
const frames: Buffer[] = [];
for (const [i, p] of photos.entries()) {
  progress(`rendering camera frames ${i + 1}/${photos.length}`);
  frames.push(await cameraFrame(p));
}

// 1. The face gate per frame, in this process.
const gate = new FaceGate(await HumanFaceDetector.create(), AgentConfigSchema.shape.faceGate.parse(undefined));
await gate.inspect(frames[0]!); // the first call compiles WASM kernels: not a steady-state frame
const gateMs: number[] = [];
let passed = 0;
for (const [i, jpeg] of frames.entries()) {
  progress(`face gate ${i + 1}/${frames.length}`);
  const t0 = performance.now();
  const verdict = await gate.inspect(jpeg);
  gateMs.push(performance.now() - t0);
  if (verdict.ok) passed += 1;
}

// 2. and 3. The agent in its own process against the local back end.
progress('building the compiled agent');
execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'ignore' });
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-bench-agent-'));
const stack = await startLocalStack({
  dataDir: path.join(root, 'data'),
  logger: silentLogger(),
  httpPort: 0,
  mqttPort: 0,
  adminSite: false,
});
const readyMs: number[] = [];
let rssReady = 0;
let rssRunning = 0;
try {
  const { bundle } = await stack.services.doors.create({ doorId: 'bench-door', name: 'Bench' }, { name: 'bench' });
  const doorDir = path.join(root, 'door');
  const cameraDir = path.join(doorDir, 'camera');
  fs.mkdirSync(cameraDir, { recursive: true });
  const configFile = writeDoorBundle(doorDir, bundle, {
    mqtt: { endpoint: '127.0.0.1', port: stack.mqtt.port, caFile: 'ca.pem', certFile: 'door.crt', keyFile: 'door.key' },
    camera: { type: 'directory', path: 'camera', mode: 'watch', intervalMs: 50 },
    relay: { type: 'simulated' },
  });
  for (let s = 0; s < args.starts; s++) {
    progress(`agent start ${s + 1}/${args.starts}`);
    const child = fork(path.join(ROOT, 'bench/lib/agent-child.mjs'), [configFile], { stdio: 'ignore' });
    const next = <T>(type: string) =>
      new Promise<T>((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`agent exited (${code}) before '${type}'`));
        const onMessage = (m: { type: string } & T) => {
          if (m.type !== type) return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(m);
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
      });
    const ready = await next<{ msFromStart: number; rss: number }>('ready');
    readyMs.push(ready.msFromStart);
    rssReady = Math.max(rssReady, ready.rss);
    if (s === args.starts - 1) {
      // Running: frames with faces (and visits to the back end) at the camera's pace for a while.
      for (const [i, jpeg] of frames.slice(0, 30).entries()) {
        progress(`agent running: frame ${i + 1}/30`);
        fs.writeFileSync(path.join(cameraDir, `f-${i}.jpg`), jpeg);
        await new Promise((r) => setTimeout(r, 200));
        child.send('rss');
        rssRunning = Math.max(rssRunning, (await next<{ rss: number }>('rss')).rss);
      }
    }
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
  }
} finally {
  await stack.close();
  fs.rmSync(root, { recursive: true, force: true });
}
process.stderr.write('\n');

const summary = {
  bench: 'agent',
  measuredAt: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    loadAverage1m: os.loadavg()[0],
    node: process.version,
  },
  faceGate: {
    frame: '640x480 JPEG q82, one 250-px dev photo centred',
    frames: frames.length,
    passed,
    msPerFrame: { p50: percentile(gateMs, 50), p95: percentile(gateMs, 95) },
  },
  startupToReadyMs: { median: percentile(readyMs, 50), all: readyMs },
  rssMb: { ready: mb(rssReady), running: mb(rssRunning) },
};
console.log(
  [
    `face gate per 640-px frame: p50 ${summary.faceGate.msPerFrame.p50.toFixed(0)} ms, p95 ${summary.faceGate.msPerFrame.p95.toFixed(0)} ms (${frames.length} frames, ${passed} passed)`,
    `agent start-up to ready (process start -> connected, gate loaded): median ${summary.startupToReadyMs.median} ms of ${readyMs.join(', ')}`,
    `agent RSS: ${summary.rssMb.ready} MB ready, ${summary.rssMb.running} MB at most while judging frames`,
    `load average ${summary.machine.loadAverage1m?.toFixed(1)} on ${summary.machine.cpus} cores`,
  ].join('\n'),
);
fs.mkdirSync(path.dirname(args.json), { recursive: true });
fs.writeFileSync(args.json, `${JSON.stringify(summary, null, 2)}\n`);
console.log(`written ${path.relative(process.cwd(), args.json)}`);
