/**
 * Request logging (issue 10 item 8): at the default level a request writes nothing, so the start
 * banner and its one-time password stay on screen; at debug level each request is one line.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../support/capture-logger.js';
import { buildHarness, type Harness } from './support/harness.js';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function requestsLoggedAt(level: string) {
  const log = captureLogger(level);
  harness = await buildHarness({ logger: log.logger });
  const before = log.lines.length;
  for (const url of ['/login', '/assets/app.css', '/healthz', '/people?search=ada']) {
    await harness.app.inject({ method: 'GET', url });
  }
  return log.lines.slice(before);
}

describe('admin site request log', () => {
  it('writes no line for ordinary requests at the default level (info)', async () => {
    expect(await requestsLoggedAt('info')).toEqual([]);
  });

  it('writes exactly one line per request at debug level, without the query string (assets: none)', async () => {
    const lines = await requestsLoggedAt('debug');
    // Assets log at warn only (their route's logLevel): a page load is one line, not five.
    expect(lines.map((l) => l.msg.replace(/\d+ ms$/, 'N ms'))).toEqual([
      'GET /login 200 N ms',
      'GET /healthz 200 N ms',
      'GET /people 401 N ms',
    ]);
    expect(lines.every((l) => l.level === 20)).toBe(true);
  });
});
