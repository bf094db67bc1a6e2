/**
 * The door doctor's checks. Each takes what it needs from an injected environment (sysfs root,
 * a command runner, the GPIO input factory, the clock) so every check runs here against simulated
 * hardware, passing and failing, and on a Pi against the real thing.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import tls from 'node:tls';
import type { Logger } from '../../../lib/logger.js';
import { credentialSource, readCredential, type AgentConfig } from '../config.js';
import type { GpioInputFactory } from '../contact/gpio-contact.js';
import { buildCamera } from '../create-agent-from-config.js';
import { resolveSysfsGpio } from '../relay/sysfs-gpio.js';
import { fail, pass, warn, type CheckResult } from './check.js';

export interface DoctorEnv {
  sysfsRoot: string;
  /** Runs a command, returning its stdout; rejects when it cannot run or fails. */
  run: (file: string, args: string[]) => Promise<string>;
  /** Opens a GPIO input (onoff on a Pi); null when GPIO cannot be used here. */
  inputFactory: () => Promise<GpioInputFactory>;
  now: () => number;
  /** Free bytes and total bytes of the filesystem holding `dir`. */
  disk: (dir: string) => { free: number; total: number };
  /** Available and total memory in bytes. */
  memory: () => { available: number; total: number };
  logger: Logger;
}

const DAY_MS = 86_400_000;
const MB = 1024 * 1024;

export async function checkCamera(config: AgentConfig, env: DoctorEnv, sampleMs: number): Promise<CheckResult> {
  const name = 'camera';
  if (config.camera.type === 'push')
    return pass(name, 'push camera (frames come from the admin site): nothing to check');
  const camera = buildCamera(config.camera, env.logger);
  let frames = 0;
  let lastError: string | null = null;
  try {
    await camera.start(
      () => void (frames += 1),
      (err) => void (lastError = err.message),
    );
    await new Promise((r) => setTimeout(r, sampleMs));
  } catch (err) {
    lastError = (err as Error).message;
  } finally {
    await camera.stop().catch(() => {});
  }
  const source = config.camera.type === 'directory' ? config.camera.path : (config.camera.device ?? 'default device');
  if (frames === 0) {
    return fail(
      name,
      `no frames from ${config.camera.type} camera ${source} in ${sampleMs / 1000} s${lastError ? ` (${lastError})` : ''}`,
      'check the camera cable and that the device exists (ls /dev/video*; rpicam-hello --list-cameras for a Pi camera)',
    );
  }
  const fps = frames / (sampleMs / 1000);
  return pass(name, `${frames} frames in ${sampleMs / 1000} s (${fps.toFixed(1)} frames/s) from ${source}`);
}

export function checkRelayPin(config: AgentConfig, env: DoctorEnv): CheckResult {
  const name = 'relay pin';
  if (config.relay.type === 'simulated')
    return warn(
      name,
      'relay is simulated: no door will open',
      'set relay.type to "gpio" with the BCM pin the relay is wired to',
    );
  try {
    const gpio = resolveSysfsGpio(config.relay.pin, env.sysfsRoot);
    return pass(
      name,
      `BCM ${config.relay.pin} is sysfs GPIO ${gpio}${gpio !== config.relay.pin ? ' (chip base offset, kernel 6.6+)' : ''}`,
    );
  } catch (err) {
    return fail(
      name,
      (err as Error).message,
      'run this on the Raspberry Pi; check relay.pin is a BCM number (0-27 on the header)',
    );
  }
}

async function readInput(
  name: string,
  pin: number,
  describe: (level: 0 | 1) => string,
  env: DoctorEnv,
  fix: string,
): Promise<CheckResult> {
  try {
    const gpio = resolveSysfsGpio(pin, env.sysfsRoot);
    const factory = await env.inputFactory();
    const line = factory(gpio, { debounceTimeout: 0 });
    try {
      const level = line.readSync();
      return pass(name, `BCM ${pin} reads ${level ? 'high' : 'low'}: ${describe(level)}`);
    } finally {
      line.unexport();
    }
  } catch (err) {
    return fail(name, `BCM ${pin} cannot be read: ${(err as Error).message}`, fix);
  }
}

export async function checkContact(config: AgentConfig, env: DoctorEnv): Promise<CheckResult> {
  const c = config.contact;
  if (!c)
    return warn(
      'door contact',
      'none configured: forced and held-open doors go unnoticed',
      `wire a reed switch, set its pin in the door's wiring (Doors → Renew, or facegate doors renew ${config.doorId} --contact-pin N) and install that bundle`,
    );
  return readInput(
    'door contact',
    c.pin,
    (level) =>
      `door is ${(level === 1) === (c.openWhen === 'high') ? 'OPEN' : 'closed'} (open the door and run doctor again: it must change)`,
    env,
    'check contact.pin and that the facegate user is in the gpio group',
  );
}

