/**
 * Composition root of the local server: one process with the MQTT broker (mutual TLS), the back
 * end (recognition, telemetry, services) on SQLite + sealed files + the on-CPU face engine, the
 * admin website and its virtual door. `facegate serve` and `facegate start` run this; tests and
 * benchmarks start it on free ports with a temporary data directory.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../lib/logger.js';
import { DEFAULT_SITE_ID } from '../protocol/index.js';
import { systemClock } from '../cloud/src/ports/clock.js';
import { startLocalBroker, type LocalBroker } from '../cloud/src/adapters/local/broker/index.js';
import { connectBackendMqtt, type BackendMqtt } from '../cloud/src/adapters/local/mqtt/backend-mqtt.js';
import { LocalDoorProvisioner } from '../cloud/src/adapters/local/ca/local-door-provisioner.js';
import {
  createRecognizeFrameHandler,
  type RecognizeOutcome,
  type RecognizeSettings,
} from '../cloud/src/handlers/recognize-frame.js';
import { createVisitSweeper } from '../cloud/src/handlers/sweep-visits.js';
import { MemoryVisitStore } from '../cloud/src/adapters/local/visits/memory-visit-store.js';
import { MemorySearchBudget } from '../cloud/src/adapters/local/memory-search-budget.js';
import { createDoorTelemetryHandler } from '../cloud/src/handlers/door-telemetry.js';
import {
  createFrameDispatcher,
  type FrameDispatcher,
  type FrameDispatcherStats,
} from '../cloud/src/app/frame-dispatcher.js';
import { createDoorChangeFeed } from '../cloud/src/app/door-change-feed.js';
import { createServices } from '../cloud/src/app/create-services.js';
import type { FacegateServices } from '../cloud/src/app/services.js';
import { buildAdminApp } from '../admin-web/src/app.js';
import { SqliteAdminUserStore, ensureFirstAdmin, type AdminUserStore } from '../admin-web/src/users/index.js';
import { OneTimePasswordFiles } from '../admin-web/src/users/one-time-password-file.js';
import { DATA_FILES, openLocalBackend, type LocalBackend } from './local-backend.js';
import { adminSiteCertificate, backendClientCertificate, brokerServerCertificate } from './server-credentials.js';
import { isLoopback } from './loopback.js';
import { startVirtualDoor, type RunningVirtualDoor } from './virtual-door.js';
import { removeDoorFiles } from './door-files.js';

export interface LocalStackOptions {
  dataDir: string;
  /** The site this installation is (default `local`): part of every MQTT topic. */
  siteId?: string;
  logger: Logger;
  /** Interface of the MQTT broker (default 127.0.0.1; 0.0.0.0 to accept doors on the LAN). */
  host?: string;
  /**
   * Interface of the admin site (default 127.0.0.1, whatever the broker's). Beyond loopback it
   * serves HTTPS only, with `tls` or else a certificate from the local CA, Secure cookies and HSTS.
   */
  httpHost?: string;
  /** The admin site's own certificate and key (PEM); without them the local CA issues one when needed. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** 0 picks a free port. */
  httpPort: number;
  mqttPort: number;
  /** The name doors use to reach the broker (default localhost). */
  publicHost?: string;
  engineWorkers?: number;
  /** Validity of the door certificates it issues (default 365 days). */
  doorCertDays?: number;
  /** Overrides the face engine's calibrated match threshold (FACEGATE_MATCH_THRESHOLD). */
  matchThreshold?: number;
  /** The site's IANA time zone for the admin site (default the server's). */
  timeZone?: string;
  /** Serve the admin website (default true). */
  adminSite?: boolean;
  /** Run the browser-webcam virtual door (default true; needs the admin site). */
  virtualDoor?: boolean;
  /**
   * Overrides of the frame handler's time limits (frame freshness, command lifetime). Only for
   * doors far slower than a Pi: the arm64 package test runs its agent under emulation.
   */
  recognize?: Partial<RecognizeSettings>;
}

/** How often the local stack closes visits whose door went quiet (the Lambda's schedule on AWS). */
export const VISIT_SWEEP_INTERVAL_MS = 2_000;

