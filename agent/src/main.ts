/**
 * Runs a door agent as a process: signals and exit codes only. SIGINT/SIGTERM stop it cleanly
 * (door locked, offline status published) and exit 0; an uncaught error locks the relay
 * synchronously and exits 1 (a supervisor such as systemd restarts it); on every exit the relay
 * is locked once more, synchronously, because that is the last code that runs.
 *
 * What a person must fix (a bad config, no GPIO, a certificate the broker keeps refusing) is one
 * plain sentence on stderr, no stack, and exit 78 (EX_CONFIG); the stack is logged at debug level.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRootLogger, type Logger } from '../../lib/logger.js';
import { createAgentFromConfig, type AgentRuntime } from './create-agent-from-config.js';
import { describeAgentFailure } from './startup-errors.js';
import { agentProblem } from './watchdog/agent-health.js';
import { LoopWatchdog } from './watchdog/loop-watchdog.js';
import { systemdNotifier, watchdogIntervalMs } from './watchdog/sd-notify.js';

export async function runAgent(
  configPath: string,
  logger: Logger = createRootLogger({ name: 'facegate-agent' }),
): Promise<AgentRuntime> {
  let runtime: AgentRuntime | null = null;
  let stopping = false;

  const crash = (kind: string) => (err: unknown) => {
    runtime?.relay.lockSync();
    logger.fatal({ err, kind }, 'agent crashed; door locked');
    process.exit(1);
  };
  process.on('uncaughtException', crash('uncaughtException'));
  process.on('unhandledRejection', crash('unhandledRejection'));
  process.on('exit', () => runtime?.relay.lockSync());

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping agent');
    const stop = runtime ? runtime.stop() : Promise.resolve();
    stop.then(
      () => process.exit(0),
      (err) => {
        runtime?.relay.lockSync();
        logger.error({ err }, 'agent did not stop cleanly; door locked');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  /** Locks, says in one sentence what a person must do, stops (bounded) and exits. */
  const stopFor = (err: unknown) => {
    runtime?.relay.lockSync();
    stopping = true;
    const { message, exitCode } = describeAgentFailure(err, configPath);
    logger.debug({ err }, 'agent stopped on an error');
    process.stderr.write(`facegate agent: ${message}\n`);
    const stop = runtime ? runtime.stop().catch(() => undefined) : Promise.resolve();
    void Promise.race([stop, new Promise((resolve) => setTimeout(resolve, 5000).unref())]).finally(() =>
      process.exit(exitCode),
    );
  };

  try {
    runtime = await createAgentFromConfig(configPath, logger);
    runtime.link.onRefused(stopFor);
    await runtime.agent.start();
  } catch (err) {
    stopFor(err);
    return new Promise<never>(() => undefined); // exits once stopped
  }
  startSystemdWatchdog(runtime, logger);
  return runtime;
}

/** Under systemd (Type=notify, WatchdogSec): READY=1 now that the door is locked, then WATCHDOG=1 while healthy. */
function startSystemdWatchdog(runtime: AgentRuntime, logger: Logger): void {
  const notifier = systemdNotifier();
  if (!notifier) return;
  notifier
    .notify('READY=1', `STATUS=door ${runtime.config.doorId}: agent running, door locked`)
    .catch((err) => logger.warn({ err }, 'systemd READY notify failed'));
  const intervalMs = watchdogIntervalMs();
  if (intervalMs === null) return;
  const agent = runtime.agent;
  new LoopWatchdog({ intervalMs, notifier, logger, check: () => agentProblem(agent.state, Date.now()) }).start();
  logger.info({ intervalMs }, 'feeding the systemd watchdog');
}

// Run directly: `node --import tsx agent/src/main.ts <config.json>`.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const configPath = process.argv[2];
  if (!configPath) {
    console.error('usage: main.ts AGENT_CONFIG.json');
    process.exit(2);
  }
  void runAgent(configPath);
}
