/**
 * bench:door — how long a person waits at the door: walk-ups of enrolled people through the whole
 * local system, each a new visit, with the latency of each one broken into stages.
 *
 * Runs what a site runs, each in its own process from the compiled output: `facegate serve` (the
 * broker with mutual TLS, the back end with the local face engine) on a temporary data directory
 * with people enrolled from ../shared/faces/dev, and `facegate agent` for one door with a folder
 * camera and a simulated relay. A walk-up is one enrolled person's probe photo (a photo that was
 * not enrolled), centred on a 640×480 camera frame and dropped into the camera folder `--frames`
 * times, 150 ms apart (someone standing at the door); the next walk-up waits until the agent has
 * ended the visit, so each one is a new visit.
 *
 * The stages come from timestamps the two processes log at debug level where each thing happens
 * (their JSON log lines, on one clock): the camera's capture time of the visit's first frame, the
 * agent's 'frame passed the face gate' and 'frame sent', the back end's 'frame received' and
 * 'frame searched', the command's issuedAt (set as the back end publishes it), the agent's
 * 'command received' and the simulated relay's 'energised' line. Nothing is timed by this script
 * except when it wrote the first file.
 *
 * The first `--warmup` walk-ups are not counted: the first frame each process handles compiles
 * its WASM kernels (the agent's first gate call took 700 ms under load), which a door pays once
 * after start, not per visit.
 *
 *   npm run bench:door -- [--walkups N=24] [--warmup W=1] [--frames F=5] [--people P=N] [--enroll E=3] [--json FILE] [--dataset DIR]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { silentLogger } from '../lib/logger.js';
import { openOfflineServices } from '../cli/offline-services.js';
import { readLocalSettings } from '../cli/settings.js';
import { writeDoorBundle } from '../cli/door-bundle.js';
import { listPeople } from './lib/dataset.js';
import { percentile } from './lib/metrics.js';
import { cameraFrame } from './lib/camera-frame.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** A door camera at the agent's judging rate (frames.maxFps 5 would take one every 200 ms). */
const FRAME_SPACING_MS = 150;
/** How often the folder camera looks (a real camera delivers frames; this poll is the bench's own). */
const CAMERA_POLL_MS = 50;

const Args = z.object({
  walkups: z.coerce.number().int().min(2).max(500).default(24),
  warmup: z.coerce.number().int().min(0).max(10).default(1),
  frames: z.coerce.number().int().min(1).max(20).default(5),
  people: z.coerce.number().int().min(1).max(569).optional(),
  enroll: z.coerce.number().int().min(1).max(4).default(3),
  json: z.string().default(path.join(ROOT, 'bench-results', 'door.json')),
  dataset: z.string().default(path.resolve(ROOT, '../shared/faces/dev')),
});

function readArgs(): z.infer<typeof Args> {
  const { values } = parseArgs({
    options: {
      walkups: { type: 'string' },
      warmup: { type: 'string' },
      frames: { type: 'string' },
      people: { type: 'string' },
      enroll: { type: 'string' },
      json: { type: 'string' },
      dataset: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(
      'usage: npm run bench:door -- [--walkups N=24] [--warmup W=1] [--frames F=5] [--people P=N] [--enroll E=3] [--json FILE=bench-results/door.json] [--dataset DIR]',
    );
    process.exit(0);
  }
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    console.error(`bench:door: ${z.prettifyError(parsed.error)}`);
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

const progress = (line: string) =>
  process.stderr.isTTY ? process.stderr.write(`\r${line}\x1b[K`) : process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const loadAverage = () => Math.round(os.loadavg()[0]! * 100) / 100;
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

/** One JSON log line of a child process (pino: `time` is epoch ms, `msg` the message). */
interface LogLine {
  time: number;
  msg: string;
  [key: string]: unknown;
}

/** A child process whose JSON log lines are kept, with a way to wait for one. */
class LoggedProcess {
  readonly lines: LogLine[] = [];
  /** The end of its stderr (the start banner, a crash), shown when it fails. */
  stderrTail = '';
  private waiters: { test: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000)));
    readline.createInterface({ input: child.stdout! }).on('line', (text) => {
      if (!text.startsWith('{')) return;
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        return;
      }
      this.lines.push(line);
      for (const w of [...this.waiters]) {
        if (w.test(line)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
  }

  /** The first line (already seen or to come) that passes `test`; rejects after `timeoutMs` or on exit. */
  waitFor(test: (l: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine> {
    const seen = this.lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no '${what}' within ${timeoutMs} ms`)), timeoutMs);
      const done = (l: LogLine) => {
        clearTimeout(timer);
        resolve(l);
      };
      this.waiters.push({ test, resolve: done });
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${code}) while waiting for '${what}':\n${this.stderrTail}`));
      });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    await this.exited;
  }
}

function startProcess(name: string, args: string[], env: NodeJS.ProcessEnv): LoggedProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/facegate.mjs'), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new LoggedProcess(name, child);
}

