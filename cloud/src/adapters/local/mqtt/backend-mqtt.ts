/**
 * The back end's own MQTT client for the local broker (mqtt.js, MQTT 3.1.1 over mutual TLS with
 * the `facegate-backend` certificate). It receives every door's frames, events and status, and
 * publishes commands to one door at a time. It reconnects by itself with exponential backoff and
 * resubscribes when the broker lost its session (e.g. after a broker restart).
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { InvalidInputError } from '../../../../../lib/errors.js';
import type { Logger } from '../../../../../lib/logger.js';
import {
  DoorCommand,
  doorTopic,
  parseDoorTopic,
  siteTopicFilter,
  type DoorChannel,
} from '../../../../../protocol/index.js';
import { UpstreamError } from '../../../errors.js';
import type { DoorMessaging } from '../../../ports/door-messaging.js';
import { BACKEND_IDENTITY } from '../broker/identity.js';

export type DoorMessageHandler = (doorId: string, payload: Buffer) => void;

export interface BackendMqtt extends DoorMessaging {
  onFrame(handler: DoorMessageHandler): void;
  onStatus(handler: DoorMessageHandler): void;
  onEvent(handler: DoorMessageHandler): void;
  /** Whether the client is connected right now (commands fail fast while it is not). */
  isConnected(): boolean;
  close(): Promise<void>;
}

export interface BackendMqttOptions {
  /** The site this back end serves: it subscribes to and commands that site's doors only. */
  siteId: string;
  host: string;
  port: number;
  caPem: string;
  certPem: string;
  keyPem: string;
  logger: Logger;
  /** `facegate-backend` or `facegate-backend-<suffix>` when several back-end processes connect at once. */
  clientId?: string;
  /**
   * Keep the session (subscriptions and queued QoS 1 events) on the broker while disconnected.
   * Default: true for the main `facegate-backend` client id, false for suffixed ones — a short-lived
   * process (CLI, test) must not leave a session behind that queues events forever.
   */
  persistentSession?: boolean;
  /** Reconnect backoff bounds; the delay doubles from min to max after each failed attempt. */
  reconnect?: { minMs: number; maxMs: number };
}

/**
 * Frames are wanted only live: QoS 0 means the broker does not queue them while the back end is
 * away (a face seen a minute ago must not open the door now). Events and status are records: QoS 1.
 */
function subscriptions(siteId: string): Record<string, { qos: 0 | 1 }> {
  return {
    [siteTopicFilter(siteId, 'frames')]: { qos: 0 },
    [siteTopicFilter(siteId, 'events')]: { qos: 1 },
    [siteTopicFilter(siteId, 'status')]: { qos: 1 },
  };
}

const DEFAULT_RECONNECT = { minMs: 500, maxMs: 30_000 };
const EARLY_MESSAGE_LIMIT = 1000;

