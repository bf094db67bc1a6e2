/**
 * aedes's in-memory persistence with a ceiling per client on the QoS 1 messages it keeps queued.
 *
 * aedes queues every QoS 1 message for each persistent (clean = false) subscriber until that
 * subscriber acknowledges it, and for one that is offline that means for ever: a door that floods
 * its events while the back end's session is away would grow the broker without limit. Here each
 * client id may have at most `maxMessages` messages and `maxBytes` payload bytes queued; past that,
 * new messages are not stored for it (an online client still receives them once, unstored) and the
 * drop is logged, once per client per minute with a count.
 *
 * Counting works on the memory persistence's own rules: a message enters a client's queue only
 * through outgoingEnqueue/outgoingEnqueueCombi and leaves only through outgoingClearMessageId
 * (which returns the removed packet).
 */
import { createRequire } from 'node:module';
import type { Logger } from '../../../../../lib/logger.js';

export interface QueueLimits {
  maxMessages: number;
  maxBytes: number;
}

/** Enough for a back end that is away for minutes at normal door traffic; small next to the process. */
export const DEFAULT_QUEUE_LIMITS: QueueLimits = { maxMessages: 2_000, maxBytes: 8 * 1024 * 1024 };

interface QueuedPacket {
  brokerId?: string;
  brokerCounter?: number;
  payload?: Buffer | string;
}
interface Sub {
  clientId: string;
}
interface ClientRef {
  id: string;
}
/** The promise-returning half of aedes-persistence's API that aedes 1.x calls. */
interface OutgoingQueue {
  outgoingEnqueue(sub: Sub, packet: QueuedPacket): Promise<void>;
  outgoingEnqueueCombi(subs: Sub[], packet: QueuedPacket): Promise<void>;
  outgoingUpdate(client: ClientRef, packet: QueuedPacket): Promise<void>;
  outgoingClearMessageId(client: ClientRef, packet: QueuedPacket): Promise<QueuedPacket | undefined>;
}

// aedes-persistence is CommonJS whose typings declare an ES default export it does not have.
const memoryPersistence = createRequire(import.meta.url)('aedes-persistence') as () => unknown;

const DROP_LOG_INTERVAL_MS = 60_000;
/** Keys of unstored messages still to be delivered live; bounded so an abandoned one cannot pile up. */
const MAX_UNSTORED_KEYS = 10_000;

function sizeOf(packet: QueuedPacket): number {
  const payload = packet.payload;
  if (payload === undefined) return 0;
  return typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
}

const keyOf = (clientId: string, packet: QueuedPacket) =>
  `${clientId}\u0000${packet.brokerId ?? ''}\u0000${packet.brokerCounter ?? ''}`;

export interface BoundedPersistence {
  /** Hand this to aedes as its `persistence` option. */
  persistence: unknown;
  /** What is queued for a client right now (for tests and diagnostics). */
  queued(clientId: string): { messages: number; bytes: number };
}

export function createBoundedPersistence(log: Logger, limits: QueueLimits = DEFAULT_QUEUE_LIMITS): BoundedPersistence {
  const persistence = memoryPersistence() as OutgoingQueue;
  const counts = new Map<string, { messages: number; bytes: number }>();
  const drops = new Map<string, { count: number; loggedAt: number }>();
  const unstored = new Set<string>();

  const enqueue = persistence.outgoingEnqueue.bind(persistence);
  const enqueueCombi = persistence.outgoingEnqueueCombi.bind(persistence);
  const update = persistence.outgoingUpdate.bind(persistence);
  const clear = persistence.outgoingClearMessageId.bind(persistence);

  const countOf = (clientId: string) => {
    let count = counts.get(clientId);
    if (!count) counts.set(clientId, (count = { messages: 0, bytes: 0 }));
    return count;
  };

  function noteDrop(clientId: string, bytes: number): void {
    const now = Date.now();
    const drop = drops.get(clientId) ?? { count: 0, loggedAt: 0 };
    drop.count++;
    if (now - drop.loggedAt >= DROP_LOG_INTERVAL_MS) {
      log.warn(
        { clientId, dropped: drop.count, bytes, limits },
        'message queue of a client is full: new QoS 1 messages are not kept for it',
      );
      drop.loggedAt = now;
      drop.count = 0;
    }
    drops.set(clientId, drop);
  }

  /** Whether the packet may join the client's queue; counts it if so. */
  function admit(sub: Sub, packet: QueuedPacket): boolean {
    const count = countOf(sub.clientId);
    const bytes = sizeOf(packet);
    if (count.messages + 1 > limits.maxMessages || count.bytes + bytes > limits.maxBytes) {
      noteDrop(sub.clientId, bytes);
      if (unstored.size >= MAX_UNSTORED_KEYS) unstored.delete(unstored.values().next().value!);
      unstored.add(keyOf(sub.clientId, packet));
      return false;
    }
    count.messages++;
    count.bytes += bytes;
    return true;
  }

  persistence.outgoingEnqueue = async (sub, packet) => {
    if (admit(sub, packet)) await enqueue(sub, packet);
  };
  persistence.outgoingEnqueueCombi = async (subs, packet) => {
    const admitted = subs.filter((sub) => admit(sub, packet));
    if (admitted.length > 0) await enqueueCombi(admitted, packet);
  };
  persistence.outgoingUpdate = async (client, packet) => {
    // An online client is sent a message it had no room to queue: deliver it once, unstored.
    if (unstored.delete(keyOf(client.id, packet))) return;
    await update(client, packet);
  };
  persistence.outgoingClearMessageId = async (client, packet) => {
    const removed = await clear(client, packet);
    if (removed) {
      const count = countOf(client.id);
      count.messages = Math.max(0, count.messages - 1);
      count.bytes = Math.max(0, count.bytes - sizeOf(removed));
    }
    return removed;
  };

  return {
    persistence,
    queued: (clientId) => ({ ...countOf(clientId) }),
  };
}