/**
 * The dispatcher's counters plus how the handled door messages ended (stale = older than the
 * handler accepts), how many face searches they cost, and how many visits were answered by a
 * frame or visit_end (`decided` outcome) or by the sweeper.
 */
export interface FrameStats extends FrameDispatcherStats {
  outcomes: Record<RecognizeOutcome['status'], number>;
  searches: number;
  sweptDecisions: number;
}

export interface LocalStack {
  dataDir: string;
  siteId: string;
  httpUrl: string | null;
  mqtt: { host: string; port: number };
  backend: LocalBackend;
  services: FacegateServices;
  users: AdminUserStore | null;
  provisioner: LocalDoorProvisioner;
  dispatcher: FrameDispatcher;
  frameStats(): FrameStats;
  /** Printed once on the first start: the password of the first admin. */
  firstAdminPassword: string | null;
  close(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.logger;
  const host = options.host ?? '127.0.0.1';
  const siteId = options.siteId ?? DEFAULT_SITE_ID;
  const publicHost = options.publicHost ?? 'localhost';
  const workers = options.engineWorkers ?? 1;
  const cleanups: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err: unknown) => log.error({ err }, 'error while shutting down'));
    }
  };

  try {
    const backend = await openLocalBackend({
      dataDir: options.dataDir,
      logger: log,
      engineWorkers: workers,
      eagerEngine: true,
      ...(options.matchThreshold !== undefined && { matchThreshold: options.matchThreshold }),
    });
    cleanups.push(() => backend.close());
    const { records, images, faceIndex, ca } = backend;

    const caDir = path.join(options.dataDir, DATA_FILES.ca);
    const serverCert = await brokerServerCertificate(ca, caDir, [...new Set(['localhost', publicHost])], ['127.0.0.1']);
    const broker: LocalBroker = await startLocalBroker({
      siteId,
      host,
      port: options.mqttPort,
      tls: { caPem: ca.caCertPem, certPem: serverCert.certPem, keyPem: serverCert.keyPem },
      isRevoked: (_cn, serial) => ca.isRevoked(serial),
      logger: log,
    });
    cleanups.push(() => broker.close());

    const backendCert = await backendClientCertificate(ca, caDir);
    const mqtt: BackendMqtt = await connectBackendMqtt({
      siteId,
      host: '127.0.0.1',
      port: broker.port,
      caPem: ca.caCertPem,
      certPem: backendCert.certPem,
      keyPem: backendCert.keyPem,
      logger: log,
    });
    cleanups.push(() => mqtt.close());

    const clock = systemClock;
    const doorFeed = createDoorChangeFeed(log);
    const telemetry = createDoorTelemetryHandler({
      records,
      logger: log,
      clock,
      onDoorChange: (door) => doorFeed.publish(door),
    });
    // One process sees every frame: visits and the search budget live in its memory.
    const visits = new MemoryVisitStore();
    const recognize = createRecognizeFrameHandler({
      faceIndex,
      records,
      images,
      messaging: mqtt,
      visits,
      searchBudget: new MemorySearchBudget(),
      clock,
      logger: log,
      ...(options.recognize && { settings: options.recognize }),
    });
    const outcomes: Record<RecognizeOutcome['status'], number> = {
      decided: 0,
      waiting: 0,
      already_decided: 0,
      duplicate: 0,
      closed: 0,
      no_face: 0,
      stale: 0,
      rejected: 0,
    };
    let searches = 0;
    let sweptDecisions = 0;
    const dispatcher = createFrameDispatcher({
      handle: async (input) => {
        const outcome = await recognize(input);
        outcomes[outcome.status]++;
        if ('searched' in outcome && outcome.searched) searches++;
        return outcome;
      },
      concurrency: workers,
      logger: log,
    });
    const frameStats = (): FrameStats => ({
      ...dispatcher.stats(),
      outcomes: { ...outcomes },
      searches,
      sweptDecisions,
    });
    const sweep = createVisitSweeper({
      records,
      images,
      messaging: mqtt,
      visits,
      clock,
      logger: log,
      threshold: faceIndex.threshold,
    });
    let sweeping: Promise<unknown> | null = null;
    const sweepTimer = setInterval(() => {
      if (sweeping) return; // a slow sweep is not stacked on
      sweeping = sweep()
        .then((r) => (sweptDecisions += r.decided))
        .catch((err: unknown) => log.error({ err }, 'visit sweep failed'))
        .finally(() => (sweeping = null));
    }, VISIT_SWEEP_INTERVAL_MS);
    sweepTimer.unref();
    cleanups.push(async () => {
      clearInterval(sweepTimer);
      await sweeping;
    });
    // Operators (and bench:door) read these: how many frames were answered, dropped as stale, refused.
    const statsTimer = setInterval(() => log.info({ frames: frameStats() }, 'frame statistics'), 60_000);
    statsTimer.unref();
    cleanups.push(async () => {
      clearInterval(statsTimer);
      await dispatcher.drain();
      log.info({ frames: frameStats() }, 'frame statistics');
    });

    mqtt.onFrame((doorId, payload) => dispatcher.submit(doorId, payload));
    mqtt.onStatus((doorId, payload) => void telemetry.handleStatus({ topicDoorId: doorId, payload }));
    mqtt.onEvent((doorId, payload) => void telemetry.handleEvent({ topicDoorId: doorId, payload }));
    broker.onPresence((doorId, online) => void telemetry.handlePresence(doorId, online));

    const provisioner = new LocalDoorProvisioner(
      ca,
      { siteId, host: publicHost, port: broker.port },
      options.doorCertDays,
    );
    const services = createServices({
      records,
      faceIndex,
      images,
      messaging: mqtt,
      provisioner,
      clock,
      logger: log,
      doorFeed,
      onDoorRemoved: (doorId) => removeDoorFiles(options.dataDir, doorId),
    });

    let httpUrl: string | null = null;
    let users: AdminUserStore | null = null;
    let firstAdminPassword: string | null = null;
    if (options.adminSite ?? true) {
      const userStore = SqliteAdminUserStore.open(path.join(options.dataDir, DATA_FILES.admin));
      users = userStore;
      cleanups.push(() => userStore.close());
      let virtualDoor: RunningVirtualDoor | undefined;
      if (options.virtualDoor ?? true) {
        virtualDoor = await startVirtualDoor({
          services,
          records,
          provisioner,
          ca,
          siteId,
          broker: { host: '127.0.0.1', port: broker.port },
          bundleDir: path.join(options.dataDir, DATA_FILES.doors, 'virtual-door'),
          logger: log,
        });
        const door = virtualDoor;
        cleanups.push(() => door.stop());
      }
      const httpHost = options.httpHost ?? '127.0.0.1';
      // Passwords, session cookies and door bundles (with their private keys) never cross a network in clear.
      const https =
        options.tls ??
        (isLoopback(httpHost)
          ? undefined
          : await adminSiteCertificate(
              ca,
              caDir,
              [...new Set(['localhost', publicHost])],
              [...new Set(['127.0.0.1', ...(httpHost === '0.0.0.0' || httpHost === '::' ? [] : [httpHost])])],
            ).then((pem) => ({ cert: pem.certPem, key: pem.keyPem })));
      const app: FastifyInstance = await buildAdminApp({
        services,
        users: userStore,
        logger: log,
        ...(options.timeZone && { timeZone: options.timeZone }),
        cookieSecure: https !== undefined,
        ...(https && { https }),
        virtualDoor,
        oneTimePasswords: new OneTimePasswordFiles(options.dataDir),
      });
      await app.listen({ host: httpHost, port: options.httpPort });
      cleanups.push(() => app.close());
      // Only once the site is up: a start that fails must not use up the one-time password.
      firstAdminPassword = await ensureFirstAdmin(userStore);
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : options.httpPort;
      const shownHost = httpHost === '0.0.0.0' || httpHost === '::' ? (https ? publicHost : 'localhost') : httpHost;
      httpUrl = `${https ? 'https' : 'http'}://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
    }

    log.info(
      {
        mqtt: `mqtts://${host}:${broker.port}`,
        http: httpUrl,
        dataDir: options.dataDir,
        faceThreshold: faceIndex.threshold,
      },
      'FaceGate local back end ready',
    );

    return {
      dataDir: options.dataDir,
      siteId,
      httpUrl,
      mqtt: { host: '127.0.0.1', port: broker.port },
      backend,
      services,
      users,
      provisioner,
      dispatcher,
      frameStats,
      firstAdminPassword,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
