/**
 * Child process for the watchdog test: feeds a LoopWatchdog through the real `systemd-notify`,
 * then stalls its own event loop (a busy wait, as a hung native call or an endless loop would),
 * then runs normally again. argv: stall start (ms), stall length (ms), total run time (ms).
 */
import { silentLogger } from '../../../lib/logger.js';
import { LoopWatchdog } from '../../../agent/src/watchdog/loop-watchdog.js';
import { systemdNotifier, watchdogIntervalMs } from '../../../agent/src/watchdog/sd-notify.js';

const [stallAt, stallFor, runFor] = process.argv.slice(2).map(Number) as [number, number, number];
const notifier = systemdNotifier();
const intervalMs = watchdogIntervalMs();
if (!notifier || intervalMs === null) throw new Error('NOTIFY_SOCKET and WATCHDOG_USEC must be set');
const watchdog = new LoopWatchdog({ intervalMs, notifier, check: () => null, logger: silentLogger() });
watchdog.start();
setTimeout(() => {
  process.stdout.write(`stall ${Date.now()}\n`);
  const until = Date.now() + stallFor;
  while (Date.now() < until) {
    // the stalled main loop
  }
  process.stdout.write(`resume ${Date.now()}\n`);
}, stallAt);
setTimeout(() => {
  watchdog.stop();
  process.exit(0);
}, runFor);
