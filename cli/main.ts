/**
 * The `facegate` command. This file only parses arguments, handles signals and maps outcomes to
 * exit codes; each command's work lives in commands/.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { createRootLogger, type Logger } from '../lib/logger.js';
import { FacegateError } from '../lib/errors.js';
import { restrictUmask } from './data-dir.js';
import { readLocalSettings, type LocalSettings } from './settings.js';
import { describeStartupError } from './startup-errors.js';
import { THREE_PHOTOS_WHY } from '../cloud/src/domain/enrolment-advice.js';
import type { PeopleAction } from './commands/people.js';
import type { PhotosAction } from './commands/photos.js';
import { addWiringOptions, type WiringCliOptions } from './wiring-options.js';

// Commands are imported when run, so `--help` and quick commands don't load the face engine.
const startServer = async (...args: Parameters<typeof import('./commands/serve.js').startServer>) =>
  (await import('./commands/serve.js')).startServer(...args);
const enrollCommand = async (...args: Parameters<typeof import('./commands/enroll.js').enrollCommand>) =>
  (await import('./commands/enroll.js')).enrollCommand(...args);
const peopleCommand = async (...args: Parameters<typeof import('./commands/people.js').peopleCommand>) =>
  (await import('./commands/people.js')).peopleCommand(...args);
const photosCommand = async (...args: Parameters<typeof import('./commands/photos.js').photosCommand>) =>
  (await import('./commands/photos.js')).photosCommand(...args);
const provisionCommand = async (...args: Parameters<typeof import('./commands/provision.js').provisionCommand>) =>
  (await import('./commands/provision.js')).provisionCommand(...args);
const doorsCommand = async (...args: Parameters<typeof import('./commands/doors.js').doorsCommand>) =>
  (await import('./commands/doors.js')).doorsCommand(...args);
const eventsCommand = async (...args: Parameters<typeof import('./commands/events.js').eventsCommand>) =>
  (await import('./commands/events.js')).eventsCommand(...args);
const adminCommand = async (...args: Parameters<typeof import('./commands/admin.js').adminCommand>) =>
  (await import('./commands/admin.js')).adminCommand(...args);

const EXIT_USAGE = 2;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

/** One-shot commands log only warnings, so their own output stays readable. */
function quietLogger(): Logger {
  return createRootLogger({ name: 'facegate', level: process.env.FACEGATE_LOG_LEVEL ?? 'warn' });
}

/** Runs a long-lived process until SIGINT/SIGTERM, then stops it and exits. */
async function runUntilSignal(logger: Logger, start: () => Promise<{ stop(): Promise<void> }>): Promise<void> {
  const running = await start();
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * A mandatory option checked here rather than with commander's requiredOption: commander reports
 * a missing mandatory option before an unknown one, so a mistyped `--nmae` read as "--name not
 * specified". Checked after parsing, an unknown option is named as unknown first.
 */
function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new InvalidArgumentError(`required option '${flag}' not specified`);
  return value;
}

/** The environment variables `start` and `serve` read, for their --help. */
const SERVER_ENVIRONMENT = `
Environment variables:
  FACEGATE_DATA_DIR          where databases, keys, photos and the CA live (default ./.facegate)
  FACEGATE_HOST              interface the broker and admin site listen on (default 127.0.0.1)
  FACEGATE_HTTP_PORT         admin site port (default 8080)
  FACEGATE_MQTT_PORT         MQTT broker port, mutual TLS (default 8883)
  FACEGATE_PUBLIC_HOST       name doors use to reach the broker; goes into door bundles (default localhost)
  FACEGATE_SITE              site id, part of every MQTT topic (default local)
  FACEGATE_ENGINE_WORKERS    face engine worker threads, 1-8 (default 1)
  FACEGATE_MATCH_THRESHOLD   similarity a face needs to count as a person, 0-1 (default: calibrated)
  FACEGATE_TIME_ZONE         IANA time zone of every time the admin site shows and exports (default the server's)
  FACEGATE_LOG_LEVEL         trace, debug, info, warn or error (default info)`;

function exitWith(code: number): void {
  process.exitCode = code;
}

const program = new Command('facegate')
  .description(
    'FaceGate: face-recognition door access control.\nLocal mode keeps everything in FACEGATE_DATA_DIR (default ./.facegate).',
  )
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: false });

/** A command that runs until SIGINT/SIGTERM, with the process's one root logger. */
function longRunning(start: (logger: Logger) => Promise<{ stop(): Promise<void> }>) {
  return async () => {
    const logger = createRootLogger({ name: 'facegate' });
    await runUntilSignal(logger, () => start(logger));
  };
}

program
  .command('start')
  .description('run the whole local system: broker, back end, admin site, and the simulated door "front-door"')
  .addHelpText('after', SERVER_ENVIRONMENT)
  .action(longRunning((logger) => startServer(readLocalSettings(), logger, true)));

