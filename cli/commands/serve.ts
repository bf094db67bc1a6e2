/**
 * `facegate serve` and `facegate start`: the local server, and with `start` also the simulated
 * door "front-door" as its own process (a door agent exactly as on a Pi, but watching a folder
 * for photos and driving a simulated relay).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../lib/logger.js';
import { startLocalStack, type LocalStack } from '../local-stack.js';
import { writeDoorBundle } from '../door-bundle.js';
import { existingDoorCertificate } from '../server-credentials.js';
import { DATA_FILES } from '../local-backend.js';
import type { LocalSettings } from '../settings.js';
import { ConfigError } from '../../lib/errors.js';
import { handOverFirstAdminPassword } from '../first-admin-password.js';

export const SIMULATED_DOOR_ID = 'front-door';
// The simulated door runs the same CLI as this process: compiled (dist/cli/main.js) when this file
// is compiled, else bin/facegate.mjs (tsx, e.g. under vitest).
const FACEGATE_CLI = import.meta.url.endsWith('.js')
  ? fileURLToPath(new URL('../main.js', import.meta.url))
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/facegate.mjs');

export interface RunningServer {
  stack: LocalStack;
  door: ChildProcess | null;
  stop(): Promise<void>;
}

/** Registers the simulated door on first start and refreshes its bundle; returns its config file. */
async function prepareSimulatedDoor(stack: LocalStack): Promise<{ configFile: string; cameraDir: string }> {
  const dir = path.join(stack.dataDir, DATA_FILES.doors, SIMULATED_DOOR_ID);
  const cameraDir = path.join(dir, 'camera');
  fs.mkdirSync(cameraDir, { recursive: true, mode: 0o700 });
  const existing = await stack.backend.records.getDoor(SIMULATED_DOOR_ID);
  const kept = existing ? existingDoorCertificate(stack.backend.ca, dir, SIMULATED_DOOR_ID) : null;
  const bundle = !existing
    ? (
        await stack.services.doors.create(
          { doorId: SIMULATED_DOOR_ID, name: 'Front door (simulated)' },
          { name: 'system' },
        )
      ).bundle
    : {
        // Restarts reuse the door's certificate while it is good, as a real door would.
        credentials: kept
          ? {
              siteId: stack.siteId,
              doorId: SIMULATED_DOOR_ID,
              certificatePem: kept.certPem,
              privateKeyPem: kept.keyPem,
              notAfter: kept.notAfter,
              caPem: stack.backend.ca.caCertPem,
              endpoint: stack.mqtt.host,
              port: stack.mqtt.port,
            }
          : await stack.provisioner.provision(SIMULATED_DOOR_ID),
        agentConfig: {},
      };
  const configFile = writeDoorBundle(dir, bundle, {
    siteId: stack.siteId,
    doorId: SIMULATED_DOOR_ID,
    mqtt: {
      endpoint: stack.mqtt.host,
      port: stack.mqtt.port,
      caFile: 'ca.pem',
      certFile: 'door.crt',
      keyFile: 'door.key',
    },
    camera: { type: 'directory', path: 'camera', mode: 'watch' },
    relay: { type: 'simulated' },
  });
  return { configFile, cameraDir };
}

function printWelcome(stack: LocalStack, cameraDir: string | null, logger: Logger): void {
  const rel = (p: string) => {
    const r = path.relative(process.cwd(), p);
    return r.startsWith('..') ? p : r || '.';
  };
  const lines = [
    '',
    'FaceGate is running.',
    `  Admin site    ${stack.httpUrl ?? '(off)'}`,
    `  MQTT broker   mqtts://${stack.mqtt.host}:${stack.mqtt.port} (mutual TLS, certificates from the local CA)`,
    `  Data          ${stack.dataDir}`,
  ];
  if (stack.firstAdminPassword) {
    const handover = handOverFirstAdminPassword(stack.firstAdminPassword, { dataDir: stack.dataDir, logger });
    lines.push('', ...handover.lines);
  }
  lines.push('', 'Next:');
  lines.push(
    // Three photos, as the enrolment advice recommends (cli/main.ts, enroll.ts, the admin site).
    `  1. Enrol someone (three photos recommended): open the admin site (People), or run  npx facegate enroll --name "Ada" ada1.jpg ada2.jpg ada3.jpg`,
  );
  if (cameraDir) {
    lines.push(`  2. Walk up to the simulated door "${SIMULATED_DOOR_ID}": copy another photo into ${rel(cameraDir)}/`);
  }
  lines.push(`  ${cameraDir ? 3 : 2}. Or use your webcam: ${stack.httpUrl ?? ''}/virtual-door`);
  lines.push(`  ${cameraDir ? 4 : 3}. See what happened: the Access log in the admin site, or  npx facegate events`);
  lines.push('', 'Stop with Ctrl+C.', '');
  bannerStream().write(lines.join('\n') + '\n');
}

/**
 * Where the banner goes: stdout on a terminal, beside the one-line pretty logs; when stdout is a
 * pipe or a file (JSON logs for a collector) it goes to stderr, as plain text on its own, so
 * `npm start | tee facegate.log` still shows it on the terminal and keeps it out of the JSON.
 */
function bannerStream(): NodeJS.WritableStream {
  return process.stdout.isTTY ? process.stdout : process.stderr;
}

function readTlsFiles(files: { cert: string; key: string }): { cert: Buffer; key: Buffer } {
  try {
    return { cert: fs.readFileSync(files.cert), key: fs.readFileSync(files.key) };
  } catch (cause) {
    throw new ConfigError('cannot read the admin site TLS certificate or key', { cause });
  }
}

export async function startServer(
  settings: LocalSettings,
  logger: Logger,
  withSimulatedDoor: boolean,
): Promise<RunningServer> {
  const stack = await startLocalStack({
    dataDir: settings.dataDir,
    siteId: settings.siteId,
    host: settings.host,
    httpHost: settings.httpHost,
    ...(settings.tlsFiles && { tls: readTlsFiles(settings.tlsFiles) }),
    httpPort: settings.httpPort,
    mqttPort: settings.mqttPort,
    publicHost: settings.publicHost,
    engineWorkers: settings.engineWorkers,
    doorCertDays: settings.doorCertDays,
    timeZone: settings.timeZone,
    ...(settings.matchThreshold !== undefined && { matchThreshold: settings.matchThreshold }),
    logger,
  });
  let door: ChildProcess | null = null;
  let cameraDir: string | null = null;
  if (withSimulatedDoor) {
    const prepared = await prepareSimulatedDoor(stack);
    cameraDir = prepared.cameraDir;
    // A separate process, like a real door: it has its own certificate and its own crash domain.
    door = spawn(
      process.execPath,
      [FACEGATE_CLI, 'agent', '--config', prepared.configFile, '--parent-pid', String(process.pid)],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: process.env,
      },
    );
    door.on('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGTERM') logger.error({ code, signal }, 'simulated door exited');
    });
  }
  printWelcome(stack, cameraDir, logger);
  return {
    stack,
    door,
    async stop() {
      if (door && door.exitCode === null) {
        const exited = new Promise((resolve) => door.once('exit', resolve));
        door.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      }
      await stack.close();
    },
  };
}
