/**
 * A real logger (the project's root logger, redaction included) whose lines a test can read: lets a
 * test wait for the event that proves its case ("the second connection attempt failed") instead of
 * sleeping and asserting that nothing happened.
 */
import { createRootLogger, type Logger } from '../../lib/logger.js';

export interface CapturedLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface CaptureLogger {
  logger: Logger;
  lines: CapturedLine[];
  /** How many lines so far carry exactly this message. */
  count(msg: string): number;
}

export function captureLogger(level = 'debug'): CaptureLogger {
  const lines: CapturedLine[] = [];
  const logger = createRootLogger({
    name: 'test',
    level,
    destination: { write: (chunk: string) => void lines.push(JSON.parse(chunk) as CapturedLine) },
  });
  return { logger, lines, count: (msg) => lines.filter((l) => l.msg === msg).length };
}