program
  .command('serve')
  .description('run the local back end: MQTT broker (mutual TLS), recognition, admin site (no simulated door)')
  .addHelpText('after', SERVER_ENVIRONMENT)
  .action(longRunning((logger) => startServer(readLocalSettings(), logger, false)));

program
  .command('serve-aws')
  .description('run the admin site over the AWS back end (on the EC2 host the CDK stack builds; see infra/README.md)')
  .action(longRunning(async (logger) => (await import('./commands/serve-aws.js')).serveAws(logger)));

program
  .command('rekognition-local')
  .description(
    'serve a Rekognition-compatible API (JSON protocol) over the local face engine, for the AWS SDKs offline',
  )
  .option('--port <port>', 'TCP port to listen on (required; 0 picks a free one)', (v) => Number(v))
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--data-dir <dir>', 'keep collections here (sealed embeddings); default: in memory only')
  .option('--workers <n>', 'face engine worker threads, 1-8', positiveInt, 1)
  .addHelpText('after', '\nSee docs/rekognition-local.md: the operations served and the Similarity scale.')
  .action(async (opts: { port?: number; host: string; dataDir?: string; workers: number }) => {
    const port = required(opts.port, '--port <port>');
    const logger = createRootLogger({ name: 'facegate' });
    const { rekognitionLocalCommand } = await import('./commands/rekognition-local.js');
    await runUntilSignal(logger, () => rekognitionLocalCommand({ ...opts, port }, logger));
  });

program
  .command('agent')
  .description('run a door agent (what runs on the Raspberry Pi at a door)')
  .option('-c, --config <file>', 'agent config file (written by "facegate provision"; required)')
  .addOption(
    new Option('--parent-pid <pid>', 'stop when this process is gone (used by "facegate start")')
      .argParser(positiveInt)
      .hideHelp(),
  )
  .action(async (opts: { config?: string; parentPid?: number }) => {
    const config = required(opts.config, '-c, --config <file>');
    const { runAgent } = await import('../agent/src/main.js');
    const runtime = await runAgent(config);
    if (opts.parentPid) {
      const parent = opts.parentPid;
      setInterval(() => {
        try {
          process.kill(parent, 0);
        } catch {
          void runtime.stop().finally(() => process.exit(0));
        }
      }, 2000).unref();
    }
  });

program
  .command('doctor')
  .description('check a door: camera, relay pin, contact, exit button, clock, certificate, broker, disk and memory')
  .option('-c, --config <file>', 'door config file', '/etc/facegate/door.json')
  .option('--test-relay', 'also pulse the relay once (1 s) to check the wiring')
  .action(async (opts: { config: string; testRelay?: boolean }) => {
    const { doctorCommand } = await import('./commands/doctor.js');
    // Quiet logs: the report is the output.
    process.exitCode = await doctorCommand(opts, createRootLogger({ name: 'facegate-doctor', level: 'warn' }));
  });

program
  .command('enroll')
  .description(
    `add a person from 1-5 photos, three recommended: on the photo set measured, ${THREE_PHOTOS_WHY} (docs/accuracy.md); each photo is checked: one face, large and sharp enough, not someone else`,
  )
  .option('-n, --name <name>', "the person's name (required)")
  .option('--valid-from <date>', 'access starts at the start of this day in FACEGATE_TIME_ZONE (e.g. 2026-12-01)')
  .option('--valid-until <date>', 'access ends at the end of this day in FACEGATE_TIME_ZONE (e.g. 2026-12-31)')
  .argument('<photos...>', 'JPEG or PNG photos of the person')
  .action(async (photos: string[], opts: { name?: string; validFrom?: string; validUntil?: string }) => {
    const name = required(opts.name, '-n, --name <name>');
    exitWith(await enrollCommand(readLocalSettings(), quietLogger(), { ...opts, name, photos }));
  });

program
  .command('people')
  .description('list people, or deactivate / activate / delete (erase) one')
  .argument('[action]', 'list | deactivate | activate | delete', 'list')
  .argument('[personId]', 'the person (see "facegate people list")')
  .option('-s, --search <text>', 'with list: only names containing this text')
  .option('-y, --yes', 'with delete: confirm the erasure of faces, photos, snapshots and record')
  .action(async (action: string, personId: string | undefined, opts: { search?: string; yes?: boolean }) => {
    if (!['list', 'deactivate', 'activate', 'delete'].includes(action)) {
      throw new InvalidArgumentError(
        `unknown action ${JSON.stringify(action)}: use list, deactivate, activate or delete`,
      );
    }
    exitWith(await peopleCommand(readLocalSettings(), quietLogger(), action as PeopleAction, personId, opts));
  });

