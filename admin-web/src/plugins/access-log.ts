/**
 * Requests are logged as one line each, at debug level: at the default level (info) a terminal
 * shows the start banner and what happens at the doors, not every page and asset fetched.
 * Failures still appear at their own level (the error handler logs 5xx as errors, refusals as warnings).
 * FACEGATE_LOG_LEVEL=debug turns the access log on.
 */
import type { FastifyInstance } from 'fastify';

export function installAccessLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    // Fastify's logger type omits isLevelEnabled; its level is enough to skip building the line.
    if (request.log.level !== 'debug' && request.log.level !== 'trace') return;
    // The path only: query strings can carry search terms, and ids are enough to follow a request.
    const pathOnly = request.url.split('?')[0];
    request.log.debug(
      { method: request.method, url: pathOnly, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      `${request.method} ${pathOnly} ${reply.statusCode} ${Math.round(reply.elapsedTime)} ms`,
    );
  });
}
