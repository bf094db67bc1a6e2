/** A real pino logger (with the project's redaction) whose JSON lines the test can read. */
import { createRootLogger, type Logger } from '../../../lib/logger.js';

export interface CapturedLogs {
  logger: Logger;
  lines: Record<string, unknown>[];
  /** All output as text, for "never logs X" checks. */
  text(): string;
}

export function captureLogger(): CapturedLogs {
  const raw: string[] = [];
  const logger = createRootLogger({
    name: 'test',
    level: 'debug',
    destination: { write: (s: string) => void raw.push(s) },
  });
  return {
    logger,
    get lines() {
      return raw.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    text: () => raw.join(''),
  };
}
