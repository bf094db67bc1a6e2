/**
 * The local MQTT broker: aedes behind a mutual-TLS server whose clients present certificates
 * from the local CA. See README.md beside this file for the rules it enforces.
 */
import tls from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { Aedes, type Client, type PublishPacket, type Subscription } from 'aedes';
import type { Logger } from '../../../../../lib/logger.js';
import { MAX_MQTT_MESSAGE_BYTES } from '../../../../../protocol/index.js';
import { checkPublish, checkSubscribe, checkWill } from './acl.js';
import { guardPacketSize } from './packet-size-guard.js';
import { identityFromCommonName, isBackendClientId, type BrokerIdentity } from './identity.js';
import { PresenceTracker, type PresenceListener } from './presence.js';

export { BACKEND_IDENTITY, isReservedIdentity } from './identity.js';

export interface LocalBrokerOptions {
  /** Interface to listen on; all interfaces when omitted (doors connect over the LAN). */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  tls: { caPem: string; certPem: string; keyPem: string };
  /** Asked at connect and again on every publish/subscribe, so a revocation cuts a live door off. */
  isRevoked?: (cn: string, serial: string) => boolean;
  logger: Logger;
}

export interface LocalBroker {
  readonly port: number;
  onPresence(listener: PresenceListener): () => void;
  connectedDoors(): string[];
  close(): Promise<void>;
}

/** What TLS proved about the peer, read once when the handshake completes. */
interface PeerCertificate {
  cn: string | null;
  serial: string;
  remote: string;
}

type Session = BrokerIdentity & { serial: string };

/**
 * Largest MQTT packet read at all: the payload limit plus room for the topic and header fields.
 * Within it, authorizePublish applies the exact payload limit and logs door, topic and size.
 */
const MAX_PACKET_BYTES = MAX_MQTT_MESSAGE_BYTES + 4096;

/** aedes accepts a returnCode on authentication errors and sends it in the CONNACK. */
function connectRefusal(message: string, returnCode: 2 | 5): Error & { returnCode: number } {
  return Object.assign(new Error(message), { returnCode });
}

function payloadBytes(payload: PublishPacket['payload'] | undefined): number {
  if (payload === undefined) return 0;
  return typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
}

