/**
 * DoorLink over MQTT 3.1.1 with aws-iot-device-sdk-v2: mutual TLS from files, client id = door
 * id, persistent session (clean_session false, so QoS 1 commands sent during a short outage are
 * delivered — the command guard drops the stale ones), a retained "offline, locked" status as the
 * last will, and exponential reconnects between reconnectMinSec and reconnectMaxSec.
 * The same code talks to AWS IoT Core (endpoint:8883) and to the local aedes broker. MQTT 5 is not
 * used: aedes speaks only 3.1.1.
 *
 * Every connection attempt, the first and each one after a drop, is made here (a fresh SDK
 * connection per attempt, the same backoff bounds), not by the SDK's own reconnect: the SDK retries
 * a refused CONNECT silently and forever, so a revoked door would never learn it was refused. Here
 * each refusal is seen; after `refusalsBeforeGivingUp` in a row the link gives up (see onRefused).
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { iot, mqtt } from 'aws-iot-device-sdk-v2';
import type { Logger } from '../../../lib/logger.js';
import {
  PROTOCOL_VERSION,
  doorTopics,
  isValidDoorId,
  type DoorChannel,
  type DoorEventMessage,
  type DoorStatusMessage,
  type FramesTopicMessage,
} from '../../../protocol/index.js';
import type { DoorLink } from '../ports/index.js';
import { Backoff, sleep } from '../backoff.js';
import { ConfigError, IdentityRefusedError, LinkError, errorMessage } from '../errors.js';

export interface IotDoorLinkOptions {
  siteId: string;
  doorId: string;
  /** MQTT client id; the door id unless the deployment names things otherwise (IoT Core: the thing name). */
  clientId?: string;
  endpoint: string;
  port: number;
  /** Each credential as a file or as PEM text (one of the two; see agent/src/config.ts). */
  caFile?: string | undefined;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  caPem?: string | undefined;
  certPem?: string | undefined;
  keyPem?: string | undefined;
  keepAliveSec?: number;
  reconnectMinSec?: number;
  reconnectMaxSec?: number;
  /**
   * Consecutive CONNECT refusals (a CONNACK that is not "accepted") after which the link stops
   * trying (default 3). More than one, so a broker's passing hiccup is not taken for a verdict.
   */
  refusalsBeforeGivingUp?: number;
  logger: Logger;
  agentVersion?: string;
}

/**
 * A refused CONNECT (bad certificate, revoked, client id not allowed): aws-crt's MQTT 3.1.1 client
 * reports any CONNACK return code but "accepted" as AWS_ERROR_MQTT_PROTOCOL_ERROR. Network and TLS
 * failures carry other names and are retried for ever.
 */
export function isConnectRefusal(err: unknown): boolean {
  const refusal = (text: unknown) =>
    typeof text === 'string' && /AWS_ERROR_MQTT_PROTOCOL_ERROR|Server rejected connection/.test(text);
  // connect() rejects with a plain string ("Failed to connect: …"); events carry a CrtError.
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (refusal(e)) return true;
    const candidate = e as { error_name?: unknown; message?: unknown; cause?: unknown };
    if (candidate.error_name === 'AWS_ERROR_MQTT_PROTOCOL_ERROR' || refusal(candidate.message)) return true;
    e = candidate.cause;
  }
  return false;
}

/** Frees the native resources of a connection whose connect() failed (close() is not in the SDK's types). */
function releaseFailedConnection(connection: mqtt.MqttClientConnection): void {
  try {
    (connection as unknown as { close(): void }).close();
  } catch {
    // Already released: nothing to free.
  }
}

export class IotDoorLink implements DoorLink {
  private connection: mqtt.MqttClientConnection | null = null;
  private isConnected = false;
  private closing: AbortController | null = null;
  /** Bumped on every connect and interruption, so a late subscribe cannot mark a dead session connected. */
  private generation = 0;
  /** Whether the current session's set-up ran (connect() and connection_success both report it). */
  private sessionHandled = false;
  private connectedWaiters: (() => void)[] = [];
  /** Connections that completed a connect(): only those have a session to end with DISCONNECT. */
  private readonly established = new WeakSet<mqtt.MqttClientConnection>();
  private readonly commandHandlers: ((payload: Buffer) => void)[] = [];
  private readonly connectionHandlers: ((connected: boolean) => void)[] = [];
  private readonly refusedHandlers: ((err: IdentityRefusedError) => void)[] = [];
  private readonly log: Logger;
  private readonly topics: Record<DoorChannel, string>;