/** The timestamps of one walk-up, epoch ms; null when the thing did not happen. */
interface WalkUpTimes {
  written: number;
  captured: number | null;
  gated: number | null;
  published: number | null;
  received: number | null;
  searched: number | null;
  decisionPublished: number | null;
  commandReceived: number | null;
  relay: number | null;
}

interface WalkUp {
  person: string;
  visitId: string | null;
  result: 'unlock' | 'deny' | null;
  /** Which frame's search the decision followed (0: the first frame was enough). */
  decidedAfterSeq: number | null;
  /**
   * The agent's gate finished judging a frame while the command was on its way (between issuedAt
   * and its receipt): the gate shares the agent's thread, so the command may have waited for it.
   */
  gateBusyWhileCommandInFlight: boolean;
  framesShown: number;
  framesSent: number;
  /** Commands the door received naming the visit (must be exactly 1). */
  decisions: number;
  searches: number;
  times: WalkUpTimes;
}

/** The stages, each from one timestamp to the next. */
const STAGES = [
  ['cameraPickup', 'written', 'captured', 'file written → frame captured (the folder camera polls every 50 ms)'],
  ['faceGate', 'captured', 'gated', 'captured → face gate done (decode, BlazeFace, sharpness)'],
  ['encodeAndPublish', 'gated', 'published', 'gate done → published by the agent (scale, JPEG, MQTT publish)'],
  ['toBackend', 'published', 'received', 'published → received by the back end (broker, TLS, parse, queue)'],
  ['search', 'received', 'searched', 'received → engine search done (decode, detect, embed, search)'],
  ['decide', 'searched', 'decisionPublished', 'search done → decision published (fusion, rules, claim)'],
  ['toDoor', 'decisionPublished', 'commandReceived', 'decision published → received by the agent (broker, TLS, guard)'],
  ['relay', 'commandReceived', 'relay', 'command received → relay energised'],
] as const satisfies readonly (readonly [string, keyof WalkUpTimes, keyof WalkUpTimes, string])[];

function walkUpFromLogs(
  agentLines: LogLine[],
  backendLines: LogLine[],
  from: number,
  to: number,
): Omit<WalkUp, 'person' | 'framesShown'> {
  const inWindow = (l: LogLine) => l.time >= from && l.time < to;
  const agent = agentLines.filter(inWindow);
  const first = agent.find((l) => l.msg === 'frame sent' && l.seq === 0);
  const visitId = typeof first?.visitId === 'string' ? first.visitId : null;
  const ofVisit = (l: LogLine) => visitId !== null && l.visitId === visitId;
  const captured = typeof first?.capturedAt === 'number' ? first.capturedAt : null;
  const gated = agent.find((l) => l.msg === 'frame passed the face gate' && l.capturedAt === captured)?.time ?? null;
  const backend = backendLines.filter((l) => ofVisit(l));
  const received = backend.find((l) => l.msg === 'frame received' && l.seq === 0)?.time ?? null;
  const searched = backend.find((l) => l.msg === 'frame searched' && l.seq === 0)?.time ?? null;
  const commands = agentLines.filter((l) => l.msg === 'command received' && ofVisit(l));
  const command = commands[0];
  const issuedAt = typeof command?.issuedAt === 'number' ? command.issuedAt : null;
  const relay =
    command?.type === 'unlock'
      ? (agentLines.find((l) => l.msg.startsWith('simulated relay energised') && l.time >= command.time && l.time < to)
          ?.time ?? null)
      : null;
  const searches = backend.filter((l) => l.msg === 'frame searched');
  const lastSearchBefore = issuedAt === null ? undefined : searches.filter((l) => l.time <= issuedAt).at(-1);
  const commandAt = command?.time;
  const gateBusyWhileCommandInFlight =
    issuedAt !== null &&
    commandAt !== undefined &&
    agent.some(
      (l) =>
        (l.msg === 'frame passed the face gate' || l.msg === 'frame refused by the face gate') &&
        l.time >= issuedAt &&
        l.time <= commandAt,
    );
  return {
    visitId,
    gateBusyWhileCommandInFlight,
    result: command?.type === 'unlock' || command?.type === 'deny' ? command.type : null,
    decidedAfterSeq: typeof lastSearchBefore?.seq === 'number' ? lastSearchBefore.seq : null,
    framesSent: agent.filter((l) => l.msg === 'frame sent' && ofVisit(l)).length,
    decisions: commands.length,
    searches: searches.length,
    times: {
      written: from,
      captured,
      gated,
      published: first?.time ?? null,
      received,
      searched,
      decisionPublished: issuedAt,
      commandReceived: command?.time ?? null,
      relay,
    },
  };
}

