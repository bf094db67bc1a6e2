/**
 * Managing a door over its life, from its page: disable / enable, revoke its certificates, renew
 * (download the bundle with the next certificate, optionally signed from the door's own request),
 * delete. Revoke and delete ask for a ticked confirmation; every form carries the CSRF token.
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AdminApp } from '../zod-type-provider.js';
import type { RouteDeps } from './route-deps.js';
import { html, type SafeHtml } from '../html.js';
import { formatDate } from '../layout.js';
import { actorOf, noStore } from '../request-context.js';
import { doorIdParams } from '../ids.js';
import { ALARM_PAGES } from '../views/door-alarms.js';
import { notFound } from '../errors.js';
import type { DoorCertificateInfo } from '../../../cloud/src/ports/door-provisioner.js';
import { doorBundleFileName } from '../../../cloud/src/app/door-bundle.js';
import type { DoorBundle } from '../../../cloud/src/app/services.js';
import type { Door } from '../../../cloud/src/domain/types.js';
import { wiringFieldset, wiringFormFields, wiringFromForm } from '../views/wiring-fields.js';

const DAY_MS = 86_400_000;
/** The door page warns when the newest certificate expires sooner than this. */
const EXPIRY_WARNING_DAYS = 30;

/** A pasted PEM request (the service checks its content); empty means "the back end makes the key". */
export const csrField = z.string().max(16_384).optional();

/** Sends a bundle file as a download; no-store, since it may hold the door's private key. */
export function sendBundle(reply: FastifyReply, bundle: DoorBundle) {
  return noStore(reply)
    .type('application/json; charset=utf-8')
    .header('content-disposition', `attachment; filename="${doorBundleFileName(bundle.credentials.doorId)}"`)
    .send(`${JSON.stringify(bundle.file, null, 2)}\n`);
}

/** The CSR text a form sent, or undefined when the field was left empty. */
export function csrFrom(body: { csr?: string }): string | undefined {
  const text = body.csr?.trim();
  return text ? text : undefined;
}

function certificateFacts(certificates: DoorCertificateInfo[], now: number): SafeHtml {
  if (certificates.length === 0) return html`<p class="muted" data-field="certificate">No certificate.</p>`;
  return html`<table class="table" data-field="certificates"><thead><tr><th>Certificate</th><th>Status</th><th>Expires</th></tr></thead><tbody>
    ${certificates.map((c) => {
      const daysLeft = Math.floor((c.notAfter - now) / DAY_MS);
      const soon = c.status === 'active' && daysLeft < EXPIRY_WARNING_DAYS;
      return html`<tr data-status="${c.status}">
        <td data-label="Certificate"><code>${c.id.slice(0, 16)}</code></td>
        <td data-label="Status"><span class="badge ${c.status === 'active' ? (soon ? 'warn' : 'ok') : c.status === 'revoked' ? 'bad' : 'off'}">${c.status}</span></td>
        <td data-label="Expires" data-field="notAfter">${c.notAfter > 0 ? html`${formatDate(c.notAfter)} <span class="muted small">(${daysLeft >= 0 ? `in ${daysLeft} days` : 'expired'})</span>` : '—'}</td>
      </tr>`;
    })}</tbody></table>`;
}

