/**
 * On AWS, door telemetry is applied by a Lambda straight to DynamoDB, so the admin site's process
 * never sees it happen. This poller reads the doors table every few seconds and publishes each
 * door whose live state changed into the process's door feed (what the live view subscribes to).
 * A few seconds of delay is fine for a status page; it costs one Scan of a small table per tick.
 */
import type { Logger } from '../../../../lib/logger.js';
import type { Door } from '../../domain/types.js';
import type { Records } from '../../ports/records.js';

export interface DoorStatePollerOptions {
  records: Pick<Records, 'listDoors'>;
  /** Called with each door whose state changed since the previous poll. */
  publish: (door: Door) => void;
  intervalMs: number;
  logger: Logger;
}

/** The fields whose change the admin site shows. */
function stateOf(door: Door): string {
  return JSON.stringify([
    door.name,
    door.enabled,
    door.online,
    door.lock,
    door.lastSeenAt,
    door.agentVersion,
    door.pulseMs,
  ]);
}

export class DoorStatePoller {
  private readonly log: Logger;
  private known: Map<string, string> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly options: DoorStatePollerOptions) {
    if (!(options.intervalMs >= 500)) throw new RangeError('intervalMs must be at least 500');
    this.log = options.logger.child({ component: 'door-state-poller' });
  }

  /** Reads the doors once; the first read only sets the baseline. Returns the doors published. */
  async pollOnce(): Promise<Door[]> {
    const doors = await this.options.records.listDoors();
    const next = new Map(doors.map((d) => [d.doorId, stateOf(d)]));
    const changed = this.known === null ? [] : doors.filter((d) => this.known!.get(d.doorId) !== next.get(d.doorId));
    this.known = next;
    for (const door of changed) {
      try {
        this.options.publish(door);
      } catch (err) {
        this.log.warn({ err, doorId: door.doorId }, 'door change listener failed');
      }
    }
    return changed;
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.running = this.pollOnce()
        .catch((err: unknown) => this.log.warn({ err }, 'door state poll failed; trying again next tick'))
        .finally(() => {
          this.running = null;
          if (this.timer) this.timer = setTimeout(tick, this.options.intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
