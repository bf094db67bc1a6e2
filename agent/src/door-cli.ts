/**
 * The `facegate` command on an installed door (install.sh links /usr/local/bin/facegate here). The
 * door package carries only the agent, so this is not the back end's CLI: it has the commands a
 * door needs, with the same names and defaults.
 *
 *   facegate doctor [--config FILE] [--test-relay]   check the door (docs/installing-a-door.md)
 *   facegate door-key DOOR_ID [--dir DIR]            the door's own key and certificate request
 *   facegate agent [--config FILE]                   run the agent in the foreground
 *   facegate check-bundle FILE --as TARGET           (install.sh) is FILE a usable bundle at TARGET?
 *   facegate check-config FILE                       (install.sh) is the installed config usable?
 *   facegate install-bundle FILE --as TARGET --out NEW
 *                                                    (install.sh) the config to install: the bundle plus
 *                                                    the door's own settings from TARGET (bundle-merge.ts)
 *
 * Never prints a key or a certificate: the installer relies on that.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createRootLogger } from '../../lib/logger.js';
import { loadAgentConfig, parseAgentConfig, readCredential, type AgentConfig } from './config.js';
import { ensureDoorKeyRequest } from './door-key.js';
import { mergeBundle } from './bundle-merge.js';
import { ConfigError } from './errors.js';

export const DEFAULT_DOOR_CONFIG = '/etc/facegate/door.json';
// docs/door-bundle.md; the back end writes it (cloud/src/app/door-bundle.ts), the door only reads it.
const BUNDLE_FORMAT = 'facegate-door-bundle';
const BUNDLE_VERSION = 1;

/** Checks a bundle as if it were placed at `target` (its keyFile resolves there) and returns its door id. */
export function checkBundle(file: string, target: string): string {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ConfigError(`${file} is not a readable JSON file`, { cause });
  }
  const bundle = (raw as { bundle?: { format?: unknown; version?: unknown } } | null)?.bundle;
  if (bundle?.format !== BUNDLE_FORMAT) {
    throw new ConfigError(
      `${file} is not a FaceGate door bundle (get it from 'facegate provision' or Doors → Add door)`,
    );
  }
  if (bundle.version !== BUNDLE_VERSION) {
    throw new ConfigError(
      `${file} is a door bundle of version ${String(bundle.version)}; this door kit reads ${BUNDLE_VERSION}`,
    );
  }
  const config = parseAgentConfig(raw, path.dirname(path.resolve(target)), `door bundle ${file}`);
  checkKeyMatchesCertificate(config);
  return config.doorId;
}

/**
 * Writes to `out` (0600) the config install.sh puts at `target`: the checked bundle, plus the
 * settings the door's technician made in the config installed there for the same door. Returns
 * what to print: no key, certificate or other secret, only setting names and pin numbers.
 */
export function installBundle(file: string, target: string, out: string): string[] {
  const bundle = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  let installed: Record<string, unknown> | null = null;
  const lines: string[] = [];
  if (fs.existsSync(target)) {
    try {
      installed = JSON.parse(fs.readFileSync(target, 'utf8')) as Record<string, unknown>;
    } catch {
      lines.push(`WARNING: the installed ${target} is not readable JSON; installing the bundle alone`);
    }
  }
  let { config, kept, warnings } = mergeBundle(bundle, installed);
  if (kept.length > 0) {
    try {
      parseAgentConfig(config, path.dirname(path.resolve(target)), 'the bundle with the settings kept');
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      lines.push(
        `WARNING: the settings ${kept.join(', ')} of the installed config are not valid with this bundle (${why}); installing the bundle alone`,
      );
      ({ config, kept, warnings } = mergeBundle(bundle, null));
    }
  }
  if (kept.length > 0) lines.push(`kept the door's own settings from the installed config: ${kept.join(', ')}`);
  for (const w of warnings) lines.push(`WARNING: ${w}`);
  fs.writeFileSync(out, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(out, 0o600);
  return lines;
}

/** Checks the installed config (an upgrade with no new bundle) and returns its door id. */
export function checkConfig(file: string): string {
  const config = loadAgentConfig(file);
  checkKeyMatchesCertificate(config);
  return config.doorId;
}

/** The certificate must belong to the key the door will use: a bundle for another door's request fails here. */
function checkKeyMatchesCertificate(config: AgentConfig): void {
  const { mqtt } = config;
  if (mqtt.keyPem === undefined && mqtt.keyFile !== undefined && !fs.existsSync(mqtt.keyFile)) {
    throw new ConfigError(
      `the bundle uses the door's own key ${mqtt.keyFile}, which is not on this door: run 'install.sh --door-key ${config.doorId}' here first and have the bundle made from its door.csr`,
    );
  }
  let matches: boolean;
  try {
    matches = new X509Certificate(readCredential(mqtt, 'cert')).checkPrivateKey(
      createPrivateKey(readCredential(mqtt, 'key')),
    );
  } catch (cause) {
    throw new ConfigError('the door certificate or key cannot be read', { cause });
  }
  if (!matches) {
    throw new ConfigError(
      "the bundle's certificate does not belong to this door's key (was its request made on another door?)",
    );
  }
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c', default: DEFAULT_DOOR_CONFIG },
      dir: { type: 'string', short: 'd', default: '.' },
      as: { type: 'string' },
      out: { type: 'string' },
      'test-relay': { type: 'boolean', default: false },
    },
  });
  switch (command) {
    case 'doctor': {
      const { doctorCommand } = await import('../../cli/commands/doctor.js');
      const logger = createRootLogger({ name: 'facegate-doctor', level: 'warn' });
      return doctorCommand({ config: values.config, testRelay: values['test-relay'] }, logger);
    }
    case 'door-key': {
      const doorId = positionals[0];
      if (!doorId) return usage('facegate door-key DOOR_ID [--dir DIR]');
      const { keyFile, csrFile, created } = await ensureDoorKeyRequest(values.dir, doorId);
      console.log(
        created ? `Private key made: ${keyFile} (it stays on this door)` : `Kept the existing key ${keyFile}`,
      );
      console.log(`Certificate request: ${csrFile}`);
      return 0;
    }
    case 'agent': {
      const { runAgent } = await import('./main.js');
      await runAgent(values.config);
      return -1; // keeps running; main.ts handles signals and exit
    }
    case 'check-bundle': {
      const file = positionals[0];
      if (!file || !values.as) return usage('facegate check-bundle FILE --as TARGET');
      console.log(checkBundle(file, values.as));
      return 0;
    }
    case 'install-bundle': {
      const file = positionals[0];
      if (!file || !values.as || !values.out) return usage('facegate install-bundle FILE --as TARGET --out NEW');
      for (const line of installBundle(file, values.as, values.out)) console.log(line);
      return 0;
    }
    case 'check-config': {
      console.log(checkConfig(positionals[0] ?? values.config));
      return 0;
    }
    default:
      return usage('facegate doctor | door-key | agent  (see docs/installing-a-door.md)');
  }
}

function usage(text: string): number {
  console.error(`usage: ${text}`);
  return 2;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  run(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (err: unknown) => {
      // A plain sentence, not a stack: this is read by a technician (and by install.sh).
      console.error(`facegate: ${(err as Error).message}`);
      process.exitCode = 1;
    },
  );
}
