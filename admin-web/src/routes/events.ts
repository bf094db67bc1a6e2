/** Access log: filters (door, person, result, time), snapshot thumbnails, CSV export, JSON API. */
import { z } from 'zod';
import type { AdminApp } from '../zod-type-provider.js';
import type { AuditEvent, EventFilter } from '../../../cloud/src/domain/types.js';
import type { RouteDeps } from './route-deps.js';
import { html } from '../html.js';
import { formatTime, page } from '../layout.js';
import { noStore } from '../request-context.js';
import { DOOR_ID_PATTERN } from '../../../protocol/topics.js';
import { ENTITY_ID, isStoreKey, STORE_KEY } from '../ids.js';
import { badRequest, notFound } from '../errors.js';
import { DATE_TIME_SOURCE, parseSiteDate } from '../dates.js';
import { formInt } from '../form-fields.js';
import { csvRow } from '../csv.js';
import { eventDetailText } from '../door-event-text.js';
import { siteIso, siteTimeZone } from '../site-time.js';

const DATE_TIME = new RegExp(DATE_TIME_SOURCE);

/** The log's filters; '' is what a form's "any" option sends. */
const logQuery = z.object({
  door: z.string().regex(DOOR_ID_PATTERN).or(z.literal('')).optional(),
  person: z.string().regex(ENTITY_ID).or(z.literal('')).optional(),
  result: z.enum(['granted', 'denied', '']).optional(),
  from: z.string().regex(DATE_TIME).optional(),
  to: z.string().regex(DATE_TIME).optional(),
  cursor: z
    .string()
    .max(512)
    .regex(/^[A-Za-z0-9_=:.,+/-]*$/)
    .optional(),
});
type LogQuery = z.output<typeof logQuery>;

/** Most exports are a day or a week; this bounds one request's work. */
const MAX_CSV_ROWS = 50_000;

function toFilter(q: LogQuery): EventFilter {
  // On the site zone's clock, like every time the log shows: from=2026-12-05 is that day's start there.
  const from = parseSiteDate('from', q.from);
  const to = parseSiteDate('to', q.to, true);
  if (from !== null && to !== null && from > to) throw badRequest('to: must be on or after from');
  const filter: EventFilter = {};
  if (q.door) filter.doorId = q.door;
  if (q.person) filter.personId = q.person;
  if (q.result) filter.result = q.result;
  if (from !== null) filter.from = from;
  if (to !== null) filter.to = to;
  if (q.cursor) filter.cursor = q.cursor;
  return filter;
}

function describe(e: AuditEvent): string {
  if (e.kind === 'access') return e.result === 'granted' ? 'Entry' : 'Denied';
  return e.kind.replace(/_/g, ' ');
}

function snapshotUrl(key: string): string {
  return `/snapshots?key=${encodeURIComponent(key)}`;
}

