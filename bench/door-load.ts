/**
 * bench:door-load — the door loop under load, end to end over the real broker with mutual TLS.
 *
 * Starts `facegate serve` as its own process (so its CPU and memory are measured alone) on a
 * temporary data directory with people enrolled from the dev photos, then runs N simulated doors
 * (MQTT clients holding their own door certificates) that publish frames of enrolled people and
 * strangers at F frames per second. Measures frame-published → command-received latency, the
 * decisions per second, frames the back end dropped as stale, and the back end's CPU and peak RSS.
 *
 *   npm run bench:door-load -- [--doors N] [--fps F] [--duration S] [--people P] [--json FILE] [--dataset DIR]
 */
import { execSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { z } from 'zod';
import { silentLogger } from '../lib/logger.js';
import { DoorCommand, doorTopics, parseMessage } from '../protocol/index.js';
import { openOfflineServices } from '../cli/offline-services.js';
import { readLocalSettings } from '../cli/settings.js';
import { listPeople } from './lib/dataset.js';
import { percentile } from './lib/metrics.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const Args = z.object({
  doors: z.coerce.number().int().min(1).max(64).default(1),
  fps: z.coerce.number().min(0.1).max(30).default(2),
  duration: z.coerce.number().min(2).max(3600).default(30),
  people: z.coerce.number().int().min(1).max(2000).default(50),
  json: z.string().optional(),
  dataset: z.string().default(path.resolve(ROOT, '../shared/faces/dev')),
});

function readArgs() {
  const { values } = parseArgs({
    options: {
      doors: { type: 'string' },
      fps: { type: 'string' },
      duration: { type: 'string' },
      people: { type: 'string' },
      json: { type: 'string' },
      dataset: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(
      'usage: npm run bench:door-load -- [--doors N=1] [--fps F=2] [--duration S=30] [--people P=50] [--json FILE] [--dataset DIR]',
    );
    process.exit(0);
  }
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    console.error(`bench:door-load: ${z.prettifyError(parsed.error)}`);
    process.exit(2);
  }
  return parsed.data;
}

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

/** CPU seconds (user + system, all threads) and peak RSS of a process, from /proc. */
function processUsage(pid: number): { cpuSeconds: number; peakRssMb: number } {
  const ticks = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / ticks; // utime, stime (fields 14, 15)
  const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSeconds, peakRssMb: hwm ? Number(hwm[1]) / 1024 : NaN };
}