program
  .command('photos')
  .description("list a person's enrolled photos, or remove one (its face from the index and the sealed photo)")
  .argument('<action>', 'list | remove')
  .argument('<personId>', 'the person (see "facegate people list")')
  .argument('[faceId]', 'with remove: the photo (see "facegate photos list PERSON_ID")')
  .option('-y, --yes', 'with remove: confirm; the face and photo are erased for good')
  .action(async (action: string, personId: string, faceId: string | undefined, opts: { yes?: boolean }) => {
    if (!['list', 'remove'].includes(action)) {
      throw new InvalidArgumentError(`unknown action ${JSON.stringify(action)}: use list or remove`);
    }
    exitWith(await photosCommand(readLocalSettings(), quietLogger(), action as PhotosAction, personId, faceId, opts));
  });

const provision = program
  .command('provision')
  .description(
    'register a door (or provision again one whose certificates were revoked), issue its certificate and write its bundle file',
  )
  .argument('<doorId>', 'door id: 1-64 characters of a-z, 0-9 and -')
  .option('--name <name>', 'display name (default: the id)')
  .option('-o, --out <file>', 'bundle file to write (default: <data dir>/doors/<doorId>/facegate-door-<doorId>.json)')
  .option('--pulse-ms <ms>', 'how long the lock stays open on an unlock', positiveInt)
  .option(
    '--csr <file>',
    "sign the door's own certificate request (facegate door-key): its private key never leaves it",
  )
  .option('--simulated', 'a door for trying FaceGate on this computer: folder camera and simulated relay');
addWiringOptions(provision).action(
  async (
    doorId: string,
    opts: { name?: string; out?: string; pulseMs?: number; csr?: string; simulated?: boolean } & WiringCliOptions,
  ) => {
    exitWith(await provisionCommand(readLocalSettings(), quietLogger(), doorId, opts));
  },
);

program
  .command('door-key')
  .description(
    "on the door: make its private key (door.key, 0600) and a certificate request (door.csr) for 'provision --csr'",
  )
  .argument('<doorId>', 'the door id the request is for')
  .option('-d, --dir <dir>', 'where to write door.key and door.csr (where the bundle will go)', '.')
  .action(async (doorId: string, opts: { dir: string }) => {
    const { writeDoorKeyRequest } = await import('../agent/src/door-key.js');
    const { keyFile, csrFile } = await writeDoorKeyRequest(opts.dir, doorId);
    console.log(`Private key: ${keyFile} (stays on this door)`);
    console.log(`Certificate request: ${csrFile}`);
    console.log(
      `Give the request to your admin: facegate provision ${doorId} --csr door.csr (or paste it in Doors → Add door),`,
    );
    console.log(`then put the bundle you get back next to ${keyFile}.`);
  });

const doors = program
  .command('doors')
  .description('list doors and their certificates, or disable / enable / revoke / renew / delete one')
  .argument('[action]', 'list | disable | enable | revoke | renew | delete', 'list')
  .argument('[doorId]', 'the door (see "facegate doors list")')
  .option('-y, --yes', 'with delete: confirm removing the door, its certificates and live state')
  .option('-o, --out <file>', 'with renew: bundle file to write (default: <data dir>/doors/<doorId>/…)')
  .option('--csr <file>', "with renew: sign the door's own certificate request")
  .option('--simulated', 'with renew: the bundle drives a folder camera and a simulated relay');
addWiringOptions(doors, 'with renew: ').action(
  async (
    action: string,
    doorId: string | undefined,
    opts: { yes?: boolean; out?: string; csr?: string; simulated?: boolean } & WiringCliOptions,
  ) => {
    const { DOOR_ACTIONS } = await import('./commands/doors.js');
    if (!(DOOR_ACTIONS as readonly string[]).includes(action)) {
      throw new InvalidArgumentError(`unknown action ${JSON.stringify(action)}: use ${DOOR_ACTIONS.join(', ')}`);
    }
    exitWith(
      await doorsCommand(
        readLocalSettings(),
        quietLogger(),
        action as import('./commands/doors.js').DoorAction,
        doorId,
        opts,
      ),
    );
  },
);

program
  .command('events')
  .description('recent access attempts and admin actions, newest first')
  .option('-l, --limit <n>', 'how many', positiveInt, 20)
  .option('-d, --door <doorId>', 'only this door')
  .option('-p, --person <personId>', 'only this person')
  .addOption(new Option('-r, --result <result>', 'only granted or denied').choices(['granted', 'denied']))
  .option('--json', 'print JSON instead of a table')
  .action(
    async (opts: { limit: number; door?: string; person?: string; result?: 'granted' | 'denied'; json?: boolean }) => {
      exitWith(
        await eventsCommand(readLocalSettings(), quietLogger(), {
          limit: opts.limit,
          ...(opts.door && { doorId: opts.door }),
          ...(opts.person && { personId: opts.person }),
          ...(opts.result && { result: opts.result }),
          json: opts.json,
        }),
      );
    },
  );

