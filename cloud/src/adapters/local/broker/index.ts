/**
 * The local MQTT broker: aedes behind a mutual-TLS server whose clients present certificates
 * from the local CA. See README.md beside this file for the rules it enforces.
 */
import tls from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { Aedes, type Client } from 'aedes';
import { FacegateError } from '../../../../../lib/errors.js';
import type { Logger } from '../../../../../lib/logger.js';
import { MAX_MQTT_MESSAGE_BYTES } from '../../../../../protocol/index.js';
import { createAccessHooks, type PeerCertificate, type Session } from './access-hooks.js';
import { createBoundedPersistence, DEFAULT_QUEUE_LIMITS, type QueueLimits } from './bounded-persistence.js';
import { guardPacketSize } from './packet-size-guard.js';
import { PresenceTracker, type PresenceListener } from './presence.js';

export { BACKEND_IDENTITY, isReservedIdentity } from './identity.js';

export interface LocalBrokerOptions {
  /** The one site whose topics this broker carries (facegate/{siteId}/doors/…). */
  siteId: string;
  /** Interface to listen on; all interfaces when omitted (doors connect over the LAN). */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  tls: { caPem: string; certPem: string; keyPem: string };
  /** Asked at connect and again on every publish/subscribe/delivery, so a revocation cuts a live door off. */
  isRevoked?: (cn: string, serial: string) => boolean;
  /**
   * How often connected clients are re-checked against `isRevoked`, so an idle revoked door is
   * dropped too (default 1 s: a revoked door is gone within 2 s, even when another process revoked it).
   */
  revocationSweepMs?: number;
  /** Most QoS 1 messages (and payload bytes) the broker keeps queued for any one client id. */
  queueLimits?: QueueLimits;
  logger: Logger;
}

export interface LocalBroker {
  readonly port: number;
  onPresence(listener: PresenceListener): () => void;
  connectedDoors(): string[];
  /** QoS 1 messages the broker holds for a client id right now (its session's queue). */
  queuedFor(clientId: string): { messages: number; bytes: number };
  close(): Promise<void>;
}

/** The broker could not start (port in use, bad TLS material). */
export class BrokerStartError extends FacegateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('broker_start', message, options);
  }
}

/**
 * Largest MQTT packet read at all: the payload limit plus room for the topic and header fields.
 * Within it, authorizePublish applies the exact payload limit and logs door, topic and size.
 */
const MAX_PACKET_BYTES = MAX_MQTT_MESSAGE_BYTES + 4096;

const DRAIN_TIMEOUT_MS = 10_000;

function remoteOf(socket: Socket): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
}

function readPeer(socket: tls.TLSSocket): PeerCertificate {
  const cert = socket.getPeerCertificate();
  const cn = cert?.subject?.CN;
  return {
    // Several CNs in one subject is not an identity we can trust to mean one thing.
    cn: typeof cn === 'string' ? cn : null,
    serial: typeof cert?.serialNumber === 'string' ? cert.serialNumber : '',
    remote: remoteOf(socket),
  };
}

