/**
 * Session gate for everything except sign-in, health and assets: resolves the session cookie,
 * attaches `request.admin`, and sends pages to sign-in (303) and scripts a 401. An account on
 * a one-time password can reach only the change-password page until it picks its own.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminUserStore } from '../users/admin-user-store.js';
import type { SessionManager } from '../users/sessions.js';
import { sendProblem } from './error-handler.js';
import { wantsHtml } from '../request-context.js';

export const SESSION_COOKIE = 'fg_session';

export interface AuthDeps {
  sessions: SessionManager;
  users: AdminUserStore;
}

const PASSWORD_CHANGE_PATHS = new Set(['/account/password', '/logout']);

export function requireSession(deps: AuthDeps) {
  return async function sessionGate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const sessionId = request.cookies[SESSION_COOKIE];
    const session = await deps.sessions.resolve(sessionId);
    const user = session ? await deps.users.findByUsername(session.username) : null;
    if (!session || !user || !sessionId) {
      if (request.method === 'GET' && wantsHtml(request)) {
        return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
      }
      return sendProblem(request, reply, { statusCode: 401, error: 'unauthorized', message: 'sign in first' });
    }
    request.admin = { username: user.username, mustChangePassword: user.mustChangePassword, sessionId };
    const path = request.url.split('?')[0]!;
    if (user.mustChangePassword && !PASSWORD_CHANGE_PATHS.has(path)) {
      if (request.method === 'GET' && wantsHtml(request)) return reply.redirect('/account/password', 303);
      return sendProblem(request, reply, {
        statusCode: 403,
        error: 'password_change_required',
        message: 'choose a new password first (/account/password)',
      });
    }
  };
}

/** Protected scopes register this to get the gate on every route they contain. */
export async function authPlugin(app: FastifyInstance, deps: AuthDeps): Promise<void> {
  app.addHook('onRequest', requireSession(deps));
}