export async function eventRoutes(app: AdminApp, deps: RouteDeps): Promise<void> {
  const { services } = deps;

  app.get('/events', { schema: { querystring: logQuery } }, async (request, reply) => {
    const q = request.query;
    const [{ events, cursor }, doors, people] = await Promise.all([
      services.events.list({ ...toFilter(q), limit: 100 }),
      services.doors.list(),
      services.people.list(),
    ]);
    const params = new URLSearchParams(
      Object.entries(q).filter((e): e is [string, string] => Boolean(e[1]) && e[0] !== 'cursor'),
    );
    const body = html`<div class="page-head"><h1>Access log</h1><a class="button" href="/events.csv?${params.toString()}" download>Export CSV</a></div>
      <form method="get" action="/events" class="filters">
        <div class="field"><label for="f-door">Door</label>
        <select id="f-door" name="door"><option value="">All doors</option>
          ${doors.map((d) => html`<option value="${d.doorId}" ${q.door === d.doorId ? html`selected` : ''}>${d.name}</option>`)}</select></div>
        <div class="field"><label for="f-person">Person</label>
        <select id="f-person" name="person"><option value="">Everyone</option>
          ${people.map((p) => html`<option value="${p.personId}" ${q.person === p.personId ? html`selected` : ''}>${p.name}</option>`)}</select></div>
        <div class="field"><label for="f-result">Result</label>
        <select id="f-result" name="result"><option value="">Any</option>
          <option value="granted" ${q.result === 'granted' ? html`selected` : ''}>Granted</option>
          <option value="denied" ${q.result === 'denied' ? html`selected` : ''}>Denied</option></select></div>
        <div class="field"><label for="f-from">From (${siteTimeZone()})</label><input id="f-from" name="from" type="datetime-local" value="${q.from ?? ''}"></div>
        <div class="field"><label for="f-to">To (${siteTimeZone()})</label><input id="f-to" name="to" type="datetime-local" value="${q.to ?? ''}"></div>
        <div class="field actions"><button type="submit">Filter</button></div>
      </form>
      ${
        events.length
          ? html`<table class="table log" id="events-table"><thead><tr><th>Snapshot</th><th>Time</th><th>Door</th><th>Person</th><th>Result</th><th>Details</th></tr></thead><tbody>
          ${events.map(
            (e) => html`<tr>
              <td data-label="Snapshot">${e.snapshotKey ? html`<a href="${snapshotUrl(e.snapshotKey)}"><img class="thumb" src="${snapshotUrl(e.snapshotKey)}" alt="Door snapshot" width="64" height="48" loading="lazy"></a>` : html`<span class="muted">—</span>`}</td>
              <td data-label="Time">${formatTime(e.at)}</td>
              <td data-label="Door">${e.doorId ?? '—'}</td>
              <td data-label="Person">${e.personId && e.personName ? html`<a href="/people/${e.personId}">${e.personName}</a>` : (e.personName ?? '—')}</td>
              <td data-label="Result"><span class="badge ${e.result === 'granted' ? 'ok' : e.result === 'denied' ? 'bad' : 'info'}">${describe(e)}</span></td>
              <td data-label="Details" class="small">${[e.reason && e.reason !== 'match' ? e.reason.replace(/_/g, ' ') : null, e.score !== null ? `score ${e.score.toFixed(2)}` : null, e.actor ? `by ${e.actor}` : null, eventDetailText(e)].filter(Boolean).join(' · ')}</td>
            </tr>`,
          )}</tbody></table>
          ${cursor ? html`<p><a class="button" href="/events?${params.toString()}&cursor=${encodeURIComponent(cursor)}">Older entries →</a></p>` : ''}`
          : html`<p class="empty">No entries match.</p>`
      }`;
    return noStore(reply)
      .type('text/html; charset=utf-8')
      .send(
        page({
          title: 'Access log',
          body,
          username: request.admin!.username,
          csrfToken: reply.generateCsrf(),
          section: 'events',
        }),
      );
  });

  app.get('/events.csv', { schema: { querystring: logQuery } }, async (request, reply) => {
    const filter = toFilter(request.query);
    let out = csvRow([
      'time_utc',
      'kind',
      'door',
      'person_id',
      'person',
      'result',
      'reason',
      'score',
      'actor',
      'detail',
      'event_id',
    ]);
    let cursor: string | undefined = filter.cursor;
    let rows = 0;
    do {
      const page = await services.events.list({ ...filter, cursor, limit: 1000 });
      for (const e of page.events) {
        out += csvRow([
          siteIso(e.at),
          e.kind,
          e.doorId,
          e.personId,
          e.personName,
          e.result,
          e.reason,
          e.score,
          e.actor,
          e.detail,
          e.eventId,
        ]);
      }
      rows += page.events.length;
      cursor = page.cursor ?? undefined;
    } while (cursor && rows < MAX_CSV_ROWS);
    return noStore(reply)
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="facegate-access-log.csv"')
      .send(out);
  });

  app.get(
    '/snapshots',
    {
      schema: {
        querystring: z.object({ key: z.string().max(512).regex(STORE_KEY) }),
      },
    },
    async (request, reply) => {
      if (!isStoreKey(request.query.key)) throw badRequest('key: not a snapshot key');
      const snap = await services.events.getSnapshot(request.query.key);
      if (!snap) throw notFound('no such snapshot');
      return noStore(reply).type(snap.contentType).send(snap.bytes);
    },
  );

  app.get(
    '/api/events',
    {
      schema: {
        querystring: logQuery.extend({ limit: formInt(1, 1000) }),
      },
    },
    async (request, reply) => {
      noStore(reply);
      return services.events.list({ ...toFilter(request.query), limit: request.query.limit ?? 100 });
    },
  );
}
