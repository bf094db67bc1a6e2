/**
 * A broker process for memory measurements: the real local broker and the real back-end MQTT
 * client (persistent session, as `facegate start` runs them) in a child process of its own, so
 * its memory is not mixed with the attacking clients'. Driven over IPC by the parent test:
 *   start {tls, backend}  → {port}
 *   measure               → {rss, heapUsed, external, arrayBuffers} after forced GCs
 *   backendOff/backendOn  → the back end leaves (its session stays) or comes back
 *   queued {clientId}     → what the broker holds queued for that client
 * Run with --expose-gc.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startLocalBroker, type LocalBroker } from '../../../cloud/src/adapters/local/broker/index.js';
import { connectBackendMqtt, type BackendMqtt } from '../../../cloud/src/adapters/local/mqtt/backend-mqtt.js';
import { silentLogger } from '../../../lib/logger.js';

interface StartMessage {
  type: 'start';
  tls: { caPem: string; certPem: string; keyPem: string };
  backend: { certPem: string; keyPem: string };
}
type Request =
  | StartMessage
  | { type: 'measure' }
  | { type: 'backendOff' }
  | { type: 'backendOn' }
  | { type: 'queued'; clientId: string };

const logger = silentLogger();
let broker: LocalBroker | undefined;
let backend: BackendMqtt | undefined;
let start: StartMessage | undefined;
const received = { frames: 0, events: 0, status: 0 };

async function connectBackend(): Promise<BackendMqtt> {
  const client = await connectBackendMqtt({
    siteId: 'local',
    host: '127.0.0.1',
    port: broker!.port,
    caPem: start!.tls.caPem,
    certPem: start!.backend.certPem,
    keyPem: start!.backend.keyPem,
    logger,
  });
  client.onFrame(() => void received.frames++);
  client.onEvent(() => void received.events++);
  client.onStatus(() => void received.status++);
  return client;
}

async function measure() {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  // Several rounds with pauses: sockets and buffers are released over a few turns of the loop.
  for (let i = 0; i < 4; i++) {
    gc();
    await sleep(100);
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, received };
}

async function handle(request: Request): Promise<unknown> {
  switch (request.type) {
    case 'start':
      start = request;
      broker = await startLocalBroker({ siteId: 'local', host: '127.0.0.1', port: 0, tls: request.tls, logger });
      backend = await connectBackend();
      return { port: broker.port };
    case 'measure':
      return measure();
    case 'backendOff':
      await backend?.close();
      backend = undefined;
      return {};
    case 'backendOn':
      backend = await connectBackend();
      return {};
    case 'queued':
      return broker!.queuedFor(request.clientId);
  }
}

process.on('message', (request: Request & { id: number }) => {
  handle(request).then(
    (result) => process.send!({ id: request.id, result }),
    (err: unknown) => process.send!({ id: request.id, error: String(err) }),
  );
});
process.on('disconnect', () => {
  void Promise.all([backend?.close(), broker?.close()]).finally(() => process.exit(0));
});