const MIGRATE_HELP = `
Source: the local data directory (--data-dir, else FACEGATE_DATA_DIR, default ./.facegate). Stop
"facegate serve" first so nothing changes while it is copied.

Target: the stack of --site, configured by the variables the stack's Lambdas and admin host read
(values from the stack's outputs), each overridable by the flag beside it:
  AWS_REGION               --region
  FACEGATE_TABLE_PEOPLE    --people-table     (output PeopleTable)
  FACEGATE_TABLE_FACES     --faces-table      (output FacesTable)
  FACEGATE_TABLE_DOORS     --doors-table      (output DoorsTable)
  FACEGATE_TABLE_EVENTS    --events-table     (output EventsTable)
  FACEGATE_BUCKET          --bucket           (output ImagesBucket)
  FACEGATE_KMS_KEY_ID      --kms-key-id       (output DataKeyArn)
  FACEGATE_COLLECTION_ID   --collection-id    (output FaceCollectionId; default facegate-SITE)
  FACEGATE_EVENT_RETENTION_DAYS  events older than this expire on AWS as they would have (default: kept)
Credentials come from the AWS SDK's usual chain (AWS_PROFILE, environment, SSO, instance role);
AWS_ENDPOINT_URL_DYNAMODB / _S3 / _REKOGNITION point it elsewhere (tests, local stand-ins).

Moves doors, people, the audit log, enrolment photos and door snapshots (decrypted locally, stored
in S3 under the KMS key), and indexes each enrolment photo again into the collection (local face
embeddings do not carry over; a photo Rekognition refuses is listed at the end). Safe to run again:
what the target already holds is kept, each photo is indexed once, and an interrupted run continues
where it stopped (journal in DATA_DIR/migrations/). Door certificates do not move: the end of the
run lists the doors to provision again against IoT Core.
Exit codes: 0 done, 1 error (run again to continue), 3 stopped by --limit. See infra/README.md.`;

program
  .command('migrate-to-aws')
  .description('move a local installation (people, photos, doors, audit log, snapshots) into a deployed AWS stack')
  .option('--site <name>', 'the site of the target stack (required)')
  .option('--data-dir <dir>', 'the local data directory (default FACEGATE_DATA_DIR or ./.facegate)')
  .option('--region <region>', "the stack's region")
  .option('--people-table <name>', 'people table')
  .option('--faces-table <name>', 'faces table')
  .option('--doors-table <name>', 'doors table')
  .option('--events-table <name>', 'events table')
  .option('--bucket <name>', 'images bucket')
  .option('--kms-key-id <arn>', 'KMS key every object is encrypted with (SSE-KMS)')
  .option('--collection-id <id>', 'Rekognition collection')
  .option('--dry-run', 'count what would move; write nothing')
  .option('--limit <n>', 'stop after this many writes (move in batches; run again to continue)', positiveInt)
  .addHelpText('after', MIGRATE_HELP)
  .action(
    async (
      opts: Omit<import('./commands/migrate-to-aws.js').MigrateToAwsOptions, 'site' | 'dataDir'> & {
        site?: string;
        dataDir?: string;
      },
    ) => {
      const site = required(opts.site, '--site <name>');
      const { migrateToAwsCommand } = await import('./commands/migrate-to-aws.js');
      const dataDir = opts.dataDir ?? (await import('../lib/env.js')).dataDir();
      exitWith(await migrateToAwsCommand({ ...opts, site, dataDir }, quietLogger()));
    },
  );

const admin = program.command('admin').description('admin accounts for the website');
admin
  .command('create')
  .description('create an admin with a one-time password')
  .argument('<username>')
  .action(async (username: string) => exitWith(await adminCommand(readLocalSettings(), 'create', username)));
admin
  .command('reset-password')
  .description('give an admin a new one-time password and end their sessions')
  .argument('<username>')
  .action(async (username: string) => exitWith(await adminCommand(readLocalSettings(), 'reset-password', username)));

function settingsIfReadable(): LocalSettings | null {
  try {
    return readLocalSettings();
  } catch {
    return null;
  }
}

// Everything FaceGate writes (databases, keys, images, bundles) is for this user only.
restrictUmask();

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const plain = describeStartupError(err, settingsIfReadable());
  if (plain) {
    console.error(`facegate: ${plain}`);
    process.exit(1);
  }
  if (err instanceof FacegateError || err instanceof InvalidArgumentError) {
    console.error(`facegate: ${err.message}`);
    process.exit(err instanceof InvalidArgumentError ? EXIT_USAGE : 1);
  }
  console.error('facegate: unexpected error');
  console.error(err);
  process.exit(1);
}
