/** Change password (forced after a one-time password). Ends every other session of the account. */
import { z } from 'zod';
import type { AdminApp } from '../zod-type-provider.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from '../users/password.js';
import { judgePassword } from '../users/password-strength.js';
import type { AdminUserStore } from '../users/admin-user-store.js';
import type { SessionManager } from '../users/sessions.js';
import { noStore, wantsHtml } from '../request-context.js';
import { setSessionCookie } from './sign-in.js';
import { badRequest } from '../errors.js';

interface Deps {
  users: AdminUserStore;
  sessions: SessionManager;
  cookieSecure: boolean;
  /** Attempts per IP per minute, as for sign-in: the current password must not be guessable here either. */
  rateLimit: number;
}

const passwordBody = z.object({
  current: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  password: z.string().max(MAX_PASSWORD_LENGTH),
  confirm: z.string().max(MAX_PASSWORD_LENGTH),
});

function passwordPage(username: string, csrfToken: string, forced: boolean, error?: string): string {
  const body = html`<section class="card narrow">
    <h1>Choose a new password</h1>
    ${forced ? html`<p>You signed in with a one-time password. Choose your own to continue.</p>` : ''}
    ${error ? html`<p class="flash flash-error" role="alert">${error}</p>` : ''}
    <form method="post" action="/account/password" class="stack">
      <input type="hidden" name="_csrf" value="${csrfToken}">
      <label for="current">Current password</label>
      <input id="current" name="current" type="password" autocomplete="current-password" required maxlength="${MAX_PASSWORD_LENGTH}">
      <label for="password">New password (at least ${MIN_PASSWORD_LENGTH} characters)</label>
      <p class="muted small" id="password-hint">Common passwords, names, repeats and keyboard runs are refused. A few unrelated words make a strong password that is easy to remember.</p>
      <input id="password" name="password" type="password" autocomplete="new-password" aria-describedby="password-hint" required minlength="${MIN_PASSWORD_LENGTH}" maxlength="${MAX_PASSWORD_LENGTH}">
      <label for="confirm">New password again</label>
      <input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}" maxlength="${MAX_PASSWORD_LENGTH}">
      <button type="submit" class="primary">Save password</button>
    </form>
  </section>`;
  return page({ title: 'Change password', body, username, csrfToken, section: 'account' });
}

export async function accountRoutes(app: AdminApp, deps: Deps): Promise<void> {
  app.get('/account/password', async (request, reply) => {
    const admin = request.admin!;
    return noStore(reply)
      .type('text/html; charset=utf-8')
      .send(passwordPage(admin.username, reply.generateCsrf(), admin.mustChangePassword));
  });

  app.post(
    '/account/password',
    {
      config: { rateLimit: { max: deps.rateLimit, timeWindow: 60_000 } },
      schema: { body: passwordBody },
    },
    async (request, reply) => {
      const admin = request.admin!;
      const { current, password, confirm } = request.body;
      const user = await deps.users.findByUsername(admin.username);
      let problem: string | null = null;
      if (!user || !(await verifyPassword(current, user.passwordHash))) {
        problem = 'The current password is not correct.';
        request.log.warn({ username: admin.username }, 'password change refused: wrong current password');
      } else if (password !== confirm) problem = 'The two new passwords differ.';
      else if (password === current) problem = 'The new password must differ from the current one.';
      else {
        const verdict = judgePassword(password, [admin.username]);
        if (!verdict.ok) problem = verdict.message;
      }
      if (problem) {
        if (!wantsHtml(request)) throw badRequest(problem);
        return reply
          .code(400)
          .type('text/html; charset=utf-8')
          .send(passwordPage(admin.username, reply.generateCsrf(), admin.mustChangePassword, problem));
      }
      await deps.users.setPassword(admin.username, await hashPassword(password), false);
      // A new password ends every session, this one included; then a fresh one starts here.
      await deps.users.sessions.deleteForUser(admin.username);
      const { id } = await deps.sessions.start(admin.username);
      setSessionCookie(reply, id, deps.cookieSecure);
      request.log.info({ username: admin.username }, 'password changed');
      return reply.redirect('/?flash=password-changed', 303);
    },
  );
}
