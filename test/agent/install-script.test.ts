/**
 * agent/package/install.sh on a temporary root (--root): the files it lays down, their modes, the
 * system changes it records (user, owners, service: a test cannot make them, and need not be
 * root), the unit it enables, the door-kit flow (key made on the door, bundle from its request
 * signed by the real local CA), an upgrade that keeps keys, and bundles it must refuse.
 *
 * The package is a stand-in for the arm64 archive: the agent's entry points compiled by esbuild
 * into app/ (what the unit and install.sh run), this machine's node as bin/node, the real unit.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../agent/src/config.js';
import { openLocalCa } from '../../cloud/src/adapters/local/ca/index.js';
import { LocalDoorProvisioner } from '../../cloud/src/adapters/local/ca/local-door-provisioner.js';
import { agentConfigFor, doorBundleFile } from '../../cloud/src/app/door-bundle.js';
import type { DoorWiring } from '../../cloud/src/domain/door-wiring.js';
import { silentLogger } from '../../lib/logger.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const UNIT = 'facegate-agent.service';

let work: string;
let pkg: string;
let provisioner: LocalDoorProvisioner;

/** The package layout install.sh expects (see its header). */
async function buildStandInPackage(dir: string): Promise<void> {
  await build({
    entryPoints: ['agent/src/main.ts', 'agent/src/relay-off.ts', 'agent/src/door-cli.ts'].map((f) =>
      path.join(REPO, f),
    ),
    outbase: REPO,
    outdir: path.join(dir, 'app'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'app', 'node_modules'));
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.symlinkSync(process.execPath, path.join(dir, 'bin', 'node'));
  fs.mkdirSync(path.join(dir, 'systemd'));
  fs.copyFileSync(path.join(REPO, 'agent/systemd', UNIT), path.join(dir, 'systemd', UNIT));
  fs.mkdirSync(path.join(dir, 'docs'));
  fs.copyFileSync(path.join(REPO, 'docs/installing-a-door.md'), path.join(dir, 'docs/installing-a-door.md'));
  fs.copyFileSync(path.join(REPO, 'agent/package/install.sh'), path.join(dir, 'install.sh'));
  fs.chmodSync(path.join(dir, 'install.sh'), 0o755);
}

function install(root: string, ...args: string[]): { status: number | null; out: string } {
  const run = spawnSync(path.join(pkg, 'install.sh'), ['--root', root, ...args], { encoding: 'utf8' });
  return { status: run.status, out: run.stdout + run.stderr };
}

function installOk(root: string, ...args: string[]): string {
  const { status, out } = install(root, ...args);
  expect(status, out).toBe(0);
  return out;
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;
const actions = (root: string) => fs.readFileSync(path.join(root, 'install-actions.txt'), 'utf8').split('\n');

/** A bundle as `facegate provision` writes it, signed by the real local CA (from the door's request, or with a key). */
async function makeBundle(doorId: string, csrPem?: string, wiring?: DoorWiring): Promise<Record<string, unknown>> {
  const credentials = await provisioner.provision(doorId, csrPem ? { csrPem } : {});
  return doorBundleFile(
    credentials,
    agentConfigFor(credentials.siteId, doorId, credentials.endpoint, credentials.port, { ...(wiring && { wiring }) }),
    Date.now(),
  );
}

function writeJson(name: string, value: unknown): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

/** Every PEM body in a bundle: none may appear in what the installer prints. */
function pemBodies(bundle: Record<string, unknown>, extra: string[] = []): string[] {
  const mqtt = bundle.mqtt as Record<string, string | undefined>;
  return [mqtt.keyPem, mqtt.certPem, ...extra]
    .filter((p): p is string => p !== undefined)
    .map((p) => p.split('\n')[1] ?? '');
}

beforeAll(async () => {
  work = makeTempDir('install');
  pkg = path.join(work, 'facegate-door');
  fs.mkdirSync(pkg);
  await buildStandInPackage(pkg);
  const ca = await openLocalCa(path.join(work, 'ca'), silentLogger());
  provisioner = new LocalDoorProvisioner(ca, { siteId: 'local', host: 'facegate.lan', port: 8883 });
}, 60_000);

afterAll(() => removeDir(work));

describe('install.sh --root (door kit: key made on the door)', () => {
  let root: string;
  let keyBefore: string;
  let bundle: Record<string, unknown>;

  beforeAll(() => {
    root = path.join(work, 'root-kit');
  });

  it('first run makes the key and request on the door, installs the agent and unit, starts nothing', () => {
    const out = installOk(root, '--door-key', 'front-door');
    const etc = path.join(root, 'etc/facegate');

    expect(mode(etc)).toBe(0o700);
    keyBefore = fs.readFileSync(path.join(etc, 'door.key'), 'utf8');
    expect(keyBefore).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(mode(path.join(etc, 'door.key'))).toBe(0o600);
    expect(fs.readFileSync(path.join(etc, 'door.csr'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    expect(fs.existsSync(path.join(etc, 'door.json'))).toBe(false);
    expect(out).not.toContain(keyBefore.split('\n')[1]);
    expect(out).toContain('BEGIN CERTIFICATE REQUEST'); // the public request, for the admin

    // The agent, owned by root, world-readable, not writable by the service.
    for (const f of ['bin/node', 'app/agent/src/main.js', 'app/agent/src/relay-off.js', 'app/agent/src/door-cli.js']) {
      expect(fs.existsSync(path.join(root, 'opt/facegate', f)), f).toBe(true);
    }
    expect(mode(path.join(root, 'opt/facegate/app/agent/src/main.js')) & 0o022).toBe(0);
    expect(mode(path.join(root, 'opt/facegate'))).toBe(0o755);
    expect(mode(path.join(root, 'usr/local/bin/facegate'))).toBe(0o755);

    // What cannot be done to a temporary root, recorded with the real paths.
    const done = actions(root);
    expect(done).toContain('groupadd -f --system gpio');
    expect(done).toContain('groupadd -f --system video');
    expect(done).toContain(
      'useradd --system --user-group --home-dir /var/lib/facegate --no-create-home --shell /usr/sbin/nologin --comment FaceGate door agent facegate',
    );
    expect(done).toContain('usermod --append --groups gpio,video facegate');
    expect(done).toContain('chown -R root:root /opt/facegate');
    expect(done).toContain('chown facegate:facegate /etc/facegate');
    expect(done).toContain('chown facegate:facegate /etc/facegate/door.key /etc/facegate/door.csr');
    expect(done).toContain('systemctl daemon-reload');
    expect(done).not.toContain(`systemctl restart ${UNIT}`); // no bundle yet: nothing to run
  }, 60_000);

  it('installs the unit as packaged, enabled, and its paths exist in the installed tree', () => {
    const unitFile = path.join(root, 'etc/systemd/system', UNIT);
    const unit = fs.readFileSync(unitFile, 'utf8');
    expect(unit).toBe(fs.readFileSync(path.join(REPO, 'agent/systemd', UNIT), 'utf8'));
    expect(mode(unitFile)).toBe(0o644);
    expect(fs.readlinkSync(path.join(root, 'etc/systemd/system/multi-user.target.wants', UNIT))).toBe(
      `/etc/systemd/system/${UNIT}`,
    );
    expect(unit).toMatch(/^User=facegate$/m);
    expect(unit).toMatch(/^SupplementaryGroups=gpio video$/m);
    const execs = [...unit.matchAll(/^Exec(?:StartPre|Start|StopPost)=(\S+) (\S+) (\S+)$/gm)];
    expect(execs).toHaveLength(3);
    for (const [, node, script, config] of execs) {
      expect(fs.existsSync(path.join(root, node!)), node).toBe(true);
      expect(fs.existsSync(path.join(root, script!)), script).toBe(true);
      expect(config).toBe('/etc/facegate/door.json'); // where install.sh puts the bundle
    }
  });

  it('installs the bundle signed from the door request: 0600, key kept, service restarted, no secret printed', async () => {
    const csr = fs.readFileSync(path.join(root, 'etc/facegate/door.csr'), 'utf8');
    bundle = await makeBundle('front-door', csr);
    expect((bundle.bundle as { privateKeyIncluded: boolean }).privateKeyIncluded).toBe(false);
    const out = installOk(root, writeJson('facegate-door-front-door.json', bundle));

    const config = path.join(root, 'etc/facegate/door.json');
    expect(JSON.parse(fs.readFileSync(config, 'utf8'))).toEqual(bundle);
    expect(mode(config)).toBe(0o600);
    expect(fs.readFileSync(path.join(root, 'etc/facegate/door.key'), 'utf8')).toBe(keyBefore);
    expect(loadAgentConfig(config).mqtt.keyFile).toBe(path.join(root, 'etc/facegate/door.key'));
    for (const body of pemBodies(bundle, [keyBefore])) expect(out).not.toContain(body);
    expect(actions(root)).toContain('chown facegate:facegate /etc/facegate/door.json');
    expect(actions(root)).toContain(`systemctl restart ${UNIT}`);
  }, 60_000);

  it('a re-run upgrades the agent as a whole and keeps config and key', () => {
    const stale = path.join(root, 'opt/facegate/app/agent/src/from-the-old-version.js');
    fs.writeFileSync(stale, '');
    const configBefore = fs.readFileSync(path.join(root, 'etc/facegate/door.json'));
    fs.chmodSync(path.join(root, 'etc/facegate/door.json'), 0o644); // someone loosened it

    installOk(root);

    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.readFileSync(path.join(root, 'etc/facegate/door.json'))).toEqual(configBefore);
    expect(mode(path.join(root, 'etc/facegate/door.json'))).toBe(0o600);
    expect(fs.readFileSync(path.join(root, 'etc/facegate/door.key'), 'utf8')).toBe(keyBefore);
    expect(actions(root)).toContain(`systemctl restart ${UNIT}`);
  }, 60_000);

  it('running the door-key step again keeps the key the certificate belongs to', () => {
    installOk(root, '--door-key', 'front-door');
    expect(fs.readFileSync(path.join(root, 'etc/facegate/door.key'), 'utf8')).toBe(keyBefore);
  }, 60_000);

  it('refuses a bundle whose certificate is not for this door key, and changes nothing', async () => {
    const other = await makeBundle('front-door', undefined); // key made on the server: another key
    const mqtt = other.mqtt as Record<string, unknown>;
    delete mqtt.keyPem;
    mqtt.keyFile = 'door.key'; // pretend it was made from this door's request
    const configBefore = fs.readFileSync(path.join(root, 'etc/facegate/door.json'));
    const { status, out } = install(root, writeJson('wrong.json', other));
    expect(status).toBe(1);
    expect(out).toContain("does not belong to this door's key");
    expect(fs.readFileSync(path.join(root, 'etc/facegate/door.json'))).toEqual(configBefore);
  }, 60_000);
});

describe('install.sh --root (a renewed bundle over an installed door)', () => {
  it('keeps the settings made on the door, takes identity, certificates and wiring from the bundle, and says what it dropped', async () => {
    const root = path.join(work, 'root-renew');
    const wired = { relayPin: 17, relayActiveLow: false, contactPin: 27, exitButtonPin: 22 };
    installOk(root, writeJson('first.json', await makeBundle('lab-door', undefined, wired)));
    const config = path.join(root, 'etc/facegate/door.json');
    // The technician's own changes on the door: another camera and longer held-open time.
    const onDoor = JSON.parse(fs.readFileSync(config, 'utf8')) as Record<string, unknown>;
    const camera = { type: 'stream', source: 'rpicam', width: 640, height: 480, fps: 5 };
    fs.writeFileSync(config, JSON.stringify({ ...onDoor, camera, door: { heldOpenMs: 60_000 } }), { mode: 0o600 });

    // Renewed with the exit button taken out of the wiring.
    const renewed = await makeBundle('lab-door', undefined, { ...wired, exitButtonPin: null });
    const out = installOk(root, writeJson('renewed.json', renewed));
    const installed = JSON.parse(fs.readFileSync(config, 'utf8')) as Record<string, unknown>;
    expect(installed).toMatchObject({ camera, door: { heldOpenMs: 60_000 }, contact: { pin: 27 } });
    expect(installed).not.toHaveProperty('exitButton');
    expect(installed.mqtt).toEqual(renewed.mqtt); // the new certificate, not the old
    expect(installed.bundle).toEqual(renewed.bundle);
    expect(mode(config)).toBe(0o600);
    expect(loadAgentConfig(config).camera).toMatchObject({ source: 'rpicam' });
    expect(out).toContain("kept the door's own settings from the installed config: camera, door");
    expect(out).toMatch(/WARNING: the installed config had an exit button on GPIO 22; this bundle has none/);
    for (const body of pemBodies(renewed)) expect(out).not.toContain(body);

    // A bundle for another door: the Pi is re-purposed and keeps nothing of the old door.
    const other = await makeBundle('other-door');
    const again = installOk(root, writeJson('other.json', other));
    expect(JSON.parse(fs.readFileSync(config, 'utf8'))).toEqual(other);
    expect(again).not.toContain('kept the door');
  }, 60_000);
});

describe('install.sh --root (bundle with its key, one step)', () => {
  it('installs in one step, owner-only, without printing the key', async () => {
    const root = path.join(work, 'root-inline');
    const bundle = await makeBundle('side-door');
    const out = installOk(root, writeJson('facegate-door-side-door.json', bundle));
    const config = path.join(root, 'etc/facegate/door.json');
    expect(mode(config)).toBe(0o600);
    expect(mode(path.join(root, 'etc/facegate'))).toBe(0o700);
    expect(loadAgentConfig(config).doorId).toBe('side-door');
    for (const body of pemBodies(bundle)) expect(out).not.toContain(body);
    expect(actions(root)).toContain(`systemctl restart ${UNIT}`);
  }, 60_000);

  it('refuses what is not a bundle, and a door-made-key bundle on a door without that key, touching nothing', async () => {
    const root = path.join(work, 'root-refused');
    let run = install(root, writeJson('plain.json', { doorId: 'x' }));
    expect(run.status).toBe(1);
    expect(run.out).toContain('is not a FaceGate door bundle');
    expect(fs.existsSync(path.join(root, 'opt'))).toBe(false);

    const csr = execFileSync(path.join(pkg, 'bin/node'), [
      path.join(pkg, 'app/agent/src/door-cli.js'),
      'door-key',
      'back-door',
      '--dir',
      work,
    ]);
    expect(csr.toString()).toContain('Certificate request');
    const bundle = await makeBundle('back-door', fs.readFileSync(path.join(work, 'door.csr'), 'utf8'));
    run = install(root, writeJson('back.json', bundle));
    expect(run.status).toBe(1);
    expect(run.out).toContain('which is not on this door');
    expect(fs.existsSync(path.join(root, 'etc'))).toBe(false);
  }, 60_000);
});
