/**
 * Feeds systemd's watchdog from the agent's main loop. A timer on the event loop sends WATCHDOG=1
 * every interval, but only while the health check passes: a stalled loop sends nothing because the
 * timer cannot run, and a hung agent (see agent-health.ts) sends nothing because the check fails.
 * Either way systemd sees no WATCHDOG=1 within WatchdogSec, kills the agent, runs ExecStopPost
 * (relay low) and restarts it.
 */
import type { Logger } from '../../../lib/logger.js';
import type { SdNotifier } from './sd-notify.js';

export interface LoopWatchdogOptions {
  intervalMs: number;
  notifier: SdNotifier;
  /** A problem in plain words, or null when healthy. */
  check: () => string | null;
  logger: Logger;
  clock?: () => number;
}

export class LoopWatchdog {
  private timer: NodeJS.Timeout | null = null;
  private pending = false;
  private lastProblem: string | null = null;
  private lastTick = 0;
  private readonly clock: () => number;
  private readonly log: Logger;

  constructor(private readonly options: LoopWatchdogOptions) {
    this.clock = options.clock ?? Date.now;
    this.log = options.logger.child({ component: 'watchdog' });
  }

  start(): void {
    if (this.timer) return;
    this.lastTick = this.clock();
    this.tick();
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One beat: check, then notify. Public so tests can drive it without timers. */
  tick(): void {
    const now = this.clock();
    const lag = now - this.lastTick - this.options.intervalMs;
    this.lastTick = now;
    if (lag > this.options.intervalMs) this.log.warn({ lagMs: lag }, 'main loop was stalled');
    let problem: string | null;
    try {
      problem = this.options.check();
    } catch (err) {
      problem = `health check failed: ${(err as Error).message}`;
    }
    if (problem) {
      if (problem !== this.lastProblem) this.log.error({ problem }, 'agent unhealthy: not feeding the watchdog');
      this.lastProblem = problem;
      return;
    }
    if (this.lastProblem) this.log.info('agent healthy again');
    this.lastProblem = null;
    if (this.pending) return; // the previous notify is still on its way; one is enough
    this.pending = true;
    this.options.notifier
      .notify('WATCHDOG=1')
      .catch((err) => this.log.warn({ err }, 'watchdog notify failed'))
      .finally(() => (this.pending = false));
  }
}
