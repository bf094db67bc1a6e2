/**
 * bench:visits — whole visits through everything a door and the local back end run, in one
 * process: rendered walk-up frames (bench/lib/visit-render.ts) dropped one by one into a door's
 * camera folder, the agent's real face gate and visit tracker, the real broker over mutual TLS,
 * the back end's per-visit decision with the real face engine, and a simulated relay.
 *
 * Per visit it measures what issue 12 asks of a visit: the first frame's arrival at the camera to
 * the relay energising (enrolled people), unlock commands and access-log rows per visit (must be
 * exactly 1 row, and at most 1 unlock), frames the door sent and face searches the back end made.
 *
 *   npm run bench:visits -- [--visits N=12] [--frames F=6] [--people P=20] [--json FILE] [--dataset DIR]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { silentLogger } from '../lib/logger.js';
import { startLocalStack } from '../cli/local-stack.js';
import { writeDoorBundle } from '../cli/door-bundle.js';
import { createAgentFromConfig } from '../agent/src/create-agent-from-config.js';
import type { SimulatedRelay } from '../agent/src/relay/simulated-relay.js';
import { listPeople } from './lib/dataset.js';
import { percentile } from './lib/metrics.js';
import { renderVisit } from './lib/visit-render.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The agent's camera spacing at a door walking pace (the renderer's frames are 150 ms apart). */
const FRAME_SPACING_MS = 150;
/** Longer than the agent's idle end (1.5 s) plus the back end's sweep, so visits never merge. */
const GAP_BETWEEN_VISITS_MS = 4000;

const Args = z.object({
  visits: z.coerce.number().int().min(2).max(500).default(12),
  frames: z.coerce.number().int().min(1).max(12).default(6),
  people: z.coerce.number().int().min(2).max(500).default(20),
  json: z.string().optional(),
  dataset: z.string().default(path.resolve(ROOT, '../shared/faces/dev')),
});