const round = (n: number) => Math.round(n * 10) / 10;
function summary(values: number[]): { p50: number | null; p95: number | null; n: number } {
  return values.length
    ? { p50: round(percentile(values, 50)), p95: round(percentile(values, 95)), n: values.length }
    : { p50: null, p95: null, n: 0 };
}
const span = (t: WalkUpTimes, from: keyof WalkUpTimes, to: keyof WalkUpTimes): number | null =>
  t[from] !== null && t[to] !== null ? t[to] - t[from] : null;

async function main(): Promise<void> {
  const args = readArgs();
  if (!fs.existsSync(args.dataset)) {
    console.error(`bench:door: no photos at ${args.dataset} (the dev set is expected in ../shared/faces/dev)`);
    process.exit(2);
  }
  const startLoad = { loadAverage1m: loadAverage(), uptime: uptime() };

  // Every k-th person with two or more photos (sorted by name, none chosen by hand): up to
  // `enroll` photos enrolled, the last photo (never enrolled) is the one they walk up with.
  const candidates = listPeople(args.dataset).filter((p) => p.photos.length >= 2);
  const peopleCount = Math.min(args.people ?? args.walkups, candidates.length);
  const step = Math.max(1, Math.floor(candidates.length / peopleCount));
  const people = candidates
    .filter((_, i) => i % step === 0)
    .slice(0, peopleCount)
    .map((p) => ({
      name: p.name.replaceAll('_', ' '),
      enrol: p.photos.slice(0, Math.min(args.enroll, p.photos.length - 1)),
      probe: p.photos.at(-1)!,
    }));

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-bench-door-'));
  const dataDir = path.join(work, 'data');
  const [mqttPort, httpPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FACEGATE_DATA_DIR: dataDir,
    FACEGATE_MQTT_PORT: String(mqttPort),
    FACEGATE_HTTP_PORT: String(httpPort),
    // The stage timestamps are debug lines; JSON on a pipe, never the pretty terminal form.
    FACEGATE_LOG_LEVEL: 'debug',
  };
  const settings = readLocalSettings(env);
  const doorId = 'bench-door';
  const doorDir = path.join(work, 'door');
  const cameraDir = path.join(doorDir, 'camera');
  fs.mkdirSync(cameraDir, { recursive: true });

  let configFile: string;
  let backend: LoggedProcess | null = null;
  let agent: LoggedProcess | null = null;
  try {
    {
      const offline = await openOfflineServices(settings, silentLogger());
      try {
        for (const [i, p] of people.entries()) {
          progress(`enrolling ${i + 1}/${people.length}`);
          const person = await offline.services.people.create({ name: p.name }, { name: 'bench' });
          await offline.services.enrollment.enroll(
            person.personId,
            p.enrol.map((f) => fs.readFileSync(f)),
            { name: 'bench' },
          );
        }
        const { bundle } = await offline.services.doors.create(
          { doorId, name: 'Bench door', pulseMs: 300 },
          { name: 'bench' },
        );
        configFile = writeDoorBundle(doorDir, bundle, {
          mqtt: { endpoint: '127.0.0.1', port: mqttPort, caFile: 'ca.pem', certFile: 'door.crt', keyFile: 'door.key' },
          camera: { type: 'directory', path: 'camera', mode: 'watch', intervalMs: CAMERA_POLL_MS },
          relay: { type: 'simulated' },
        });
      } finally {
        await offline.close();
      }
    }
    const walkUpFrames = new Map<string, Buffer>();
    for (const p of people) walkUpFrames.set(p.probe, await cameraFrame(p.probe));
    progress(`enrolled ${people.length} people (up to ${args.enroll} photos each)\n`);

    backend = startProcess('facegate serve', ['serve'], env);
    await backend.waitFor((l) => l.msg === 'FaceGate local back end ready', 180_000, 'back end ready');
    agent = startProcess('facegate agent', ['agent', '--config', configFile], env);
    await agent.waitFor((l) => l.msg === 'subscribed to commands', 120_000, 'subscribed to commands');
    await agent.waitFor((l) => l.msg === 'directory camera started', 10_000, 'camera started');

    const started: { person: string; at: number; warmUp: boolean }[] = [];
    let fileNo = 0;
    for (let w = 0; w < args.warmup + args.walkups; w++) {
      const person = people[w % people.length]!;
      const jpeg = walkUpFrames.get(person.probe)!;
      const at = Date.now();
      started.push({ person: person.name, at, warmUp: w < args.warmup });
      const files: string[] = [];
      for (let f = 0; f < args.frames; f++) {
        if (f > 0) await sleep(FRAME_SPACING_MS);
        const name = `walkup-${++fileNo}.jpg`;
        // Written aside and renamed in: the camera never sees half a file.
        fs.writeFileSync(path.join(doorDir, name), jpeg);
        fs.renameSync(path.join(doorDir, name), path.join(cameraDir, name));
        files.push(name);
      }
      // The agent ends the visit once no face has been seen for its idle time; wait for that and
      // for the back end's answer, so the next walk-up is a new visit.
      const firstSent = await agent
        .waitFor((l) => l.msg === 'frame sent' && l.seq === 0 && l.time >= at, 15_000, 'first frame sent')
        .catch(() => null);
      if (firstSent) {
        await agent.waitFor((l) => l.msg === 'visit ended' && l.visitId === firstSent.visitId, 30_000, 'visit ended');
        await agent
          .waitFor((l) => l.msg === 'command received' && l.visitId === firstSent.visitId, 10_000, 'command')
          .catch(() => undefined); // a visit whose frames showed the engine no face is never answered
      }
      for (const name of files) fs.rmSync(path.join(cameraDir, name), { force: true });
      await sleep(2 * CAMERA_POLL_MS); // the camera sees the files gone before the next walk-up
      progress(
        w < args.warmup ? `warm-up walk-up ${w + 1}/${args.warmup}` : `walk-up ${w + 1 - args.warmup}/${args.walkups}`,
      );
    }
    progress('\n');
    const endedAt = Date.now();

    await agent.stop();
    await backend.stop();
    const endLoad = { loadAverage1m: loadAverage(), uptime: uptime() };

    const walkUps: WalkUp[] = started.flatMap((s, i) =>
      s.warmUp
        ? []
        : [
            {
              person: s.person,
              framesShown: args.frames,
              ...walkUpFromLogs(agent!.lines, backend!.lines, s.at, started[i + 1]?.at ?? endedAt),
            },
          ],
    );
    const granted = walkUps.filter((w) => w.result === 'unlock' && w.times.relay !== null);
    const decided = walkUps.filter((w) => w.times.commandReceived !== null);
    const finalStats = [...backend.lines].reverse().find((l) => l.msg === 'frame statistics')?.frames ?? null;
    const mean = (xs: number[]) => round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
    const perVisit = walkUps.filter((w) => w.visitId !== null);

    const result = {
      bench: 'door',
      measuredAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version, loadAtStart: startLoad, loadAtEnd: endLoad },
      args: {
        walkups: args.walkups,
        warmUpWalkUpsNotCounted: args.warmup,
        framesPerWalkUp: args.frames,
        people: people.length,
        enrolPhotosUpTo: args.enroll,
      },
      walkUps: walkUps.length,
      granted: granted.length,
      denied: walkUps.filter((w) => w.result === 'deny').length,
      unanswered: walkUps.length - decided.length,
      /** Granted walk-ups, first frame of the visit captured → relay energised: the issue 12 target (p50 ≤ 400 ms). */
      capturedToRelayMs: summary(granted.map((w) => span(w.times, 'captured', 'relay')!)),
      /** The same from the moment the first photo was written into the camera folder (adds the camera poll). */
      writtenToRelayMs: summary(granted.map((w) => span(w.times, 'written', 'relay')!)),
      /** Every answered walk-up (unlock or deny), captured → command received by the agent. */
      capturedToDecisionMs: summary(decided.flatMap((w) => span(w.times, 'captured', 'commandReceived') ?? [])),
      /** Per stage, granted walk-ups (each stage from one logged timestamp to the next; ms resolution). */
      stagesMs: Object.fromEntries(
        STAGES.map(([name, from, to, description]) => [
          name,
          { description, ...summary(granted.flatMap((w) => span(w.times, from, to) ?? [])) },
        ]),
      ),
      decidedAfterFirstFrame: `${granted.filter((w) => w.decidedAfterSeq === 0).length}/${granted.length}`,
      /** Decision published → received by the agent, split by whether its gate finished a frame meanwhile. */
      toDoorByGateMs: {
        gateFinishedAFrameMeanwhile: summary(
          granted
            .filter((w) => w.gateBusyWhileCommandInFlight)
            .map((w) => span(w.times, 'decisionPublished', 'commandReceived')!),
        ),
        gateIdle: summary(
          granted
            .filter((w) => !w.gateBusyWhileCommandInFlight)
            .map((w) => span(w.times, 'decisionPublished', 'commandReceived')!),
        ),
      },
      // Per visit (issue 12): the fields bench:door has reported since visits landed.
      visits: perVisit.length,
      framesSentPerVisit: mean(perVisit.map((w) => w.framesSent)),
      decisionsPerVisit: {
        min: perVisit.length ? Math.min(...perVisit.map((w) => w.decisions)) : null,
        max: perVisit.length ? Math.max(...perVisit.map((w) => w.decisions)) : null,
        mean: mean(perVisit.map((w) => w.decisions)),
      },
      searchesPerVisit: mean(perVisit.map((w) => w.searches)),
      backendFrames: finalStats,
      perWalkUp: walkUps,
    };

    const fmt = (s: { p50: number | null; p95: number | null; n: number }) =>
      `p50 ${s.p50 ?? '-'} ms, p95 ${s.p95 ?? '-'} ms (n=${s.n})`;
    console.log(
      [
        `walk-ups ${result.walkUps} (${people.length} people, ${args.frames} frames each): ${result.granted} let in, ${result.denied} denied, ${result.unanswered} unanswered`,
        `load average (1 min) ${startLoad.loadAverage1m} at start, ${endLoad.loadAverage1m} at end; ${os.cpus().length} cores`,
        `  ${endLoad.uptime}`,
        `frames sent per visit ${result.framesSentPerVisit}, decisions per visit ${result.decisionsPerVisit.min}..${result.decisionsPerVisit.max}, searches per visit ${result.searchesPerVisit}`,
        `granted walk-ups decided on their first frame: ${result.decidedAfterFirstFrame}`,
        `decision published → received by the agent: ${fmt(result.toDoorByGateMs.gateFinishedAFrameMeanwhile)} when its gate finished a frame meanwhile, ${fmt(result.toDoorByGateMs.gateIdle)} otherwise`,
        '',
        'stage (granted walk-ups)                                                       p50      p95',
        ...STAGES.map(([name, , , description]) => {
          const s = result.stagesMs[name]!;
          return `  ${description.padEnd(76)} ${String(s.p50 ?? '-').padStart(5)} ${String(s.p95 ?? '-').padStart(8)}`;
        }),
        `first frame captured → relay energised: ${fmt(result.capturedToRelayMs)}`,
        `photo written to the folder → relay energised: ${fmt(result.writtenToRelayMs)}`,
        `captured → decision at the door, all answered walk-ups: ${fmt(result.capturedToDecisionMs)}`,
      ].join('\n'),
    );
    fs.mkdirSync(path.dirname(path.resolve(args.json)), { recursive: true });
    fs.writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`written ${path.relative(process.cwd(), path.resolve(args.json))}`);
  } finally {
    await agent?.stop();
    await backend?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