  constructor(private readonly options: IotDoorLinkOptions) {
    this.log = options.logger.child({ component: 'door-link', endpoint: options.endpoint, port: options.port });
    this.topics = doorTopics(options.siteId, options.doorId);
    // Fail at start-up, not in a retry loop: a missing certificate is a provisioning mistake.
    for (const [what, file, pem] of [
      ['CA', options.caFile, options.caPem],
      ['certificate', options.certFile, options.certPem],
      ['private key', options.keyFile, options.keyPem],
    ] as const) {
      if (pem !== undefined) continue;
      if (file === undefined) throw new ConfigError(`door ${what}: neither a file nor PEM text was given`);
      try {
        fs.accessSync(file, fs.constants.R_OK);
      } catch (cause) {
        throw new ConfigError(`door ${what} file is missing or unreadable: ${file}`, { cause });
      }
    }
    this.checkCertificateIsForThisDoor();
  }

  /**
   * A config copied from another door (or a bundle installed on the wrong Pi) would be refused by
   * the broker on every attempt: say so at start-up instead. Only certificates named after a door
   * are checked; AWS IoT's own certificates carry no door id in their subject.
   */
  private checkCertificateIsForThisDoor(): void {
    const o = this.options;
    let cn: string | undefined;
    try {
      const pem = o.certPem ?? fs.readFileSync(o.certFile!, 'utf8');
      cn = /(?:^|\n)CN=([^\n]*)/.exec(new X509Certificate(pem).subject)?.[1];
    } catch (cause) {
      throw new ConfigError(`door certificate ${o.certFile ?? '(PEM text)'} is not a readable PEM certificate`, {
        cause,
      });
    }
    const expected = o.clientId ?? o.doorId;
    if (cn !== undefined && isValidDoorId(cn) && cn !== expected) {
      throw new ConfigError(
        `the config names door "${expected}" but its certificate is for door "${cn}": install the bundle made for ` +
          `"${expected}", or set doorId to "${cn}"`,
      );
    }
  }

  get connected(): boolean {
    return this.isConnected;
  }

  onCommand(handler: (payload: Buffer) => void): void {
    this.commandHandlers.push(handler);
  }

  onConnectionChange(handler: (connected: boolean) => void): void {
    this.connectionHandlers.push(handler);
  }

  /**
   * Told once when the broker has refused this door's identity `refusalsBeforeGivingUp` times in a
   * row, on the first connection or after a drop; the link has stopped trying by then.
   */
  onRefused(handler: (err: IdentityRefusedError) => void): void {
    this.refusedHandlers.push(handler);
  }

  /**
   * Resolves once connected; keeps retrying a failing connection until disconnect(). Rejects with
   * IdentityRefusedError when the broker keeps refusing this door (after telling onRefused).
   */
  async connect(): Promise<void> {
    if (this.closing) throw new LinkError('connect() called while already connecting or connected');
    const closing = new AbortController();
    this.closing = closing;
    await this.connectUntilUp(closing);
  }

  /** One connection attempt after another, with backoff, until one is up, the link closes, or it is refused for good. */
  private async connectUntilUp(closing: AbortController): Promise<void> {
    const min = (this.options.reconnectMinSec ?? 1) * 1000;
    const backoff = new Backoff({ minMs: min, maxMs: Math.max(min, (this.options.reconnectMaxSec ?? 60) * 1000) });
    // disconnect() must not wait for a TLS handshake the SDK may take many seconds to give up on.
    const aborted = new Promise<never>((_, reject) =>
      closing.signal.addEventListener('abort', () => reject(new LinkError('link closed before it connected')), {
        once: true,
      }),
    );
    aborted.catch(() => undefined);
    const refusalLimit = this.options.refusalsBeforeGivingUp ?? 3;
    let refusals = 0;
    for (;;) {
      if (closing.signal.aborted) throw new LinkError('link closed before it connected');
      // A fresh connection per attempt: after a failed connect() the SDK stops emitting connection
      // events (success, interrupt) on that object, so a reused one would never report a later drop.
      const connection = this.buildConnection();
      this.connection = connection;
      this.sessionHandled = false;
      let sessionPresent: boolean;
      try {
        const attempt = connection.connect();
        attempt.catch(() => undefined); // may settle after an abort; its outcome no longer matters
        sessionPresent = await Promise.race([attempt, aborted]);
      } catch (cause) {
        if (this.connection === connection) {
          this.connection = null;
          releaseFailedConnection(connection);
        }
        if (closing.signal.aborted) throw new LinkError('link closed before it connected', { cause });
        refusals = isConnectRefusal(cause) ? refusals + 1 : 0;
        if (refusals >= refusalLimit) throw this.giveUp(closing, refusals, cause);
        const delay = backoff.next();
        this.log.warn(
          // The SDK's errors carry native stacks that say nothing more than their message.
          { reason: errorMessage(cause), retryInMs: delay },
          refusals > 0 ? 'the broker refused this door; retrying' : 'cannot reach the broker; retrying',
        );
        await sleep(delay, closing.signal);
        continue;
      }
      // Set up from here as well as from connection_success (sessionUp ignores the second call):
      // the order of the two is not documented.
      this.sessionUp(connection, sessionPresent);
      await Promise.race([this.untilConnected(), aborted]);
      return;
    }
  }

