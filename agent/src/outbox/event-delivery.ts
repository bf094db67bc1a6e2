/**
 * Drains the outbox to the link, oldest first, one event at a time: the next is sent only after
 * the broker acknowledged the previous (QoS 1 PUBACK), so order holds and an event is removed only
 * once delivered. A failure or a timeout leaves the event at the head and retries later; a resend
 * after a lost acknowledgement is dropped by the back end by eventId.
 *
 * Paced by a token bucket below the back end's per-door event limit (burst 50, 2/s), which drops
 * what exceeds it: a door returning from a long outage must not lose its backlog to that limit.
 */
import type { Logger } from '../../../lib/logger.js';
import type { DoorLink } from '../ports/index.js';
import type { EventOutbox } from './event-outbox.js';

export interface DeliveryPace {
  /** Events sent back-to-back before the pace applies. */
  burst: number;
  /** Sustained events per second. */
  ratePerSec: number;
}

export const DEFAULT_DELIVERY_PACE: DeliveryPace = { burst: 40, ratePerSec: 1.5 };

export interface EventDeliveryOptions {
  outbox: EventOutbox;
  link: Pick<DoorLink, 'connected' | 'publishEvent'>;
  logger: Logger;
  pace?: DeliveryPace;
  clock?: () => number;
  /** How long to wait for an acknowledgement before trying again. */
  publishTimeoutMs?: number;
  /** Pause after a failed publish. */
  retryMs?: number;
  /** Told once the queue drained after it had to drop events because it was full. */
  onOverflowDrained?: (dropped: number) => void;
}

export class EventDelivery {
  private draining = false;
  private running = true;
  private wakeTimer: NodeJS.Timeout | null = null;
  private tokens: number;
  private lastRefill: number;
  private readonly pace: DeliveryPace;
  private readonly clock: () => number;
  private readonly log: Logger;

  constructor(private readonly options: EventDeliveryOptions) {
    this.pace = options.pace ?? DEFAULT_DELIVERY_PACE;
    this.clock = options.clock ?? Date.now;
    this.tokens = this.pace.burst;
    this.lastRefill = this.clock();
    this.log = options.logger.child({ component: 'event-delivery' });
  }

  /** Starts draining if there is something to send and the link is up; safe to call any time. */
  kick(): void {
    if (!this.running || this.draining || this.wakeTimer) return;
    void this.drain();
  }

  start(): void {
    this.running = true;
    this.kick();
  }

  stop(): void {
    this.running = false;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
  }

  private wakeAfter(ms: number): void {
    if (this.wakeTimer || !this.running) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.kick();
    }, ms);
  }

  private refill(): void {
    const now = this.clock();
    this.tokens = Math.min(this.pace.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.pace.ratePerSec);
    this.lastRefill = now;
  }

  private async drain(): Promise<void> {
    const { outbox, link } = this.options;
    this.draining = true;
    try {
      while (this.running && link.connected && outbox.size > 0) {
        this.refill();
        if (this.tokens < 1) {
          this.wakeAfter(Math.ceil(((1 - this.tokens) / this.pace.ratePerSec) * 1000));
          return;
        }
        const event = outbox.peek()!;
        try {
          await withTimeout(link.publishEvent(event), this.options.publishTimeoutMs ?? 30_000);
        } catch (err) {
          this.log.warn({ err, eventId: event.eventId, queued: outbox.size }, 'event delivery failed; will retry');
          this.wakeAfter(this.options.retryMs ?? 5_000);
          return;
        }
        this.tokens -= 1;
        const dropped = outbox.dropped;
        outbox.ack(event.eventId);
        if (outbox.size === 0 && dropped > 0) this.options.onOverflowDrained?.(dropped);
      }
    } catch (err) {
      // A disk error in ack(): keep the door running; the event stays queued and is resent.
      this.log.error({ err }, 'outbox failed; will retry');
      this.wakeAfter(this.options.retryMs ?? 5_000);
    } finally {
      this.draining = false;
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no acknowledgement within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
