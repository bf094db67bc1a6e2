/**
 * CSRF tokens bound to the session they were issued to. A signed-in page gets
 * HMAC-SHA256(session id, "session"); the sign-in form, before any session exists, gets
 * HMAC-SHA256(pre-session id, "anonymous") with a random pre-session id in its own httpOnly cookie.
 *
 * Why not a secret in a cookie beside the session (the double-submit pattern): a page on another
 * port of the same host is "same-site", so it can plant cookies for this host (cookies ignore
 * ports). It fetched a token pair from the public sign-in page, planted it, and posted a remote
 * unlock as the signed-in admin. A token derived from the session id cannot be made without that
 * id, which is httpOnly and never leaves the server in a page; a token from the sign-in page, or
 * from another session, never matches. The tokens need no key of their own (nothing to keep
 * across restarts) and reveal nothing about the id they come from.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import { SESSION_COOKIE } from './auth.js';

export const PRESESSION_COOKIE = 'fg_presession';
const PRESESSION_PATTERN = /^[A-Za-z0-9_-]{43}$/;

declare module 'fastify' {
  interface FastifyReply {
    /** The CSRF token for this request's session (or pre-session, minted on demand) to put in the page. */
    generateCsrf(): string;
  }
  interface FastifyRequest {
    /** A pre-session id minted while answering this request (so every token in one page agrees). */
    mintedPresession: string | null;
  }
}

type Binding = { kind: 'session' | 'anonymous'; id: string };

export function csrfTokenFor(binding: Binding): string {
  return createHmac('sha256', binding.id).update(`facegate-csrf-v1:${binding.kind}`).digest('base64url');
}

/**
 * What the token must be bound to: the session the auth gate resolved, else the pre-session.
 * Routes outside the protected scope (only sign-in) never see `request.admin`, so a signed-in
 * browser's sign-in form is still bound to its pre-session, as it was when the page was served.
 */
function bindingOf(request: FastifyRequest): Binding | null {
  if (request.admin) return { kind: 'session', id: request.admin.sessionId };
  const pre = request.mintedPresession ?? request.cookies[PRESESSION_COOKIE];
  return pre && PRESESSION_PATTERN.test(pre) ? { kind: 'anonymous', id: pre } : null;
}

function tokenSent(request: FastifyRequest): string | undefined {
  const header = request.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  const body = request.body as { _csrf?: unknown } | undefined;
  return body && typeof body === 'object' && typeof body._csrf === 'string' ? body._csrf : undefined;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const csrfRefused = () =>
  new HttpError(403, 'csrf', 'missing or invalid CSRF token; reload the page and try again');

export interface CsrfOptions {
  cookieSecure: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Registered on the root instance (not encapsulated): the check covers every route of the site. */
export function installCsrf(app: FastifyInstance, options: CsrfOptions): void {
  app.decorateRequest('mintedPresession', null);
  app.decorateReply('generateCsrf', function generateCsrf(this: FastifyReply): string {
    const request = this.request;
    let binding = bindingOf(request);
    if (!binding) {
      const id = randomBytes(32).toString('base64url');
      request.mintedPresession = id;
      this.setCookie(PRESESSION_COOKIE, id, {
        httpOnly: true,
        sameSite: 'strict',
        secure: options.cookieSecure,
        path: '/',
      });
      binding = { kind: 'anonymous', id };
    }
    return csrfTokenFor(binding);
  });

  // preValidation: after the auth gate (onRequest) has attached the session and the form body is
  // parsed, but before schema validation, so a forged request learns nothing from a 400.
  app.addHook('preValidation', async (request) => {
    if (SAFE_METHODS.has(request.method)) return;
    const binding = bindingOf(request);
    const sent = tokenSent(request);
    if (!binding || !sent || !sameToken(sent, csrfTokenFor(binding))) {
      request.log.warn(
        {
          binding: binding?.kind ?? 'none',
          sent: sent !== undefined,
          hasSessionCookie: SESSION_COOKIE in request.cookies,
        },
        'CSRF token refused',
      );
      throw csrfRefused();
    }
  });
}
