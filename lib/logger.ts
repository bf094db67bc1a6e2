/**
 * One root pino logger per process; components take `logger.child({ component })` and requests
 * or doors add their own bindings. Secrets and image bytes are redacted wherever they appear.
 */
import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'privateKeyPem',
  '*.privateKeyPem',
  'key',
  '*.key',
  'jpeg',
  '*.jpeg',
  'token',
  '*.token',
  'cookie',
  '*.cookie',
  'req.headers.cookie',
  'req.headers.authorization',
  'headers.cookie',
  'headers.authorization',
];

export interface RootLoggerOptions {
  name: string;
  level?: string;
  /** Human-friendly output on a terminal; JSON lines otherwise (and always in CI/tests). */
  pretty?: boolean;
  destination?: pino.DestinationStream;
}

export function createRootLogger(options: RootLoggerOptions): Logger {
  const level = options.level ?? process.env.FACEGATE_LOG_LEVEL ?? 'info';
  const base: LoggerOptions = {
    name: options.name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.errWithCause },
  };
  if (options.destination) return pino(base, options.destination);
  const pretty = options.pretty ?? (process.stdout.isTTY && !process.env.CI);
  if (pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        // One line per entry: a multi-line object per log call scrolls the start banner away.
        options: { colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname', singleLine: true },
      },
    });
  }
  return pino(base);
}

/** A logger that drops everything, for tests that do not read logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
