/** People: search, add, edit, deactivate, erase (pages and JSON API), and their enrolled photos. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Door, Person } from '../../../cloud/src/domain/types.js';
import type { RouteDeps } from '../app.js';
import { html } from '../html.js';
import { formatDate, formatTime, page } from '../layout.js';
import { actorOf, noStore } from '../request-context.js';
import { ENTITY_ID_SOURCE, personIdParams } from '../ids.js';
import { notFound } from '../errors.js';
import { personBodyProperties, toPersonFields, toPersonPatch, type PersonBody } from '../person-input.js';
import { enrollPanel } from './enrollment.js';

type PersonParams = { personId: string };

const searchQuery = {
  type: 'object',
  properties: {
    q: { type: 'string', maxLength: 100 },
    status: { type: 'string', enum: ['active', 'inactive', ''] },
    flash: { type: 'string', enum: ['created', 'saved', 'erased', 'enrolled'] },
  },
} as const;

const FLASH: Record<string, string> = {
  created: 'Person added. Now enroll one to five photos of their face.',
  saved: 'Changes saved.',
  enrolled: 'Photos enrolled: this person can now be recognised at the doors they may use.',
  erased: 'Person erased: faces, photos, snapshots and their name in the log are gone.',
};

function validity(p: Person): string {
  if (p.validFrom === null && p.validUntil === null) return 'Always';
  return `${p.validFrom !== null ? formatDate(p.validFrom) : '…'} → ${p.validUntil !== null ? formatDate(p.validUntil) : '…'}`;
}

function personForm(action: string, doors: Door[], p: Partial<Person> | null, csrfToken: string, submit: string) {
  const some = Array.isArray(p?.allowedDoors);
  return html`<form method="post" action="${action}" class="stack person-form">
    <input type="hidden" name="_csrf" value="${csrfToken}">
    <label for="name">Full name</label>
    <input id="name" name="name" required maxlength="100" value="${p?.name ?? ''}" autocomplete="off">
    <div class="row">
      <div><label for="validFrom">Access from (optional)</label>
        <input id="validFrom" name="validFrom" type="date" value="${formatDate(p?.validFrom ?? null)}"></div>
      <div><label for="validUntil">Access until (optional)</label>
        <input id="validUntil" name="validUntil" type="date" value="${formatDate(p?.validUntil ?? null)}"></div>
    </div>
    <fieldset><legend>Doors</legend>
      <label class="check"><input type="radio" name="access" value="all" ${some ? '' : html`checked`}> Every door</label>
      <label class="check"><input type="radio" name="access" value="some" ${some ? html`checked` : ''}> Only these doors:</label>
      <div class="door-checks">
        ${
          doors.length
            ? doors.map(
                (d) =>
                  html`<label class="check"><input type="checkbox" name="doors" value="${d.doorId}" ${p?.allowedDoors?.includes(d.doorId) ? html`checked` : ''}> ${d.name}</label>`,
              )
            : html`<span class="muted small">No doors yet.</span>`
        }
      </div>
    </fieldset>
    ${
      p?.status
        ? html`<label for="status">Status</label>
        <select id="status" name="status">
          <option value="active" ${p.status === 'active' ? html`selected` : ''}>Active</option>
          <option value="inactive" ${p.status === 'inactive' ? html`selected` : ''}>Deactivated (no access)</option>
        </select>`
        : ''
    }
    <button type="submit" class="primary">${submit}</button>
  </form>`;
}

async function loadPerson(deps: RouteDeps, personId: string) {
  const person = await deps.services.people.get(personId);
  if (!person) throw notFound('no such person');
  return person;
}

function sendPage(
  request: FastifyRequest,
  reply: FastifyReply,
  title: string,
  body: ReturnType<typeof html>,
  flash?: string | null,
  scripts?: string[],
) {
  return noStore(reply)
    .type('text/html; charset=utf-8')
    .send(
      page({
        title,
        body,
        username: request.admin!.username,
        csrfToken: reply.generateCsrf(),
        section: 'people',
        flash: flash ? { kind: 'ok', text: flash } : null,
        scripts,
      }),
    );
}

export async function peopleRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { services } = deps;

  // ---- pages ----
  app.get<{ Querystring: { q?: string; status?: 'active' | 'inactive' | ''; flash?: string } }>(
    '/people',
    { schema: { querystring: searchQuery } },
    async (request, reply) => {
      const { q, status, flash } = request.query;
      const people = await services.people.list({ search: q || undefined, status: status || undefined });
      const body = html`<div class="page-head"><h1>People</h1><a class="button primary" href="/people/new">Add person</a></div>
        <form method="get" action="/people" class="filters" role="search">
          <div class="field wide"><label for="q">Search by name</label><input id="q" name="q" type="search" value="${q ?? ''}" maxlength="100"></div>
          <div class="field"><label for="status">Status</label>
          <select id="status" name="status">
            <option value="">Any</option>
            <option value="active" ${status === 'active' ? html`selected` : ''}>Active</option>
            <option value="inactive" ${status === 'inactive' ? html`selected` : ''}>Deactivated</option>
          </select></div>
          <div class="field actions"><button type="submit">Search</button></div>
        </form>
        ${
          people.length
            ? html`<table class="table" id="people-table"><thead><tr><th>Name</th><th>Status</th><th>Access</th><th>Photos</th></tr></thead><tbody>
            ${people.map(
              (p) => html`<tr>
                <td data-label="Name"><a href="/people/${p.personId}">${p.name}</a></td>
                <td data-label="Status"><span class="badge ${p.status === 'active' ? 'ok' : 'off'}">${p.status === 'active' ? 'Active' : 'Deactivated'}</span></td>
                <td data-label="Access">${validity(p)}${p.allowedDoors ? html` · ${p.allowedDoors.length} door(s)` : ''}</td>
                <td data-label="Photos">${p.faceCount === 0 ? html`<span class="badge warn">None</span>` : p.faceCount}</td>
              </tr>`,
            )}</tbody></table>`
            : html`<p class="empty">${q ? 'No one matches that search.' : 'No one is enrolled yet.'}</p>`
        }`;
      return sendPage(request, reply, 'People', body, flash ? FLASH[flash] : null);
    },
  );

  app.get('/people/new', async (request, reply) => {
    const doors = await services.doors.list();
    const body = html`<section class="card"><h1>Add a person</h1>${personForm('/people', doors, null, reply.generateCsrf(), 'Add and continue to photos')}</section>`;
    return sendPage(request, reply, 'Add person', body);
  });

  app.post<{ Body: PersonBody }>(
    '/people',
    { schema: { body: { type: 'object', required: ['name'], properties: personBodyProperties } } },
    async (request, reply) => {
      const fields = await toPersonFields(request.body, services, true);
      const person = await services.people.create(fields, actorOf(request));
      return reply.redirect(`/people/${person.personId}?flash=created`, 303);
    },
  );

  app.get<{ Params: PersonParams; Querystring: { flash?: string } }>(
    '/people/:personId',
    {
      schema: {
        params: personIdParams,
        querystring: { type: 'object', properties: { flash: searchQuery.properties.flash } },
      },
    },
    async (request, reply) => {
      const person = await loadPerson(deps, request.params.personId);
      const doors = await services.doors.list();
      const csrfToken = reply.generateCsrf();
      const body = html`<div class="page-head"><h1>${person.name}</h1>
          <span class="badge ${person.status === 'active' ? 'ok' : 'off'}">${person.status === 'active' ? 'Active' : 'Deactivated'}</span></div>
        <div class="two-col">
          <section class="card"><h2>Details</h2>${personForm(`/people/${person.personId}`, doors, person, csrfToken, 'Save changes')}
            <p class="muted small">Added ${formatTime(person.createdAt)} · updated ${formatTime(person.updatedAt)}</p></section>
          <section class="card"><h2>Face photos</h2>
            ${
              person.faces.length
                ? html`<div class="photo-grid">${person.faces.map(
                    (f) =>
                      html`<img src="/people/${person.personId}/faces/${f.faceId}/photo" alt="Enrolled photo of ${person.name}" width="120" height="120" loading="lazy">`,
                  )}</div>`
                : html`<p class="empty">No photo enrolled: this person cannot open any door yet.</p>`
            }
            ${enrollPanel(person.personId)}
          </section>
        </div>
        <section class="card danger-zone"><h2>Erase</h2>
          <p>Erasing removes this person's faces, photos and door snapshots and their name from the access log. It cannot be undone.</p>
          <a class="button danger" href="/people/${person.personId}/erase">Erase ${person.name}…</a></section>`;
      const flash = request.query.flash ? FLASH[request.query.flash] : null;
      return sendPage(request, reply, person.name, body, flash, ['enroll.js']);
    },
  );

  app.post<{ Params: PersonParams; Body: PersonBody }>(
    '/people/:personId',
    {
      schema: {
        params: personIdParams,
        body: { type: 'object', required: ['name'], properties: personBodyProperties },
      },
    },
    async (request, reply) => {
      await loadPerson(deps, request.params.personId);
      const fields = await toPersonFields(request.body, services);
      await services.people.update(request.params.personId, fields, actorOf(request));
      return reply.redirect(`/people/${request.params.personId}?flash=saved`, 303);
    },
  );

  app.get<{ Params: PersonParams }>(
    '/people/:personId/erase',
    { schema: { params: personIdParams } },
    async (request, reply) => {
      const person = await loadPerson(deps, request.params.personId);
      const body = html`<section class="card narrow danger-zone"><h1>Erase ${person.name}?</h1>
      <p>This deletes ${person.faces.length} enrolled face(s) and photo(s), every door snapshot of this person, and their name in the access log. An audit entry records that you did it.</p>
      <form method="post" action="/people/${person.personId}/erase" class="stack">
        <input type="hidden" name="_csrf" value="${reply.generateCsrf()}">
        <label class="check"><input type="checkbox" name="confirm" value="erase" required id="confirm-erase"> I understand this cannot be undone</label>
        <div class="button-row"><button type="submit" class="danger">Erase permanently</button>
          <a class="button" href="/people/${person.personId}">Cancel</a></div>
      </form></section>`;
      return sendPage(request, reply, `Erase ${person.name}`, body);
    },
  );

  app.post<{ Params: PersonParams; Body: { confirm: 'erase' } }>(
    '/people/:personId/erase',
    {
      schema: {
        params: personIdParams,
        body: {
          type: 'object',
          required: ['confirm'],
          properties: { confirm: { type: 'string', const: 'erase' }, _csrf: { type: 'string', maxLength: 256 } },
        },
      },
    },
    async (request, reply) => {
      await loadPerson(deps, request.params.personId);
      await services.people.erase(request.params.personId, actorOf(request));
      return reply.redirect('/people?flash=erased', 303);
    },
  );

  // Photos only by (person, face) pairs that exist in the records: never a key or path from the URL.
  app.get<{ Params: PersonParams & { faceId: string } }>(
    '/people/:personId/faces/:faceId/photo',
    {
      schema: {
        params: {
          type: 'object',
          required: ['personId', 'faceId'],
          properties: {
            personId: { type: 'string', pattern: ENTITY_ID_SOURCE },
            faceId: { type: 'string', pattern: ENTITY_ID_SOURCE },
          },
        },
      },
    },
    async (request, reply) => {
      const person = await loadPerson(deps, request.params.personId);
      const face = person.faces.find((f) => f.faceId === request.params.faceId);
      if (!face) throw notFound('no such photo');
      const photo = await services.enrollment.getPhoto(face.photoKey);
      if (!photo) throw notFound('photo not found');
      return noStore(reply).type(photo.contentType).send(photo.bytes);
    },
  );

  // ---- JSON API ----
  app.get<{ Querystring: { q?: string; status?: 'active' | 'inactive' | '' } }>(
    '/api/people',
    { schema: { querystring: searchQuery } },
    async (request, reply) => {
      noStore(reply);
      return {
        people: await services.people.list({
          search: request.query.q || undefined,
          status: request.query.status || undefined,
        }),
      };
    },
  );

  app.post<{ Body: PersonBody }>(
    '/api/people',
    { schema: { body: { type: 'object', required: ['name'], properties: personBodyProperties } } },
    async (request, reply) => {
      const person = await services.people.create(await toPersonFields(request.body, services, true), actorOf(request));
      return reply.code(201).send({ person });
    },
  );

  app.patch<{ Params: PersonParams; Body: PersonBody }>(
    '/api/people/:personId',
    { schema: { params: personIdParams, body: { type: 'object', properties: personBodyProperties } } },
    async (request) => {
      await loadPerson(deps, request.params.personId);
      const person = await services.people.update(
        request.params.personId,
        await toPersonPatch(request.body, services),
        actorOf(request),
      );
      return { person };
    },
  );

  app.delete<{ Params: PersonParams; Body: { confirm: true } }>(
    '/api/people/:personId',
    {
      schema: {
        params: personIdParams,
        body: { type: 'object', required: ['confirm'], properties: { confirm: { type: 'boolean', const: true } } },
      },
    },
    async (request, reply) => {
      await loadPerson(deps, request.params.personId);
      await services.people.erase(request.params.personId, actorOf(request));
      return reply.code(204).send();
    },
  );
}
