/** Sign-in (public, rate-limited) and sign-out. */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AdminApp } from '../zod-type-provider.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { SESSION_COOKIE } from '../plugins/auth.js';
import { dummyPasswordHash, MAX_PASSWORD_LENGTH, verifyPassword } from '../users/password.js';
import type { AdminUserStore } from '../users/admin-user-store.js';
import type { OneTimePasswordDrop } from '../users/one-time-password-drop.js';
import type { SessionManager } from '../users/sessions.js';
import { wantsHtml } from '../request-context.js';

export interface SignInDeps {
  users: AdminUserStore;
  sessions: SessionManager;
  cookieSecure: boolean;
  /** Attempts per IP per minute on POST /login. */
  loginRateLimit: number;
  oneTimePasswords?: OneTimePasswordDrop;
}

/** Only same-site absolute paths: an open redirect would make the sign-in page a phishing tool. */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?!\/)[A-Za-z0-9\-._~/?=&%]*$/.test(next) && !next.includes('\\') ? next : '/';
}

function signInPage(csrfToken: string, next: string, error?: string): string {
  const body = html`<section class="card narrow signin">
    <h1>Sign in</h1>
    ${error ? html`<p class="flash flash-error" role="alert">${error}</p>` : ''}
    <form method="post" action="/login" class="stack">
      <input type="hidden" name="_csrf" value="${csrfToken}">
      <input type="hidden" name="next" value="${next}">
      <label for="username">Username</label>
      <input id="username" name="username" autocomplete="username" required maxlength="64" autofocus>
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="${MAX_PASSWORD_LENGTH}">
      <button type="submit" class="primary">Sign in</button>
    </form>
    <p class="muted small">First start? Sign in as <strong>admin</strong> with the one-time password printed in the terminal
      or written to <code>one-time-password-admin.txt</code> in the data directory when it runs as a service
      (or run <code>facegate admin reset-password admin</code>).</p>
  </section>`;
  return page({ title: 'Sign in', body, username: null, csrfToken });
}

export function setSessionCookie(reply: FastifyReply, id: string, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
}

export async function signInRoutes(app: AdminApp, deps: SignInDeps): Promise<void> {
  app.get(
    '/login',
    {
      schema: { querystring: z.object({ next: z.string().max(512).optional() }) },
    },
    async (request, reply) => {
      const next = safeNext(request.query.next);
      // Already signed in (a bookmark, the back button): go where they were headed.
      if (await deps.sessions.resolve(request.cookies[SESSION_COOKIE])) return reply.redirect(next, 303);
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(signInPage(reply.generateCsrf(), next));
    },
  );

  app.post(
    '/login',
    {
      config: { rateLimit: { max: deps.loginRateLimit, timeWindow: 60_000 } },
      schema: {
        body: z.object({
          username: z.string().min(1).max(64),
          password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
          next: z.string().max(512).optional(),
        }),
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const user = await deps.users.findByUsername(username.trim().toLowerCase());
      // Verify against a dummy hash for unknown users so the response time does not reveal them.
      const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
      if (!user || !ok) {
        request.log.warn({ username: username.slice(0, 64) }, 'sign-in failed');
        reply.code(401);
        if (wantsHtml(request)) {
          return reply
            .type('text/html; charset=utf-8')
            .send(signInPage(reply.generateCsrf(), safeNext(request.body.next), 'Incorrect username or password.'));
        }
        return { statusCode: 401, error: 'unauthorized', message: 'incorrect username or password' };
      }
      const { id } = await deps.sessions.start(user.username, request.cookies[SESSION_COOKIE]);
      await deps.users.recordLogin(user.username, Date.now());
      setSessionCookie(reply, id, deps.cookieSecure);
      request.log.info({ username: user.username }, 'signed in');
      // The one-time password has done its job: it must not lie around (a file, an SSM parameter).
      if (await deps.oneTimePasswords?.remove(user.username)) {
        request.log.info({ username: user.username }, 'one-time password removed');
      }
      return reply.redirect(user.mustChangePassword ? '/account/password' : safeNext(request.body.next), 303);
    },
  );
}

/** Sign-out lives in the protected scope: it needs a session and a CSRF token like any other change. */
export async function signOutRoutes(app: AdminApp, deps: Pick<SignInDeps, 'sessions' | 'cookieSecure'>): Promise<void> {
  // No body schema: a form sends only _csrf, a script may send nothing (token in the header).
  app.post('/logout', async (request, reply) => {
    await deps.sessions.destroy(request.admin!.sessionId);
    reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: deps.cookieSecure, path: '/' });
    request.log.info({ username: request.admin!.username }, 'signed out');
    return reply.redirect('/login', 303);
  });
}