/** The door page's "Certificate and access" card. */
export function doorAdminCard(
  door: Door,
  certificates: DoorCertificateInfo[],
  csrfToken: string,
  now: number,
  /** False for the virtual door: it runs inside this site, with no Pi and no wires. */
  wired = true,
): SafeHtml {
  const id = door.doorId;
  const csrf = html`<input type="hidden" name="_csrf" value="${csrfToken}">`;
  return html`<section class="card danger-zone" id="door-admin"><h2>Certificate and access</h2>
    ${certificateFacts(certificates, now)}
    <form method="post" action="/doors/${id}/${door.enabled ? 'disable' : 'enable'}" class="stack">${csrf}
      <p class="muted small">${door.enabled ? 'A disabled door stays connected, but its frames are refused and logged, and it cannot be unlocked remotely.' : 'This door is disabled: its frames are refused.'}</p>
      <button type="submit" id="door-toggle">${door.enabled ? 'Disable door' : 'Enable door'}</button>
    </form>
    <form method="post" action="/doors/${id}/renew" class="stack">${csrf}
      <label for="renew-csr">Renew: the door's certificate request (optional; PEM, made on the door with <code>facegate door-key</code>)</label>
      <textarea id="renew-csr" name="csr" rows="3" maxlength="16384" placeholder="-----BEGIN CERTIFICATE REQUEST-----"></textarea>
      ${wired ? wiringFieldset('renew', door.wiring) : ''}
      <button type="submit" id="door-renew">Renew certificate and download bundle</button>
    </form>
    <form method="post" action="/doors/${id}/revoke" class="stack">${csrf}
      <label class="check"><input type="checkbox" name="confirm" value="revoke" required id="confirm-revoke"> Cut this door off now: it is disconnected and its certificates never work again</label>
      <button type="submit" class="danger" id="door-revoke">Revoke certificates</button>
    </form>
    <form method="post" action="/doors/${id}/delete" class="stack">${csrf}
      <label class="check"><input type="checkbox" name="confirm" value="delete" required id="confirm-delete"> Delete this door: certificates and live state are removed; its audit events stay</label>
      <button type="submit" class="danger" id="door-delete">Delete door</button>
    </form>
  </section>`;
}

export const DOOR_ADMIN_FLASH = {
  disabled: 'Door disabled: its frames are refused and logged.',
  enabled: 'Door enabled.',
  revoked:
    'Certificates revoked: the door was disconnected and cannot connect with them again. Renew to give it a new one.',
} as const;
export type DoorAdminFlash = keyof typeof DOOR_ADMIN_FLASH;

export async function doorAdminRoutes(app: AdminApp, deps: RouteDeps): Promise<void> {
  const { services } = deps;
  const mustExist = async (doorId: string) => {
    if (!(await services.doors.get(doorId))) throw notFound('no such door');
  };

  for (const action of ['disable', 'enable'] as const) {
    app.post(
      `/doors/:doorId/${action}`,
      { schema: { params: doorIdParams, body: z.object({}) } },
      async (request, reply) => {
        await mustExist(request.params.doorId);
        await services.doors.setEnabled(request.params.doorId, action === 'enable', actorOf(request));
        return reply.redirect(`/doors/${request.params.doorId}?flash=${action}d`, 303);
      },
    );
  }

  // Acknowledging clears the alert (logged with who); a door still open raises it again on its next event.
  app.post(
    '/doors/:doorId/alarm/acknowledge',
    { schema: { params: doorIdParams, body: z.object({ back: z.enum(ALARM_PAGES).optional() }) } },
    async (request, reply) => {
      await mustExist(request.params.doorId);
      await services.doors.acknowledgeAlarm(request.params.doorId, actorOf(request));
      return reply.redirect(request.body.back === 'doors' ? '/doors' : '/', 303);
    },
  );

  app.post(
    '/doors/:doorId/revoke',
    {
      schema: {
        params: doorIdParams,
        body: z.object({ confirm: z.literal('revoke') }),
      },
    },
    async (request, reply) => {
      await mustExist(request.params.doorId);
      await services.doors.revoke(request.params.doorId, actorOf(request));
      return reply.redirect(`/doors/${request.params.doorId}?flash=revoked`, 303);
    },
  );

  app.post(
    '/doors/:doorId/renew',
    { schema: { params: doorIdParams, body: z.object({ csr: csrField, ...wiringFormFields }) } },
    async (request, reply) => {
      await mustExist(request.params.doorId);
      const csrPem = csrFrom(request.body);
      const wiring = wiringFromForm(request.body);
      const { bundle } = await services.doors.renew(request.params.doorId, actorOf(request), {
        ...(csrPem !== undefined && { csrPem }),
        ...(wiring && { wiring }),
      });
      request.log.info({ doorId: request.params.doorId }, 'door certificate renewed; bundle downloaded');
      return sendBundle(reply, bundle);
    },
  );

  app.post(
    '/doors/:doorId/delete',
    {
      schema: {
        params: doorIdParams,
        body: z.object({ confirm: z.literal('delete') }),
      },
    },
    async (request, reply) => {
      await mustExist(request.params.doorId);
      await services.doors.remove(request.params.doorId, actorOf(request));
      return reply.redirect('/doors?flash=deleted', 303);
    },
  );
}