export async function connectBackendMqtt(options: BackendMqttOptions): Promise<BackendMqtt> {
  const clientId = options.clientId ?? BACKEND_IDENTITY;
  const log = options.logger.child({ component: 'backend-mqtt', clientId });
  const backoff = options.reconnect ?? DEFAULT_RECONNECT;
  const handlers: Record<Exclude<DoorChannel, 'commands'>, Set<DoorMessageHandler>> = {
    frames: new Set(),
    events: new Set(),
    status: new Set(),
  };

  const clientOptions: IClientOptions = {
    protocol: 'mqtts',
    host: options.host,
    port: options.port,
    ca: options.caPem,
    cert: options.certPem,
    key: options.keyPem,
    rejectUnauthorized: true,
    protocolVersion: 4, // aedes speaks 3.1.1 only
    clientId,
    clean: !(options.persistentSession ?? clientId === BACKEND_IDENTITY),
    keepalive: 30,
    connectTimeout: 10_000,
    reconnectPeriod: backoff.minMs,
    resubscribe: true,
    queueQoSZero: false,
  };
  const client: MqttClient = mqtt.connect(clientOptions);

  let wasConnected = false;
  client.on('connect', (connack) => {
    // Small, latency-critical messages: send at once (Nagle + delayed ACKs cost ~40 ms per command).
    (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    client.options.reconnectPeriod = backoff.minMs;
    if (wasConnected) log.info({ sessionPresent: connack.sessionPresent }, 'reconnected to broker');
    wasConnected = true;
  });
  client.on('reconnect', () => {
    // mqtt.js retries at a fixed period; grow it so a broker that is down is not hammered.
    const next = Math.min(backoff.maxMs, client.options.reconnectPeriod! * 2);
    client.options.reconnectPeriod = Math.round(next * (0.8 + Math.random() * 0.4));
  });
  client.on('offline', () => log.warn('lost the broker; reconnecting with backoff'));
  client.on('error', (err) => log.warn({ err: err.message }, 'mqtt client error'));

  /**
   * Events and status the broker queued for our persistent session arrive right after CONNACK,
   * before the caller had a chance to register handlers: hold them until it does (bounded).
   * Frames are live-only and are not held.
   */
  const early: Record<'events' | 'status', [string, Buffer][]> = { events: [], status: [] };
  /** True while held messages wait to be handed over, so newer ones queue behind them in order. */
  const flushing = { events: false, status: false };

  const dispatch = (channel: Exclude<DoorChannel, 'commands'>, doorId: string, topic: string, payload: Buffer) => {
    for (const handler of handlers[channel]) {
      try {
        const result: unknown = handler(doorId, payload);
        if (result instanceof Promise) {
          result.catch((err: unknown) => log.error({ err, doorId, topic }, 'message handler failed'));
        }
      } catch (err) {
        // One bad message or handler bug must not take the back end's MQTT link down.
        log.error({ err, doorId, topic }, 'message handler failed');
      }
    }
  };

  client.on('message', (topic, payload) => {
    const parsed = parseDoorTopic(topic);
    if (!parsed || parsed.channel === 'commands' || parsed.siteId !== options.siteId) {
      log.warn({ topic }, 'dropped message on an unexpected topic');
      return;
    }
    const { channel, doorId } = parsed;
    if (channel !== 'frames' && (handlers[channel].size === 0 || flushing[channel])) {
      if (early[channel].length < EARLY_MESSAGE_LIMIT) early[channel].push([doorId, payload]);
      else log.warn({ topic }, 'dropped a message that arrived before any handler (buffer full)');
      return;
    }
    dispatch(channel, doorId, topic, payload);
  });

  const addHandler = (channel: Exclude<DoorChannel, 'commands'>, handler: DoorMessageHandler) => {
    handlers[channel].add(handler);
    if (channel === 'frames' || early[channel].length === 0 || flushing[channel]) return;
    flushing[channel] = true;
    // After the caller's registration code has run, so all of its handlers see the held messages.
    setImmediate(() => {
      for (const [doorId, payload] of early[channel].splice(0))
        dispatch(channel, doorId, doorTopic(options.siteId, doorId, channel), payload);
      flushing[channel] = false;
    });
  };

  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => {
      client.off('connect', ok);
      client.end(true);
      reject(
        new UpstreamError('mqtt', `cannot connect to the broker at ${options.host}:${options.port}: ${err.message}`, {
          cause: err,
        }),
      );
    };
    const onError = (err: Error) => fail(err);
    const onClose = () => fail(new Error('connection closed before CONNACK'));
    const ok = () => {
      client.off('error', onError);
      client.off('close', onClose);
      resolve();
    };
    client.once('connect', ok);
    client.once('error', onError);
    client.once('close', onClose);
  });

  try {
    const granted = await client.subscribeAsync(subscriptions(options.siteId));
    const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
    if (refused.length > 0) throw new Error(`broker refused subscriptions: ${refused.join(', ')}`);
  } catch (err) {
    client.end(true);
    throw new UpstreamError('mqtt', 'cannot subscribe to door topics', { cause: err });
  }
  log.info({ host: options.host, port: options.port }, 'back end connected to broker');

  return {
    async publishCommand(command) {
      const parsed = DoorCommand.safeParse(command);
      if (!parsed.success) {
        throw new InvalidInputError(
          `invalid door command: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      }
      // Fail fast rather than queue: the caller logs the decision, and an unlock sent late is useless.
      if (!client.connected) throw new UpstreamError('mqtt', 'not connected to the broker');
      const topic = doorTopic(options.siteId, parsed.data.doorId, 'commands');
      try {
        await client.publishAsync(topic, JSON.stringify(parsed.data), { qos: 1, retain: false });
      } catch (err) {
        throw new UpstreamError('mqtt', `publishing a command to ${parsed.data.doorId} failed`, { cause: err });
      }
      log.debug(
        { doorId: parsed.data.doorId, type: parsed.data.type, decisionId: parsed.data.decisionId },
        'command published',
      );
    },
    onFrame: (handler) => addHandler('frames', handler),
    onEvent: (handler) => addHandler('events', handler),
    onStatus: (handler) => addHandler('status', handler),
    isConnected: () => client.connected,
    async close() {
      await client.endAsync();
      log.info('back end disconnected from broker');
    },
  };
}
