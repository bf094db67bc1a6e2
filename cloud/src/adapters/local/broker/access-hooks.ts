/**
 * The aedes hooks that decide who connects and what each connection may do. Identity comes from
 * the TLS peer certificate recorded when the handshake completed; the topic rules are in acl.ts.
 */
import type { AuthenticateError, Client, PublishPacket, Subscription, AedesOptions } from 'aedes';
import type { Logger } from '../../../../../lib/logger.js';
import { checkPublish, checkSubscribe, checkWill } from './acl.js';
import { identityFromCommonName, isBackendClientId, type BrokerIdentity } from './identity.js';

/** What TLS proved about the peer, read once when the handshake completes. */

/** Doors and the back end use QoS 0 and 1 only: QoS 2 would let a client park packets in the broker. */
export const MAX_QOS = 1;

export interface PeerCertificate {
  cn: string | null;
  serial: string;
  remote: string;
}

export type Session = BrokerIdentity & { serial: string };

export interface AccessHookDeps {
  log: Logger;
  /** Peer certificate by connection (the stream aedes was handed). */
  peers: WeakMap<object, PeerCertificate>;
  /** Authenticated identity by aedes client; read by the broker for presence and logs. */
  sessions: WeakMap<Client, Session>;
  /** Never throws: a failing check must already count as revoked. */
  isRevoked: (cn: string, serial: string) => boolean;
  /** The site whose topics this broker carries. */
  siteId: string;
}

type Hooks = Required<
  Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>
>;

/** aedes accepts a returnCode on authentication errors and sends it in the CONNACK. */
function connectRefusal(message: string, returnCode: 2 | 5): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}

function payloadBytes(payload: PublishPacket['payload'] | undefined): number {
  if (payload === undefined) return 0;
  return typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
}

/** A callback that runs at most once, so a hook that failed after answering cannot answer twice. */
function once<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  let called = false;
  return (...args: A) => {
    if (called) return;
    called = true;
    fn(...args);
  };
}

export function createAccessHooks({ log, peers, sessions, isRevoked, siteId }: AccessHookDeps): Hooks {
  const wills = new WeakMap<Client, PublishPacket | null>();
  const who = (client: Client) => ({
    clientId: client.id,
    identity: sessions.get(client)?.cn,
    remote: peers.get(client.conn)?.remote,
  });
  const stillTrusted = (session: Session) => !isRevoked(session.cn, session.serial);

  /**
   * Runs a hook so that a bug or an unexpected packet shape refuses (fail closed) instead of
   * throwing inside aedes, where an exception would take the whole broker down.
   */
  function guarded<T>(hook: string, run: () => T, refuse: () => T): T {
    try {
      return run();
    } catch (err) {
      log.error({ err, hook }, 'broker hook failed; refusing');
      return refuse();
    }
  }

  function authenticate(client: Client, done: (err: AuthenticateError | null, ok: boolean | null) => void): void {
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
      const decision = checkWill(
        identity,
        {
          topic: will.topic,
          payloadBytes: payloadBytes(will.payload),
          retain: will.retain ?? false,
        },
        siteId,
      );
      if (!decision.ok) return refuse(decision.reason);
    }
    sessions.set(client, { ...identity, serial: peer.serial });
    done(null, true);
  }

  function authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    callback: (err?: Error | null) => void,
  ): void {
    if (!client) return callback(null); // the broker's own $SYS messages
    const session = sessions.get(client);
    if (!session) return callback(new Error('not authenticated'));
    const bytes = payloadBytes(packet.payload);
    if (!stillTrusted(session)) {
      log.warn({ ...who(client), topic: packet.topic, bytes }, 'refused publish: certificate revoked');
      return callback(new Error('certificate revoked'));
    }
    if (packet.qos > MAX_QOS) {
      // QoS 2 makes the broker keep each packet until PUBREL, which a hostile client never sends.
      log.warn(
        { ...who(client), topic: packet.topic, bytes, qos: packet.qos },
        'refused publish: QoS 2 is not allowed',
      );
      return callback(new Error('QoS 2 is not allowed'));
    }
    const decision = checkPublish(session, { topic: packet.topic, payloadBytes: bytes, retain: packet.retain }, siteId);
    if (!decision.ok) {
      // MQTT 3.1.1 has no negative PUBACK: aedes drops the connection, which a well-behaved door never provokes.
      log.warn({ ...who(client), topic: packet.topic, bytes, reason: decision.reason }, 'refused publish');
      return callback(new Error(decision.reason));
    }
    callback(null);
  }

  function authorizeSubscribe(
    client: Client,
    subscription: Subscription,
    callback: (err: Error | null, subscription?: Subscription | null) => void,
  ): void {
    const session = sessions.get(client);
    if (!session) return callback(new Error('not authenticated'));
    if (!stillTrusted(session)) {
      log.warn({ ...who(client), topic: subscription.topic }, 'refused subscribe: certificate revoked');
      return callback(new Error('certificate revoked'));
    }
    const decision = checkSubscribe(session, subscription.topic, siteId);
    if (!decision.ok) {
      // A null subscription becomes a 0x80 failure in the SUBACK; the connection stays up.
      log.warn({ ...who(client), topic: subscription.topic, reason: decision.reason }, 'refused subscribe');
      return callback(null, null);
    }
    if (subscription.qos > MAX_QOS) {
      // aedes fixes the SUBACK's granted QoS before this hook, so it cannot be lowered here: refused (0x80).
      log.warn(
        { ...who(client), topic: subscription.topic, qos: subscription.qos },
        'refused subscribe: QoS 2 is not allowed',
      );
      return callback(null, null);
    }
    callback(null, subscription);
  }

  return {
    preConnect(client, packet, callback) {
      // The will is checked in authenticate, once the certificate's identity is known.
      wills.set(client, (packet.will as PublishPacket | undefined) ?? null);
      callback(null, true);
    },
    authenticate(client, _username, _password, callback) {
      const done = once(callback);
      guarded(
        'authenticate',
        () => authenticate(client, done),
        () => done(connectRefusal('internal error', 5), false),
      );
    },
    authorizePublish(client, packet, callback) {
      const done = once(callback);
      guarded(
        'authorizePublish',
        () => authorizePublish(client, packet, done),
        () => done(new Error('internal error')),
      );
    },
    authorizeSubscribe(client, subscription, callback) {
      const done = once(callback);
      guarded(
        'authorizeSubscribe',
        () => authorizeSubscribe(client, subscription, done),
        () => done(null, null),
      );
    },
    authorizeForward(client, packet) {
      return guarded(
        'authorizeForward',
        () => {
          const session = sessions.get(client);
          if (session && stillTrusted(session)) return packet;
          log.warn({ ...who(client), topic: packet.topic }, 'withheld delivery: client not (or no longer) trusted');
          return null;
        },
        () => null,
      );
    },
  };
}