export async function checkExitButton(config: AgentConfig, env: DoctorEnv): Promise<CheckResult> {
  const b = config.exitButton;
  if (!b)
    return warn(
      'exit button',
      'none configured',
      `wire a request-to-exit button, set its pin in the door's wiring (Doors → Renew, or facegate doors renew ${config.doorId} --exit-button-pin N) and install that bundle`,
    );
  return readInput(
    'exit button',
    b.pin,
    (level) =>
      `button is ${(level === 1) === (b.pressedWhen === 'high') ? 'PRESSED (stuck or wired the wrong way?)' : 'released'}`,
    env,
    'check exitButton.pin and that the facegate user is in the gpio group',
  );
}

export async function checkClock(env: DoctorEnv): Promise<CheckResult> {
  const name = 'clock';
  let synced: string;
  try {
    synced = (await env.run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'])).trim();
  } catch (err) {
    return fail(
      name,
      `cannot ask timedatectl: ${(err as Error).message.trim().replace(/\s*\n\s*/g, '; ')}`,
      'run doctor on the Pi (systemd-timesyncd keeps its clock)',
    );
  }
  if (synced === 'yes') return pass(name, `synchronised (${new Date(env.now()).toISOString()})`);
  return fail(
    name,
    `not synchronised (${new Date(env.now()).toISOString()}): unlock commands are refused when the clocks disagree`,
    'give the Pi network access to an NTP server (timedatectl set-ntp true; check /etc/systemd/timesyncd.conf)',
  );
}

export function checkCertificate(config: AgentConfig, env: DoctorEnv): CheckResult {
  const name = 'certificate';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(readCredential(config.mqtt, 'cert'));
  } catch (err) {
    return fail(
      name,
      `cannot read ${credentialSource(config.mqtt, 'cert')}: ${(err as Error).message}`,
      'reinstall the door bundle',
    );
  }
  try {
    if (!cert.checkPrivateKey(createPrivateKey(readCredential(config.mqtt, 'key')))) {
      return fail(
        name,
        'the private key does not belong to the certificate',
        'reinstall the door bundle (key and certificate from the same provisioning)',
      );
    }
  } catch (err) {
    return fail(
      name,
      `cannot read the private key: ${(err as Error).message}`,
      'check /etc/facegate is readable by the facegate user only',
    );
  }
  const now = env.now();
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  const daysLeft = Math.floor((to - now) / DAY_MS);
  const subject = cert.subject.replace(/\n/g, ', ');
  if (now < from)
    return fail(name, `${subject} is not valid before ${cert.validFrom}`, 'check the clock, then the certificate');
  if (now > to)
    return fail(
      name,
      `${subject} expired on ${cert.validTo}`,
      'provision the door again (facegate provision) and install the new bundle',
    );
  if (daysLeft < 30)
    return fail(
      name,
      `${subject} expires in ${daysLeft} days (${cert.validTo})`,
      'provision the door again before it expires',
    );
  return pass(name, `${subject}, valid for ${daysLeft} more days`);
}

/**
 * Mutual TLS to the broker with the door's certificate, without an MQTT session: connecting as the
 * door would end the running agent's session (same client id).
 */
export async function checkBroker(config: AgentConfig, _env: DoctorEnv, timeoutMs = 10_000): Promise<CheckResult> {
  const name = 'broker';
  const { endpoint, port } = config.mqtt;
  const started = Date.now();
  const result = await new Promise<{ ok: boolean; detail: string }>((resolve) => {
    let socket: tls.TLSSocket;
    try {
      socket = tls.connect({
        host: endpoint,
        port,
        servername: endpoint,
        ca: readCredential(config.mqtt, 'ca'),
        cert: readCredential(config.mqtt, 'cert'),
        key: readCredential(config.mqtt, 'key'),
        ALPNProtocols: port === 443 ? ['x-amzn-mqtt-ca'] : undefined,
      });
    } catch (err) {
      resolve({ ok: false, detail: (err as Error).message });
      return;
    }
    const timer = setTimeout(() => done(false, `no answer within ${timeoutMs / 1000} s`), timeoutMs);
    function done(ok: boolean, detail: string) {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok, detail });
    }
    socket.once('error', (err: Error) => done(false, err.message));
    socket.once('close', () => done(false, 'the broker closed the connection (certificate refused?)'));
    socket.once('secureConnect', () => {
      // With TLS 1.3 a refused client certificate arrives as an alert just after the handshake.
      setTimeout(() => done(true, `TLS with the door certificate accepted in ${Date.now() - started} ms`), 500);
    });
  });
  if (result.ok) return pass(name, `${endpoint}:${port}: ${result.detail}`);
  return fail(
    name,
    `${endpoint}:${port} not reachable with the door certificate: ${result.detail}`,
    'check the network (ping the endpoint), the port (8883) through any firewall, and that the door is registered',
  );
}

export function checkResources(env: DoctorEnv, stateDir: string): CheckResult {
  const name = 'disk and memory';
  const disk = env.disk(stateDir);
  const mem = env.memory();
  const detail = `${Math.round(disk.free / MB)} MB free on disk, ${Math.round(mem.available / MB)} MB memory available of ${Math.round(mem.total / MB)} MB`;
  if (disk.free < 200 * MB)
    return fail(name, detail, 'free disk space (journalctl --vacuum-size=50M; remove old files)');
  if (mem.available < 150 * MB)
    return fail(name, detail, 'stop other programs on the Pi, or use a Pi with more memory');
  return pass(name, detail);
}
