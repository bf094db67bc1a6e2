/**
 * systemd's notify protocol (sd_notify) for the agent: READY=1 once the door is locked and the
 * agent runs, WATCHDOG=1 from the main loop. Node cannot send a unix datagram itself, so this runs
 * `systemd-notify` (the unit sets NotifyAccess=all so systemd accepts it from a child). Without
 * NOTIFY_SOCKET (not under systemd) there is no notifier and nothing is sent.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface SdNotifier {
  notify(...assignments: string[]): Promise<void>;
}

type Env = Record<string, string | undefined>;
export type ExecFile = (file: string, args: string[], options: { timeout: number }) => Promise<unknown>;

const execFileAsync: ExecFile = promisify(execFile);

export function systemdNotifier(env: Env = process.env, run: ExecFile = execFileAsync): SdNotifier | null {
  if (!env.NOTIFY_SOCKET) return null;
  return {
    async notify(...assignments) {
      // systemd-notify waits until systemd has read the message (a barrier), so it is not lost as from a dead PID.
      await run('systemd-notify', assignments, { timeout: 10_000 });
    },
  };
}

/**
 * How often to feed the watchdog: half of WatchdogSec (systemd passes it as WATCHDOG_USEC), as
 * sd_watchdog_enabled(3) advises; null when systemd asked for no watchdog or for another process.
 */
export function watchdogIntervalMs(env: Env = process.env, pid = process.pid): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.WATCHDOG_USEC || !Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(100, Math.floor(usec / 1000 / 2));
}