function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${text}\x1b[K`);
  else process.stderr.write(`${text}\n`);
}

interface DoorClient {
  doorId: string;
  client: mqtt.MqttClient;
}

async function main(): Promise<void> {
  const args = readArgs();
  if (!fs.existsSync(args.dataset)) {
    console.error(`bench:door-load: no photos at ${args.dataset} (the dev set is expected in ../shared/faces/dev)`);
    process.exit(2);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-bench-door-'));
  const dataDir = path.join(work, 'data');
  const [mqttPort, httpPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    FACEGATE_DATA_DIR: dataDir,
    FACEGATE_MQTT_PORT: String(mqttPort),
    FACEGATE_HTTP_PORT: String(httpPort),
    FACEGATE_LOG_LEVEL: 'info',
  };
  const settings = readLocalSettings(env);

  // People with two or more photos: enrol the first, probe with the second. One-photo people are strangers.
  const everyone = listPeople(args.dataset);
  const enrolled = everyone.filter((p) => p.photos.length >= 2).slice(0, args.people);
  const strangers = everyone.filter((p) => p.photos.length === 1).slice(0, args.people);
  const probes = enrolled.flatMap((p, i) => [p.photos[1]!, strangers[i]?.photos[0]].filter((f): f is string => !!f));
  const probeFrames = probes.map((file) => fs.readFileSync(file).toString('base64'));

  const doorIds = Array.from({ length: args.doors }, (_, i) => `bench-door-${i + 1}`);
  const bundles = new Map<string, { caPem: string; certPem: string; keyPem: string }>();
  {
    const offline = await openOfflineServices(settings, silentLogger());
    try {
      let done = 0;
      for (const p of enrolled) {
        const person = await offline.services.people.create({ name: p.name.replaceAll('_', ' ') }, { name: 'bench' });
        await offline.services.enrollment.enroll(person.personId, [fs.readFileSync(p.photos[0]!)], { name: 'bench' });
        progress(`enrolling ${++done}/${enrolled.length}`);
      }
      for (const doorId of doorIds) {
        const { bundle } = await offline.services.doors.create(
          { doorId, name: doorId, pulseMs: 1000 },
          { name: 'bench' },
        );
        bundles.set(doorId, {
          caPem: bundle.credentials.caPem,
          certPem: bundle.credentials.certificatePem,
          keyPem: bundle.credentials.privateKeyPem!, // issued here, not from a request: the key is in the bundle
        });
      }
    } finally {
      await offline.close();
    }
    progress(`enrolled ${enrolled.length} people; ${probes.length} probe photos (${strangers.length} strangers)\n`);
  }

  // The back end, alone in its own process.
  const server = spawn(process.execPath, [path.join(ROOT, 'bin/facegate.mjs'), 'serve'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const serverLines: Record<string, unknown>[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`facegate serve exited with ${code} before it was ready`)));
    readline.createInterface({ input: server.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        serverLines.push(entry);
        if (entry.msg === 'FaceGate local back end ready') resolve();
      } catch {
        /* the welcome text is not JSON */
      }
    });
  });
  await ready;

  const published = new Map<string, number>(); // frameId → time published
  const latencies: { at: number; ms: number }[] = [];
  /** Commands (unlock or deny) received per visit this bench published: a visit must get exactly one. */
  const decisionsByVisit = new Map<string, number>();
  let commandsReceived = 0;
  const doors: DoorClient[] = [];
  for (const doorId of doorIds) {
    const b = bundles.get(doorId)!;
    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${mqttPort}`, {
      clientId: doorId,
      protocolVersion: 4,
      ca: b.caPem,
      cert: b.certPem,
      key: b.keyPem,
      reconnectPeriod: 0,
    });
    await client.subscribeAsync(doorTopics(settings.siteId, doorId).commands, { qos: 1 });
    client.on('message', (_topic, payload) => {
      const now = performance.now();
      const parsed = parseMessage(DoorCommand, payload);
      if (!parsed.ok || !parsed.value.frameId) return;
      const visitId = parsed.value.frameId; // each frame here is a visit of its own (id = frameId)
      if (decisionsByVisit.has(visitId)) decisionsByVisit.set(visitId, decisionsByVisit.get(visitId)! + 1);
      const sentAt = published.get(parsed.value.frameId);
      if (sentAt === undefined) return;
      published.delete(parsed.value.frameId);
      commandsReceived++;
      latencies.push({ at: now, ms: now - sentAt });
    });
    doors.push({ doorId, client });
  }

  const usageBefore = processUsage(server.pid!);
  const startedAt = performance.now();
  let framesPublished = 0;
  let sequence = 0;
  const periodMs = 1000 / args.fps;
  const timers: NodeJS.Timeout[] = doors.map((door, i) => {
    const send = () => {
      const frameId = `bench-${door.doorId}-${++sequence}`;
      const capturedAt = Date.now();
      // Interim until visits land here: each frame is a visit of its own.
      const frame = {
        v: 2,
        type: 'frame',
        doorId: door.doorId,
        frameId,
        capturedAt,
        jpeg: probeFrames[sequence % probeFrames.length],
        visit: { id: frameId, seq: 0, startedAt: capturedAt, last: true },
        face: { box: { x: 0, y: 0, width: 250, height: 250 }, score: 1, sharpness: 50 },
      };
      published.set(frameId, performance.now());
      decisionsByVisit.set(frameId, 0);
      framesPublished++;
      door.client.publish(doorTopics(settings.siteId, door.doorId).frames, JSON.stringify(frame), { qos: 0 });
    };
    // Stagger the doors across one period, as real doors are not synchronised.
    return setTimeout(
      () => {
        send();
        timers[i] = setInterval(send, periodMs);
      },
      (periodMs * i) / doors.length,
    );
  });
  const ticker = setInterval(() => {
    const elapsed = (performance.now() - startedAt) / 1000;
    progress(
      `${elapsed.toFixed(0)}/${args.duration} s  frames ${framesPublished}  decisions ${commandsReceived}  p50 ${percentile(
        latencies.map((l) => l.ms),
        50,
      ).toFixed(0)} ms`,
    );
  }, 1000);
  await new Promise((r) => setTimeout(r, args.duration * 1000));
  for (const t of timers) clearInterval(t);
  const sendingStoppedAt = performance.now();
  await new Promise((r) => setTimeout(r, 2000)); // let in-flight frames finish
  clearInterval(ticker);
  const usageAfter = processUsage(server.pid!);
  const wallSeconds = (performance.now() - startedAt) / 1000;

  for (const door of doors) await door.client.endAsync();
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
  const finalStats = [...serverLines].reverse().find((l) => l.msg === 'frame statistics')?.frames as
    { processed: number; droppedStale: number; searches?: number; outcomes: Record<string, number> } | undefined;
  const perVisit = [...decisionsByVisit.values()];

  const ms = latencies.map((l) => l.ms);
  const midpoint = startedAt + (sendingStoppedAt - startedAt) / 2;
  const firstHalf = latencies.filter((l) => l.at < midpoint).map((l) => l.ms);
  const secondHalf = latencies.filter((l) => l.at >= midpoint).map((l) => l.ms);
  const round = (n: number) => Math.round(n * 10) / 10;
  const result = {
    doors: args.doors,
    fps: args.fps,
    durationSeconds: args.duration,
    enrolledPeople: enrolled.length,
    engineWorkers: settings.engineWorkers,
    framesPublished,
    decisions: commandsReceived,
    decisionsPerSecond: round(commandsReceived / args.duration),
    unanswered: framesPublished - commandsReceived,
    /**
     * Per visit (issue 12). These simulated doors send each frame as a visit of its own (one frame,
     * marked last), so frames sent per visit is 1 by construction; whole walk-ups through the real
     * agent are bench:visits. Decisions per visit counts every command that named the visit.
     */
    visits: perVisit.length,
    framesSentPerVisit: round(framesPublished / Math.max(1, perVisit.length)),
    decisionsPerVisit: {
      min: perVisit.length ? Math.min(...perVisit) : null,
      max: perVisit.length ? Math.max(...perVisit) : null,
      mean: round(perVisit.reduce((a, b) => a + b, 0) / Math.max(1, perVisit.length)),
    },
    searchesPerVisit:
      finalStats?.searches !== undefined ? round(finalStats.searches / Math.max(1, perVisit.length)) : null,
    latencyMs: {
      p50: round(percentile(ms, 50)),
      p95: round(percentile(ms, 95)),
      p99: round(percentile(ms, 99)),
      max: round(Math.max(...ms)),
    },
    droppedStale: finalStats ? finalStats.droppedStale + (finalStats.outcomes.stale ?? 0) : null,
    backendFrames: finalStats ?? null,
    /** p95 latency per 5-second window of the run: flat means no backlog builds up. */
    p95ByWindowMs: Array.from({ length: Math.ceil((sendingStoppedAt - startedAt) / 5000) }, (_, w) => {
      const inWindow = latencies
        .filter((l) => l.at >= startedAt + w * 5000 && l.at < startedAt + (w + 1) * 5000)
        .map((l) => l.ms);
      return inWindow.length ? round(percentile(inWindow, 95)) : null;
    }),
    backlog: {
      firstHalfP95Ms: round(percentile(firstHalf, 95)),
      secondHalfP95Ms: round(percentile(secondHalf, 95)),
      // Latency that keeps climbing means frames queue up faster than they are answered.
      growing: percentile(secondHalf, 95) > 1.5 * percentile(firstHalf, 95) + 100,
    },
    backend: {
      cpuPercent: round((100 * (usageAfter.cpuSeconds - usageBefore.cpuSeconds)) / wallSeconds),
      peakRssMb: round(usageAfter.peakRssMb),
    },
    machine: { cpus: os.cpus().length, node: process.version },
  };
  progress('\n');
  console.log(JSON.stringify(result, null, 2));
  if (args.json) {
    fs.mkdirSync(path.dirname(path.resolve(args.json)), { recursive: true });
    fs.writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
  }
  fs.rmSync(work, { recursive: true, force: true });
}

await main();