  /** Stops trying, tells the onRefused handlers, and returns the error to throw. */
  private giveUp(closing: AbortController, refusals: number, cause: unknown): IdentityRefusedError {
    if (this.closing === closing) this.closing = null;
    closing.abort();
    const err = new IdentityRefusedError(
      `the broker refused this door's certificate ${refusals} times in a row (revoked, not issued for door ` +
        `${this.options.doorId}, or not from this site's CA)`,
      { cause },
    );
    for (const handler of this.refusedHandlers) {
      try {
        handler(err);
      } catch (handlerErr) {
        this.log.error({ err: handlerErr }, 'refusal listener failed');
      }
    }
    return err;
  }

  /**
   * The connection dropped: end it (which also stops the SDK's own silent reconnects) and connect
   * afresh from here, so every refusal is seen. The broker kept the persistent session.
   */
  private reconnectAfterDrop(connection: mqtt.MqttClientConnection): void {
    if (this.connection !== connection) return;
    this.connection = null;
    connection.disconnect().catch(() => undefined);
    const closing = this.closing;
    if (!closing) return;
    this.connectUntilUp(closing).catch((err: unknown) => {
      if (!(err instanceof IdentityRefusedError) && !closing.signal.aborted) {
        this.log.error({ err }, 'reconnect failed');
      }
    });
  }

  private untilConnected(): Promise<void> {
    if (this.isConnected) return Promise.resolve();
    return new Promise((resolve) => this.connectedWaiters.push(resolve));
  }

  async publishFrame(message: FramesTopicMessage): Promise<void> {
    // QoS 0 and only while connected: the SDK would otherwise queue frames and send stale faces later.
    await this.publish(this.topics.frames, message, mqtt.QoS.AtMostOnce, false, { requireOnline: true });
  }

  async publishStatus(status: DoorStatusMessage): Promise<void> {
    // A queued status would be stale when it lands; the agent republishes on every (re)connect.
    await this.publish(this.topics.status, status, mqtt.QoS.AtLeastOnce, true, { requireOnline: true });
  }

  async publishEvent(event: DoorEventMessage): Promise<void> {
    // Events are the door's audit trail: QoS 1, and the SDK may hold them through a short outage.
    await this.publish(this.topics.events, event, mqtt.QoS.AtLeastOnce, false, {
      requireOnline: false,
    });
  }

  async disconnect(): Promise<void> {
    this.closing?.abort();
    this.closing = null; // a later connect() starts a new session
    const connection = this.connection;
    this.connection = null;
    if (!connection) return;
    const wasConnected = this.isConnected;
    this.setConnected(false);
    if (!this.established.has(connection)) {
      // Still in its first connect(): there is no session to end, only native resources to free.
      releaseFailedConnection(connection);
      return;
    }
    try {
      // Sends DISCONNECT (so the broker does not publish the last will), stops SDK reconnects, frees resources.
      await connection.disconnect();
    } catch (err) {
      if (wasConnected) this.log.warn({ err }, 'disconnect failed');
    }
  }

  private async publish(
    topic: string,
    message: object,
    qos: mqtt.QoS,
    retain: boolean,
    { requireOnline }: { requireOnline: boolean },
  ): Promise<void> {
    const connection = this.connection;
    if (!connection) throw new LinkError('link is not open');
    if (requireOnline && !this.isConnected) throw new LinkError('link is offline');
    try {
      await connection.publish(topic, JSON.stringify(message), qos, retain);
    } catch (cause) {
      throw new LinkError(`publish to ${topic} failed`, { cause });
    }
  }

