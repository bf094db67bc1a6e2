/**
 * Doors: list with live state, add (the single-file bundle downloaded once), remote unlock with a
 * reason; disable, revoke, renew and delete are in door-admin.ts.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminApp } from '../zod-type-provider.js';
import { formInt } from '../form-fields.js';
import { MAX_PULSE_MS, MIN_PULSE_MS } from '../../../protocol/limits.js';
import { DOOR_ID_PATTERN } from '../../../protocol/topics.js';
import type { RouteDeps } from './route-deps.js';
import { html, type SafeHtml } from '../html.js';
import { formatTime, page } from '../layout.js';
import { actorOf, noStore } from '../request-context.js';
import { DOOR_ID_HTML_PATTERN, doorIdParams } from '../ids.js';
import { notFound } from '../errors.js';
import { doorAlarms } from '../views/door-alarms.js';
import { doorView } from '../views/door-view.js';
import { wiringFieldset, wiringFormFields, wiringFromForm } from '../views/wiring-fields.js';
import { describeWiring } from '../../../cloud/src/domain/door-wiring.js';
import { eventRow } from './dashboard.js';
import {
  DOOR_ADMIN_FLASH,
  csrFrom,
  csrField,
  doorAdminCard,
  doorAdminRoutes,
  sendBundle,
  type DoorAdminFlash,
} from './door-admin.js';

const unlockBody = z.object({ reason: z.string().min(3).max(200) });

const doorPageFlash = z.enum(['unlocked', ...(Object.keys(DOOR_ADMIN_FLASH) as DoorAdminFlash[])]);

function sendPage(request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml, flash?: string | null) {
  return noStore(reply)
    .type('text/html; charset=utf-8')
    .send(
      page({
        title,
        body,
        username: request.admin!.username,
        csrfToken: reply.generateCsrf(),
        section: 'doors',
        flash: flash ? { kind: 'ok', text: flash } : null,
        scripts: ['dashboard.js'],
      }),
    );
}

export async function doorRoutes(app: AdminApp, deps: RouteDeps): Promise<void> {
  const { services } = deps;

  app.get(
    '/doors',
    { schema: { querystring: z.object({ flash: z.literal('deleted').optional() }) } },
    async (request, reply) => {
      const doors = await services.doors.list();
      const csrfToken = reply.generateCsrf();
      const body = html`<h1>Doors</h1>
      ${doorAlarms(doors, csrfToken, 'doors')}
      ${
        doors.length
          ? html`<table class="table" id="doors-table"><thead><tr><th>Door</th><th>Connection</th><th>Lock</th><th>Last seen</th><th>Agent</th></tr></thead><tbody>
          ${doors.map(
            (d) => html`<tr data-door-id="${d.doorId}">
              <td data-label="Door"><a href="/doors/${d.doorId}">${d.name}</a> <span class="muted small">${d.doorId}</span>${d.enabled ? '' : html` <span class="badge off">Disabled</span>`}</td>
              <td data-label="Connection"><span class="badge ${d.online ? 'ok' : 'off'}" data-field="online">${d.online ? 'Online' : 'Offline'}</span></td>
              <td data-label="Lock"><span class="lock lock-${d.lock}" data-field="lock">${d.lock === 'unlocked' ? 'Unlocked' : d.lock === 'locked' ? 'Locked' : 'Unknown'}</span></td>
              <td data-label="Last seen" data-field="lastSeenAt">${formatTime(d.lastSeenAt)}</td>
              <td data-label="Agent">${d.agentVersion ?? '—'}</td>
            </tr>`,
          )}</tbody></table>`
          : html`<p class="empty">No doors yet.</p>`
      }
      <section class="card"><h2>Add a door</h2>
        <p class="muted small">Adding a door issues its certificate and downloads its bundle: one file that <code>facegate agent --config</code> and the door kit take. Without a certificate request the bundle holds the door's private key, which is not kept here: store the file safely and copy it only to the door. A door whose certificates were revoked can be added again under the same id.</p>
        <form method="post" action="/doors" class="stack">
          <input type="hidden" name="_csrf" value="${csrfToken}">
          <div class="row">
            <div><label for="doorId">Door id (a-z, 0-9, -)</label><input id="doorId" name="doorId" required maxlength="64" pattern="${DOOR_ID_HTML_PATTERN}" placeholder="front-door"></div>
            <div><label for="door-name">Name</label><input id="door-name" name="name" required maxlength="100" placeholder="Front door"></div>
            <div><label for="pulseMs">Unlock time (ms)</label><input id="pulseMs" name="pulseMs" type="number" min="${MIN_PULSE_MS}" max="${MAX_PULSE_MS}" value="3000"></div>
          </div>
          ${wiringFieldset('add')}
          <label for="door-csr">The door's certificate request (optional; PEM from <code>facegate door-key</code>: the private key then never leaves the door)</label>
          <textarea id="door-csr" name="csr" rows="3" maxlength="16384" placeholder="-----BEGIN CERTIFICATE REQUEST-----"></textarea>
          <button type="submit" class="primary">Add door and download bundle</button>
        </form></section>`;
      return sendPage(
        request,
        reply,
        'Doors',
        body,
        request.query.flash ? 'Door deleted; its audit events stay in the log.' : null,
      );
    },
  );

  app.post(
    '/doors',
    {
      schema: {
        body: z.object({
          doorId: z.string().regex(DOOR_ID_PATTERN),
          name: z.string().min(1).max(100),
          pulseMs: formInt(MIN_PULSE_MS, MAX_PULSE_MS),
          csr: csrField,
          ...wiringFormFields,
        }),
      },
    },
    async (request, reply) => {
      const { doorId, name, pulseMs } = request.body;
      const csrPem = csrFrom(request.body);
      const wiring = wiringFromForm(request.body);
      const { door, bundle } = await services.doors.create(
        { doorId, name: name.trim(), pulseMs, ...(wiring && { wiring }) },
        actorOf(request),
        csrPem === undefined ? {} : { csrPem },
      );
      request.log.info({ doorId: door.doorId }, 'door provisioned; bundle downloaded');
      return sendBundle(reply, bundle);
    },
  );

  app.get(
    '/doors/:doorId',
    {
      schema: {
        params: doorIdParams,
        querystring: z.object({ flash: doorPageFlash.optional() }),
      },
    },
    async (request, reply) => {
      const door = await services.doors.get(request.params.doorId);
      if (!door) throw notFound('no such door');
      const wired = deps.virtualDoor?.doorId !== door.doorId;
      const [recent, certificates] = await Promise.all([
        services.events.list({ doorId: door.doorId, limit: 20 }),
        services.doors.certificates(door.doorId),
      ]);
      const body = html`<div class="page-head"><h1>${door.name}</h1><span class="muted">${door.doorId}</span></div>
        <div class="two-col">
          <section class="card" data-door-id="${door.doorId}"><h2>State</h2>
            <dl class="facts">
              <dt>Connection</dt><dd><span class="badge ${door.online ? 'ok' : 'off'}" data-field="online">${door.online ? 'Online' : 'Offline'}</span></dd>
              <dt>Lock</dt><dd><span class="lock lock-${door.lock}" data-field="lock">${door.lock === 'unlocked' ? 'Unlocked' : door.lock === 'locked' ? 'Locked' : 'Unknown'}</span></dd>
              <dt>Last seen</dt><dd data-field="lastSeenAt">${formatTime(door.lastSeenAt)}</dd>
              <dt>Agent version</dt><dd>${door.agentVersion ?? '—'}</dd>
              <dt>Unlock time</dt><dd>${door.pulseMs} ms</dd>
              <dt>Wiring</dt><dd data-field="wiring">${wired ? describeWiring(door.wiring) : 'none: the virtual door runs in this site (browser webcam, simulated relay)'}</dd>
              <dt>Enabled</dt><dd>${door.enabled ? 'Yes' : 'No'}</dd>
            </dl></section>
          <section class="card"><h2>Remote unlock</h2>
            <form method="post" action="/doors/${door.doorId}/unlock" class="stack">
              <input type="hidden" name="_csrf" value="${reply.generateCsrf()}">
              <label for="reason">Reason (kept in the audit log)</label>
              <input id="reason" name="reason" required minlength="3" maxlength="200" placeholder="Courier delivery">
              <button type="submit" class="primary">Unlock now</button>
            </form></section>
          ${doorAdminCard(door, certificates, reply.generateCsrf(), Date.now(), wired)}
        </div>
        <h2>Recent activity</h2>
        ${
          recent.events.length
            ? html`<table class="table"><thead><tr><th>Time</th><th>Door</th><th>Person</th><th>Result</th></tr></thead><tbody>${recent.events.map(eventRow)}</tbody></table>`
            : html`<p class="empty">Nothing yet.</p>`
        }`;
      const flash = request.query.flash;
      return sendPage(
        request,
        reply,
        door.name,
        body,
        flash === 'unlocked' ? 'Unlock sent to the door.' : flash ? DOOR_ADMIN_FLASH[flash] : null,
      );
    },
  );

  app.post(
    '/doors/:doorId/unlock',
    {
      schema: {
        params: doorIdParams,
        body: unlockBody,
      },
    },
    async (request, reply) => {
      if (!(await services.doors.get(request.params.doorId))) throw notFound('no such door');
      await services.doors.remoteUnlock(request.params.doorId, request.body.reason.trim(), actorOf(request));
      return reply.redirect(`/doors/${request.params.doorId}?flash=unlocked`, 303);
    },
  );

  // ---- JSON API ----
  app.get('/api/doors', async (_request, reply) => {
    noStore(reply);
    return { doors: (await services.doors.list()).map(doorView) };
  });

  app.post('/api/doors/:doorId/unlock', { schema: { params: doorIdParams, body: unlockBody } }, async (request) => {
    if (!(await services.doors.get(request.params.doorId))) throw notFound('no such door');
    return services.doors.remoteUnlock(request.params.doorId, request.body.reason.trim(), actorOf(request));
  });

  await doorAdminRoutes(app, deps);
}