export async function startLocalBroker(options: LocalBrokerOptions): Promise<LocalBroker> {
  const log = options.logger.child({ component: 'broker' });
  const checkRevoked = options.isRevoked ?? (() => false);
  /** A revocation check that fails counts as revoked: never let a door in because a file was unreadable. */
  const isRevoked = (cn: string, serial: string): boolean => {
    try {
      return checkRevoked(cn, serial);
    } catch (err) {
      log.error({ err, cn }, 'revocation check failed; treating the certificate as revoked');
      return true;
    }
  };
  const presence = new PresenceTracker(log);
  const peers = new WeakMap<object, PeerCertificate>();
  const sessions = new WeakMap<Client, Session>();

  const store = createBoundedPersistence(log, options.queueLimits ?? DEFAULT_QUEUE_LIMITS);
  const aedes = await Aedes.createBroker({
    ...createAccessHooks({ log, peers, sessions, isRevoked, siteId: options.siteId }),
    persistence: store.persistence,
    // A client that stops reading its socket is cut off after this, instead of the broker
    // buffering what it writes to it (aedes's default is 60 s).
    drainTimeout: DRAIN_TIMEOUT_MS,
    // Packets a client may send before its CONNACK; a door sends its SUBSCRIBE and little more.
    queueLimit: 16,
  });

  const who = (client: Client) => ({
    clientId: client.id,
    identity: sessions.get(client)?.cn,
    remote: peers.get(client.conn)?.remote,
  });
  const connected = new Set<Client>();
  aedes.on('client', (client) => {
    const session = sessions.get(client);
    connected.add(client);
    log.info(who(client), 'client connected');
    if (session?.kind === 'door') presence.doorConnected(session.doorId, client);
  });
  aedes.on('clientDisconnect', (client) => {
    const session = sessions.get(client);
    connected.delete(client);
    log.info(who(client), 'client disconnected');
    if (session?.kind === 'door') presence.doorDisconnected(session.doorId, client);
  });

  // A revoked door that only sends PINGREQs would otherwise stay connected (and "online") forever.
  const sweep = setInterval(() => {
    for (const client of connected) {
      const session = sessions.get(client);
      if (session && isRevoked(session.cn, session.serial)) {
        log.warn(who(client), 'disconnecting a client whose certificate was revoked');
        client.close();
      }
    }
  }, options.revocationSweepMs ?? 1_000);
  sweep.unref();
  aedes.on('keepaliveTimeout', (client) => log.info(who(client), 'client keepalive timed out'));
  aedes.on('clientError', (client, err) => log.warn({ ...who(client), err: err.message }, 'client error'));
  aedes.on('connectionError', (client, err) => log.warn({ ...who(client), err: err.message }, 'connection error'));

  let server: tls.Server;
  try {
    server = createTlsServer();
  } catch (err) {
    clearInterval(sweep);
    aedes.close();
    throw new BrokerStartError('cannot create the TLS server (check the broker certificate, key and CA)', {
      cause: err,
    });
  }
  function createTlsServer(): tls.Server {
    return tls.createServer(
      {
        key: options.tls.keyPem,
        cert: options.tls.certPem,
        ca: options.tls.caPem,
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        // A client that opens a socket and never finishes the handshake must not hold it for minutes.
        handshakeTimeout: 10_000,
        // Commands are tiny and latency-critical: without this, Nagle + delayed ACKs add ~40 ms.
        noDelay: true,
      },
      (socket) => {
        const peer = readPeer(socket);
        peers.set(socket, peer);
        guardPacketSize(socket, MAX_PACKET_BYTES, (violation) => {
          log.warn(
            {
              cn: peer.cn,
              remote: peer.remote,
              declaredBytes: violation.declaredBytes,
              packetType: violation.packetType,
              limit: MAX_PACKET_BYTES,
            },
            'refused oversized or malformed MQTT packet; connection closed',
          );
        });
        aedes.handle(socket);
      },
    );
  }
  // Raw sockets, so close() also ends those still in (or stuck before) the TLS handshake.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
    log.warn({ remote: remoteOf(socket), code: err.code, err: err.message }, 'refused TLS connection');
  });
  server.on('error', (err) => log.error({ err }, 'broker TLS server error'));

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    clearInterval(sweep);
    aedes.close(); // its heartbeat timer would otherwise keep the process alive
    throw new BrokerStartError(`cannot listen on ${options.host ?? '*'}:${options.port}`, { cause: err });
  }
  const port = (server.address() as AddressInfo).port;
  log.info({ host: options.host ?? '(all interfaces)', port }, 'broker listening (mutual TLS)');

  let closing: Promise<void> | undefined;
  return {
    port,
    onPresence: (listener) => presence.onPresence(listener),
    connectedDoors: () => presence.connectedDoors(),
    queuedFor: (clientId) => store.queued(clientId),
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(sweep);
        // Stop accepting; the server's callback fires once every connection has ended.
        server.close(() => resolve());
        aedes.close(() => {
          for (const socket of sockets) socket.destroy();
        });
      }).then(() => log.info('broker closed'));
      return closing;
    },
  };
}