  private buildConnection(): mqtt.MqttClientConnection {
    const o = this.options;
    const offline: DoorStatusMessage = {
      v: PROTOCOL_VERSION,
      doorId: o.doorId,
      online: false,
      lock: 'locked',
      at: Date.now(),
    };
    if (o.agentVersion) offline.agentVersion = o.agentVersion;
    // The will is fixed at connect time, so its `at` is when this session began, not when it ended.
    const will = new mqtt.MqttWill(this.topics.status, mqtt.QoS.AtLeastOnce, JSON.stringify(offline), true);
    // Read at each connection attempt, so a renewed certificate file is picked up without a restart.
    const read = (pem: string | undefined, file: string | undefined) => pem ?? fs.readFileSync(file!, 'utf8');
    const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(
      read(o.certPem, o.certFile),
      read(o.keyPem, o.keyFile),
    )
      .with_certificate_authority(read(o.caPem, o.caFile))
      .with_endpoint(o.endpoint)
      .with_port(o.port)
      .with_client_id(o.clientId ?? o.doorId)
      .with_clean_session(false)
      .with_keep_alive_seconds(o.keepAliveSec ?? 30)
      .with_will(will)
      .with_reconnect_min_sec(o.reconnectMinSec ?? 1)
      .with_reconnect_max_sec(o.reconnectMaxSec ?? 60)
      .build();
    const connection = new mqtt.MqttClient().new_connection(config);

    connection.on('connection_success', ({ session_present }) => this.sessionUp(connection, session_present));
    // connect() rejects with the same failure, logged (with the retry) by connectUntilUp.
    connection.on('connection_failure', ({ error }) =>
      this.log.debug({ reason: errorMessage(error) }, 'connection attempt failed'),
    );
    connection.on('interrupt', (error) => {
      if (this.connection !== connection) return;
      this.generation += 1;
      this.sessionHandled = false;
      this.log.warn({ reason: errorMessage(error) }, 'connection interrupted; reconnecting with backoff');
      this.setConnected(false);
      this.reconnectAfterDrop(connection);
    });
    // A connection this link already replaced may report its end late: that says nothing about the current one.
    connection.on('disconnect', () => this.connection === connection && this.setConnected(false));
    connection.on('closed', () => this.connection === connection && this.setConnected(false));
    connection.on('error', (error) => this.log.debug({ reason: errorMessage(error) }, 'connection error'));
    connection.on('message', (topic, payload) => {
      if (topic !== this.topics.commands) {
        this.log.warn({ topic }, 'message on an unexpected topic ignored');
        return;
      }
      const bytes = Buffer.from(payload);
      for (const handler of this.commandHandlers) {
        try {
          handler(bytes);
        } catch (err) {
          this.log.error({ err }, 'command handler failed');
        }
      }
    });
    return connection;
  }

  /**
   * A session is up (first connect or an SDK reconnect). With a resumed session the subscription
   * is still in place and queued commands may follow at once, so the link is connected right
   * away; a fresh session (first connect, broker restart) is connected once the subscription is back.
   */
  private sessionUp(connection: mqtt.MqttClientConnection, sessionPresent: boolean): void {
    if (this.sessionHandled || this.connection !== connection) return;
    this.sessionHandled = true;
    this.established.add(connection);
    this.log.info({ sessionPresent }, 'connected');
    const generation = ++this.generation;
    if (sessionPresent) {
      this.setConnected(true);
      return;
    }
    void this.subscribeCommands(connection).then(() => {
      if (this.connection === connection && this.generation === generation) this.setConnected(true);
    });
  }

  /**
   * If the broker refuses the subscription the door simply gets no commands: it stays locked,
   * which is the safe failure, and the log says why.
   */
  private async subscribeCommands(connection: mqtt.MqttClientConnection): Promise<void> {
    try {
      const granted = await connection.subscribe(this.topics.commands, mqtt.QoS.AtLeastOnce);
      if (granted.error_code || (granted.qos as number) === 128)
        throw new LinkError(`broker refused the subscription (${granted.error_code ?? 'qos 128'})`);
      this.log.info({ topic: this.topics.commands }, 'subscribed to commands');
    } catch (err) {
      this.log.error(
        { err, topic: this.topics.commands },
        'subscribe to commands failed: this door cannot receive unlocks',
      );
    }
  }

  private setConnected(connected: boolean): void {
    if (this.isConnected === connected) return;
    this.isConnected = connected;
    if (connected) for (const resolve of this.connectedWaiters.splice(0)) resolve();
    for (const handler of this.connectionHandlers) {
      try {
        handler(connected);
      } catch (err) {
        this.log.error({ err }, 'connection listener failed');
      }
    }
  }
}
