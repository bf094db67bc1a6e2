/**
 * One place that turns errors into answers: 4xx with a clear message (JSON for scripts, a page for
 * browsers), 500 with a generic message and the real cause in the log only.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FacegateError } from '../../../lib/errors.js';
import { HttpError } from '../errors.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { wantsHtml } from '../request-context.js';

const STATUS_BY_CODE: Record<string, number> = {
  invalid_input: 400,
  bad_request: 400,
  not_found: 404,
  conflict: 409,
  bad_image: 422,
  photo_rejected: 422,
};

export interface HttpProblem {
  statusCode: number;
  error: string;
  message: string;
}

export function toProblem(err: FastifyError | Error): HttpProblem {
  const e = err as FastifyError & { validationContext?: string };
  if (e.validation) {
    return {
      statusCode: 400,
      error: 'bad_request',
      message: `invalid ${e.validationContext ?? 'input'}: ${e.message}`,
    };
  }
  if (err instanceof HttpError) return { statusCode: err.statusCode, error: err.code, message: err.message };
  if (err instanceof FacegateError && STATUS_BY_CODE[err.code]) {
    return { statusCode: STATUS_BY_CODE[err.code]!, error: err.code, message: err.message };
  }
  if (e.statusCode === 429)
    return { statusCode: 429, error: 'rate_limited', message: 'too many attempts; wait a minute and try again' };
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return { statusCode: e.statusCode, error: e.code ?? 'bad_request', message: e.message };
  }
  return { statusCode: 500, error: 'internal', message: 'something went wrong on our side; the error was logged' };
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: HttpProblem): FastifyReply {
  reply.code(problem.statusCode);
  if (wantsHtml(request) && !request.url.startsWith('/api/')) {
    const csrfToken = reply.generateCsrf();
    const body = html`<section class="card narrow"><h1>${problem.statusCode === 404 ? 'Not found' : 'Request refused'}</h1>
      <p class="error-text">${problem.message}</p>
      <p>${problem.statusCode === 401 ? html`<a class="button primary" href="/login">Sign in</a>` : html`<a href="/">Back to the dashboard</a>`}</p></section>`;
    return reply
      .type('text/html; charset=utf-8')
      .send(page({ title: 'Error', body, username: request.admin?.username ?? null, csrfToken }));
  }
  return reply.send(problem);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const problem = toProblem(err);
    if (problem.statusCode >= 500) request.log.error({ err }, 'request failed');
    else
      request.log.warn({ code: problem.error, status: problem.statusCode, reason: problem.message }, 'request refused');
    return sendProblem(request, reply, problem);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, { statusCode: 404, error: 'not_found', message: 'there is no such page' }),
  );
}