function readArgs(): z.infer<typeof Args> {
  const { values } = parseArgs({
    options: {
      visits: { type: 'string' },
      frames: { type: 'string' },
      people: { type: 'string' },
      json: { type: 'string' },
      dataset: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log('usage: npm run bench:visits -- [--visits N=12] [--frames F=6] [--people P=20] [--json FILE]');
    process.exit(0);
  }
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    console.error(`bench:visits: ${z.prettifyError(parsed.error)}`);
    process.exit(2);
  }
  return parsed.data;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(probe: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await sleep(20);
  }
  return false;
}

interface VisitResult {
  mated: boolean;
  framesShown: number;
  framesSent: number;
  /** Visits the door's tracker opened for this walk-up (1 when it groups the frames as one). */
  doorVisits: number;
  /** Commands the door received for it: unlock or deny (must be exactly 1). */
  decisions: number;
  searches: number;
  unlocks: number;
  rows: number;
  granted: boolean;
  /** First frame in the camera folder → relay energised; null when it never opened. */
  msToRelay: number | null;
}

async function main(): Promise<void> {
  const args = readArgs();
  if (!fs.existsSync(args.dataset)) {
    console.error(`bench:visits: no photo set at ${args.dataset}`);
    process.exit(2);
  }
  // Enrolled people need a second photo to walk up with; strangers are people never enrolled.
  const all = listPeople(args.dataset);
  const withTwo = all.filter((p) => p.photos.length >= 2).slice(0, args.people);
  const strangers = all.filter((p) => p.photos.length === 1);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-bench-visits-'));
  const progress = (line: string) => process.stderr.write(`\r${line.padEnd(78)}`);
  const stack = await startLocalStack({
    dataDir: path.join(root, 'data'),
    logger: silentLogger(),
    httpPort: 0,
    mqttPort: 0,
    adminSite: false,
  });
  try {
    const actor = { name: 'bench' };
    for (const [i, person] of withTwo.entries()) {
      progress(`enrolling ${i + 1}/${withTwo.length}`);
      const created = await stack.services.people.create({ name: person.name.replaceAll('_', ' ') }, actor);
      await stack.services.enrollment.enroll(created.personId, [fs.readFileSync(person.photos[0]!)], actor);
    }
    const { bundle } = await stack.services.doors.create({ doorId: 'bench-door', name: 'Bench', pulseMs: 300 }, actor);
    const doorDir = path.join(root, 'door');
    const cameraDir = path.join(doorDir, 'camera');
    fs.mkdirSync(cameraDir, { recursive: true });
    const configFile = writeDoorBundle(doorDir, bundle, {
      mqtt: {
        endpoint: '127.0.0.1',
        port: stack.mqtt.port,
        caFile: 'ca.pem',
        certFile: 'door.crt',
        keyFile: 'door.key',
      },
      camera: { type: 'directory', path: 'camera', mode: 'watch', intervalMs: 50 },
      relay: { type: 'simulated' },
    });
    const runtime = await createAgentFromConfig(configFile, silentLogger());
    await runtime.agent.start();
    if (!(await waitUntil(() => runtime.agent.state.connected, 30_000))) throw new Error('door never connected');
    const relay = runtime.relay as SimulatedRelay;

    const results: VisitResult[] = [];
    let shown = 0;
    for (let v = 0; v < args.visits; v++) {
      const mated = v % 2 === 0;
      const pool = mated ? withTwo : strangers;
      const person = pool[Math.floor(v / 2) % pool.length]!;
      const photo = fs.readFileSync(mated ? person.photos[1]! : person.photos[0]!);
      const frames = await renderVisit(photo, { frames: args.frames, seed: `bench-visits-${v}` });
      const door = () => runtime.agent.state;
      const before = {
        frames: { ...door().frames },
        commands: { ...door().commands },
        stats: stack.frameStats(),
        unlocks: relay.history.filter((h) => h.state === 'unlocked').length,
        rows: (await stack.services.events.list({ doorId: 'bench-door', kind: 'access', limit: 500 })).events.length,
      };
      const startedAt = Date.now();
      for (const jpeg of frames) {
        fs.writeFileSync(path.join(cameraDir, `f-${++shown}.jpg`), jpeg);
        await sleep(FRAME_SPACING_MS);
      }
      // The visit ends at the door after its idle time; the back end then answers or sweeps it.
      await sleep(GAP_BETWEEN_VISITS_MS);
      const after = stack.frameStats();
      const opened = relay.history.filter((h) => h.state === 'unlocked' && h.at >= startedAt);
      const rows = (await stack.services.events.list({ doorId: 'bench-door', kind: 'access', limit: 500 })).events;
      const newRows = rows.length - before.rows;
      results.push({
        mated,
        framesShown: frames.length,
        framesSent: door().frames.sent - before.frames.sent,
        doorVisits: door().frames.visits - before.frames.visits,
        decisions:
          door().commands.unlocked + door().commands.denied - before.commands.unlocked - before.commands.denied,
        searches: after.searches - before.stats.searches,
        unlocks: relay.history.filter((h) => h.state === 'unlocked').length - before.unlocks,
        rows: newRows,
        granted: opened.length > 0,
        msToRelay: opened.length > 0 ? opened[0]!.at - startedAt : null,
      });
      progress(`visit ${v + 1}/${args.visits}`);
    }
    process.stderr.write('\n');
    await runtime.stop();

    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
    const matedVisits = results.filter((r) => r.mated);
    const latencies = matedVisits.flatMap((r) => (r.msToRelay === null ? [] : [r.msToRelay]));
    const summary = {
      bench: 'visits',
      measuredAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, loadAverage1m: os.loadavg()[0] },
      args: { visits: args.visits, frames: args.frames, people: withTwo.length },
      visits: results.length,
      framesShownPerVisit: mean(results.map((r) => r.framesShown)),
      framesSentPerVisit: mean(results.map((r) => r.framesSent)),
      searchesPerVisit: mean(results.map((r) => r.searches)),
      doorVisitsPerWalkUp: {
        min: Math.min(...results.map((r) => r.doorVisits)),
        max: Math.max(...results.map((r) => r.doorVisits)),
      },
      decisionsPerVisit: {
        min: Math.min(...results.map((r) => r.decisions)),
        max: Math.max(...results.map((r) => r.decisions)),
      },
      rowsPerVisit: { min: Math.min(...results.map((r) => r.rows)), max: Math.max(...results.map((r) => r.rows)) },
      unlocksPerVisit: { max: Math.max(...results.map((r) => r.unlocks)) },
      matedGranted: `${matedVisits.filter((r) => r.granted).length}/${matedVisits.length}`,
      strangersGranted: `${results.filter((r) => !r.mated && r.granted).length}/${results.length - matedVisits.length}`,
      firstFrameToRelayMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), n: latencies.length },
      perVisit: results,
    };
    console.log(
      [
        `visits ${summary.visits} (${args.frames} frames shown each, ${summary.args.people} people enrolled)`,
        `frames sent per visit ${summary.framesSentPerVisit.toFixed(2)}, searches per visit ${summary.searchesPerVisit.toFixed(2)}`,
        `door visits per walk-up ${summary.doorVisitsPerWalkUp.min}..${summary.doorVisitsPerWalkUp.max}, decisions per visit ${summary.decisionsPerVisit.min}..${summary.decisionsPerVisit.max}`,
        `access-log rows per visit ${summary.rowsPerVisit.min}..${summary.rowsPerVisit.max}, unlocks per visit at most ${summary.unlocksPerVisit.max}`,
        `enrolled let in ${summary.matedGranted}, strangers let in ${summary.strangersGranted}`,
        `first frame -> relay: p50 ${summary.firstFrameToRelayMs.p50} ms, p95 ${summary.firstFrameToRelayMs.p95} ms (n=${latencies.length})`,
      ].join('\n'),
    );
    const out = args.json ?? path.join(ROOT, 'bench-results', 'visits.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
    console.log(`written ${path.relative(process.cwd(), out)}`);
  } finally {
    await stack.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

await main();
