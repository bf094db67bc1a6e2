/**
 * The one broker fixture of the tests: the real local broker (aedes over mutual TLS) on a free
 * port, with certificates from the real local CA in a temporary directory, plus the back end's real
 * MQTT client. The broker tests use it through test/broker/support/fixtures.ts (with a logger that
 * keeps lines, and raw clients); the door-link, agent and AWS loop tests directly. Door credentials
 * are written to files, as a provisioning bundle would lay them out on a Pi.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IClientOptions } from 'mqtt';
import { openLocalCa, type LocalCa } from '../../cloud/src/adapters/local/ca/index.js';
import { BACKEND_IDENTITY, startLocalBroker, type LocalBroker } from '../../cloud/src/adapters/local/broker/index.js';
import { connectBackendMqtt, type BackendMqtt } from '../../cloud/src/adapters/local/mqtt/backend-mqtt.js';
import { silentLogger, type Logger } from '../../lib/logger.js';
import { makeTempDir } from './temp-dir.js';

export interface DoorFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface Credentials {
  certPem: string;
  keyPem: string;
  serialNumber?: string;
}

export interface LocalBrokerFixture {
  dir: string;
  ca: LocalCa;
  port: number;
  /** The back end's client certificate (BACKEND_IDENTITY). */
  backend: Credentials;
  /** Issues (once per name) a client certificate from the local CA. */
  credentials(commonName: string): Promise<Credentials>;
  /** The one site whose topics the broker carries. */
  siteId: string;
  broker: LocalBroker;
  /** Writes a door's certificate, key and the CA certificate to files; returns their paths. */
  doorFiles(doorId: string): Promise<DoorFiles>;
  connectBackend(): Promise<BackendMqtt>;
  /**
   * mqtt.js options for a raw client holding the back end's certificate, as client id
   * `facegate-backend-<suffix>` (clean session): for stand-ins that need topics and bytes as they
   * are, not the back end's typed client.
   */
  backendClientOptions(suffix: string): IClientOptions;
  /** Stops the broker, keeping its port so startAgain() brings it back where doors expect it. */
  stop(): Promise<void>;
  startAgain(): Promise<void>;
  close(): Promise<void>;
}

export async function startLocalBrokerFixture(
  logger: Logger = silentLogger(),
  { siteId = 'local' }: { siteId?: string } = {},
): Promise<LocalBrokerFixture> {
  const dir = makeTempDir('broker');
  const ca = await openLocalCa(path.join(dir, 'ca'), logger);
  const server = await ca.issueServerCertificate({ dns: ['localhost'], ips: ['127.0.0.1'] });
  const tls = { caPem: ca.caCertPem, certPem: server.certPem, keyPem: server.keyPem };
  // Revocations in this CA are enforced, as the local stack does (tests revoke doors with ca.revoke).
  const isRevoked = (_cn: string, serial: string) => ca.isRevoked(serial);
  let broker: LocalBroker | null = await startLocalBroker({
    siteId,
    host: '127.0.0.1',
    port: 0,
    tls,
    isRevoked,
    logger,
  });
  const port = broker.port;
  const issued = new Map<string, Credentials>();
  const credentials = async (cn: string) => {
    let creds = issued.get(cn);
    if (!creds) {
      creds = await ca.issueClientCertificate(cn);
      issued.set(cn, creds);
    }
    return creds;
  };
  const backend = await credentials(BACKEND_IDENTITY);
  const backends: BackendMqtt[] = [];
  return {
    dir,
    ca,
    port,
    siteId,
    backend,
    credentials,
    get broker() {
      if (!broker) throw new Error('broker is stopped');
      return broker;
    },
    async doorFiles(doorId) {
      const doorDir = path.join(dir, 'doors', doorId);
      fs.mkdirSync(doorDir, { recursive: true });
      const creds = await ca.issueClientCertificate(doorId);
      const files = {
        caFile: path.join(doorDir, 'ca.pem'),
        certFile: path.join(doorDir, 'door.pem'),
        keyFile: path.join(doorDir, 'door.key'),
      };
      fs.writeFileSync(files.caFile, ca.caCertPem);
      fs.writeFileSync(files.certFile, creds.certPem);
      fs.writeFileSync(files.keyFile, creds.keyPem, { mode: 0o600 });
      return files;
    },
    async connectBackend() {
      const client = await connectBackendMqtt({
        siteId,
        host: '127.0.0.1',
        port,
        caPem: ca.caCertPem,
        certPem: backend.certPem,
        keyPem: backend.keyPem,
        logger,
        clientId: `${BACKEND_IDENTITY}-agent-test-${backends.length}`,
        reconnect: { minMs: 100, maxMs: 500 },
      });
      backends.push(client);
      return client;
    },
    backendClientOptions(suffix) {
      return {
        protocol: 'mqtts',
        host: '127.0.0.1',
        port,
        ca: ca.caCertPem,
        cert: backend.certPem,
        key: backend.keyPem,
        rejectUnauthorized: true,
        protocolVersion: 4, // aedes speaks 3.1.1 only
        clientId: `${BACKEND_IDENTITY}-${suffix}`,
        clean: true,
        reconnectPeriod: 200,
        connectTimeout: 5_000,
      };
    },
    async stop() {
      await broker?.close();
      broker = null;
    },
    async startAgain() {
      broker = await startLocalBroker({ siteId, host: '127.0.0.1', port, tls, isRevoked, logger });
    },
    async close() {
      await Promise.allSettled(backends.map((b) => b.close()));
      await broker?.close();
      broker = null;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