function readPeer(socket: tls.TLSSocket): PeerCertificate {
  const cert = socket.getPeerCertificate();
  const cn = cert?.subject?.CN;
  return {
    // Several CNs in one subject is not an identity we can trust to mean one thing.
    cn: typeof cn === 'string' ? cn : null,
    serial: typeof cert?.serialNumber === 'string' ? cert.serialNumber : '',
    remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
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
  const wills = new WeakMap<Client, PublishPacket | null>();

  const who = (client: Client) => {
    const session = sessions.get(client);
    return { clientId: client.id, identity: session?.cn, remote: peers.get(client.conn)?.remote };
  };
  const stillTrusted = (session: Session) => !isRevoked(session.cn, session.serial);

  const aedes = await Aedes.createBroker({
    preConnect(client, packet, callback) {
      // The will is checked against the identity in authenticate, where the certificate is known.
      wills.set(client, (packet.will as PublishPacket | undefined) ?? null);
      callback(null, true);
    },

    authenticate(client, _username, _password, done) {
      const peer = peers.get(client.conn);
      const refuse = (reason: string, returnCode: 2 | 5 = 5) => {
        log.warn({ clientId: client.id, cn: peer?.cn, remote: peer?.remote, reason }, 'refused connection');
        done(connectRefusal(reason, returnCode), false);
      };
      if (!peer || peer.cn === null) return refuse('no usable client certificate');
      const identity = identityFromCommonName(peer.cn);
      if (!identity) return refuse('certificate CN is neither a door id nor the back end');
      if (isRevoked(peer.cn, peer.serial)) return refuse('certificate is revoked');
      if (identity.kind === 'door' && client.id !== identity.doorId) {
        return refuse('a door must connect with its door id as client id', 2);
      }
      if (identity.kind === 'backend' && !isBackendClientId(client.id)) {
        return refuse('the back end must connect with facegate-backend[-suffix] as client id', 2);
      }
      const will = wills.get(client);
      if (will) {
        const decision = checkWill(identity, {
          topic: will.topic,
          payloadBytes: payloadBytes(will.payload),
          retain: will.retain ?? false,
        });
        if (!decision.ok) return refuse(decision.reason);
      }
      sessions.set(client, { ...identity, serial: peer.serial });
      done(null, true);
    },

    authorizePublish(client, packet, callback) {
      if (!client) return callback(null); // the broker's own $SYS messages
      const session = sessions.get(client);
      if (!session) return callback(new Error('not authenticated'));
      const bytes = payloadBytes(packet.payload);
      if (!stillTrusted(session)) {
        log.warn({ ...who(client), topic: packet.topic, bytes }, 'refused publish: certificate revoked');
        return callback(new Error('certificate revoked'));
      }
      const decision = checkPublish(session, { topic: packet.topic, payloadBytes: bytes, retain: packet.retain });
      if (!decision.ok) {
        // MQTT 3.1.1 has no negative PUBACK: aedes drops the connection, which a well-behaved door never provokes.
        log.warn({ ...who(client), topic: packet.topic, bytes, reason: decision.reason }, 'refused publish');
        return callback(new Error(decision.reason));
      }
      callback(null);
    },

    authorizeSubscribe(client, subscription: Subscription, callback) {
      const session = sessions.get(client);
      if (!session) return callback(new Error('not authenticated'));
      if (!stillTrusted(session)) {
        log.warn({ ...who(client), topic: subscription.topic }, 'refused subscribe: certificate revoked');
        return callback(new Error('certificate revoked'));
      }
      const decision = checkSubscribe(session, subscription.topic);
      if (!decision.ok) {
        // A null subscription becomes a 0x80 failure in the SUBACK; the connection stays up.
        log.warn({ ...who(client), topic: subscription.topic, reason: decision.reason }, 'refused subscribe');
        return callback(null, null);
      }
      callback(null, subscription);
    },

    authorizeForward(client, packet) {
      const session = sessions.get(client);
      if (!session || !stillTrusted(session)) {
        log.warn({ ...who(client), topic: packet.topic }, 'withheld delivery: client not (or no longer) trusted');
        return null;
      }
      return packet;
    },
  });

  aedes.on('client', (client) => {
    const session = sessions.get(client);
    log.info(who(client), 'client connected');
    if (session?.kind === 'door') presence.doorConnected(session.doorId, client);
  });
  aedes.on('clientDisconnect', (client) => {
    const session = sessions.get(client);
    log.info(who(client), 'client disconnected');
    if (session?.kind === 'door') presence.doorDisconnected(session.doorId, client);
  });
  aedes.on('keepaliveTimeout', (client) => log.info(who(client), 'client keepalive timed out'));
  aedes.on('clientError', (client, err) => log.warn({ ...who(client), err: err.message }, 'client error'));
  aedes.on('connectionError', (client, err) => log.warn({ ...who(client), err: err.message }, 'connection error'));

  const server = tls.createServer(
    {
      key: options.tls.keyPem,
      cert: options.tls.certPem,
      ca: options.tls.caPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      // A client that opens a socket and never finishes the handshake must not hold it for minutes.
      handshakeTimeout: 10_000,
    },
    (socket) => {
      const peer = readPeer(socket);
      peers.set(socket, peer);
      guardPacketSize(socket, MAX_PACKET_BYTES, (violation) => {
        log.warn(
          { cn: peer.cn, remote: peer.remote, declaredBytes: violation.declaredBytes, packetType: violation.packetType, limit: MAX_PACKET_BYTES },
          'refused oversized or malformed MQTT packet; connection closed',
        );
      });
      aedes.handle(socket);
    },
  );
  // Raw sockets, so close() also ends those still in (or stuck before) the TLS handshake.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
    log.warn(
      { remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, code: err.code, err: err.message },
      'refused TLS connection',
    );
  });
  server.on('error', (err) => log.error({ err }, 'broker TLS server error'));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ host: options.host ?? '(all interfaces)', port }, 'broker listening (mutual TLS)');

  let closing: Promise<void> | undefined;
  return {
    port,
    onPresence: (listener) => presence.onPresence(listener),
    connectedDoors: () => presence.connectedDoors(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        // Stop accepting first; the server's callback fires once aedes has closed every client.
        server.close(() => resolve());
        aedes.close(() => {
          for (const socket of sockets) socket.destroy();
        });
      }).then(() => log.info('broker closed'));
      return closing;
    },
  };
}
