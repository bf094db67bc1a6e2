/** Dashboard: doors with live online/lock state (SSE) and today's entries and denials. */
import { z } from 'zod';
import type { AdminApp } from '../zod-type-provider.js';
import type { AuditEvent, Door } from '../../../cloud/src/domain/types.js';
import type { RouteDeps } from './route-deps.js';
import { html } from '../html.js';
import { formatTime, page } from '../layout.js';
import { noStore } from '../request-context.js';
import { openSse } from '../sse.js';
import { doorAlarms } from '../views/door-alarms.js';
import { doorView } from '../views/door-view.js';
import { eventDetailText } from '../door-event-text.js';
import { siteStartOfDay } from '../site-time.js';

export function doorCard(d: Door) {
  return html`<article class="door-card" data-door-id="${d.doorId}">
    <header><h3><a href="/doors/${d.doorId}">${d.name}</a></h3>
      <span class="badge ${d.online ? 'ok' : 'off'}" data-field="online">${d.online ? 'Online' : 'Offline'}</span></header>
    <p class="lock lock-${d.lock}" data-field="lock">${d.lock === 'unlocked' ? 'Unlocked' : d.lock === 'locked' ? 'Locked' : 'Unknown'}</p>
    <p class="muted small">Last seen <span data-field="lastSeenAt">${formatTime(d.lastSeenAt)}</span></p>
  </article>`;
}

export function eventRow(e: AuditEvent) {
  const label = e.kind === 'access' ? (e.result === 'granted' ? 'Entry' : 'Denied') : e.kind.replace(/_/g, ' ');
  return html`<tr>
    <td data-label="Time">${formatTime(e.at)}</td>
    <td data-label="Door">${e.doorId ?? '—'}</td>
    <td data-label="Person">${e.personName ?? (e.kind !== 'access' ? '—' : e.result === 'denied' ? 'Unknown face' : 'Erased person')}</td>
    <td data-label="Result"><span class="badge ${e.result === 'granted' ? 'ok' : e.result === 'denied' ? 'bad' : 'info'}">${label}</span>
      ${e.reason && e.reason !== 'match' ? html`<span class="muted small">${e.reason.replace(/_/g, ' ')}</span>` : ''}
      ${e.kind !== 'access' && eventDetailText(e) ? html`<span class="muted small" data-field="detail">${eventDetailText(e)}</span>` : ''}</td>
  </tr>`;
}

/** Today's access decisions (the site zone's day), newest first, with the entry and denial counts. */
async function today(deps: RouteDeps): Promise<{ events: AuditEvent[]; entries: number; denials: number }> {
  const { events } = await deps.services.events.list({ kind: 'access', from: siteStartOfDay(Date.now()), limit: 1000 });
  return {
    events,
    entries: events.filter((e) => e.result === 'granted').length,
    denials: events.filter((e) => e.result === 'denied').length,
  };
}

export async function dashboardRoutes(app: AdminApp, deps: RouteDeps): Promise<void> {
  // The dashboard's counters refresh from here (polled, and after each door change).
  app.get('/api/dashboard/today', async (_request, reply) => {
    const { entries, denials } = await today(deps);
    noStore(reply);
    return { entries, denials };
  });

  app.get(
    '/',
    {
      schema: { querystring: z.object({ flash: z.literal('password-changed').optional() }) },
    },
    async (request, reply) => {
      const [doors, { events: todays, entries, denials }] = await Promise.all([
        deps.services.doors.list(),
        today(deps),
      ]);
      const online = doors.filter((d) => d.online).length;
      const csrfToken = reply.generateCsrf();
      const body = html`<h1>Dashboard</h1>
      ${doorAlarms(doors, csrfToken, 'dashboard')}
      <section class="stats" aria-label="Today">
        <div class="stat"><span class="stat-value" id="stat-entries">${entries}</span><span class="stat-label">Entries today</span></div>
        <div class="stat"><span class="stat-value" id="stat-denials">${denials}</span><span class="stat-label">Denials today</span></div>
        <div class="stat"><span class="stat-value" id="stat-online">${online}/${doors.length}</span><span class="stat-label">Doors online</span></div>
      </section>
      <h2>Doors <span class="live" id="live-indicator" aria-live="polite">live</span></h2>
      ${
        doors.length
          ? html`<section class="door-grid" id="door-grid">${doors.map(doorCard)}</section>`
          : html`<p class="empty">No doors yet. <a href="/doors">Add a door</a> or try the <a href="/virtual-door">virtual door</a>.</p>`
      }
      <h2>Latest today</h2>
      ${
        todays.length
          ? html`<table class="table"><thead><tr><th>Time</th><th>Door</th><th>Person</th><th>Result</th></tr></thead>
          <tbody>${todays.slice(0, 10).map(eventRow)}</tbody></table>
          <p><a href="/events">Full access log →</a></p>`
          : html`<p class="empty">No one has come to a door today.</p>`
      }`;
      return noStore(reply)
        .type('text/html; charset=utf-8')
        .send(
          page({
            title: 'Dashboard',
            body,
            username: request.admin!.username,
            csrfToken,
            section: 'dashboard',
            scripts: ['dashboard.js'],
            flash: request.query.flash
              ? { kind: 'ok', text: 'Password changed. Every other session was signed out.' }
              : null,
          }),
        );
    },
  );

  // Live door changes for the dashboard and the doors page.
  app.get('/stream/doors', async (request, reply) => {
    const stream = openSse(request, reply);
    for (const d of await deps.services.doors.list()) stream.send('door', doorView(d));
    const unsubscribe = deps.services.doors.subscribe((d) => stream.send('door', doorView(d)));
    stream.onClose(unsubscribe);
  });
}
