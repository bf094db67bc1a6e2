/** People: search, add, edit, deactivate, erase (pages and JSON API), and their enrolled photos. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDeps } from './route-deps.js';
import type { SafeHtml } from '../html.js';
import { page } from '../layout.js';
import { actorOf, noStore } from '../request-context.js';
import { ENTITY_ID_SOURCE, personIdParams } from '../ids.js';
import { notFound } from '../errors.js';
import { personBodyProperties, toPersonFields, toPersonPatch, type PersonBody } from '../person-input.js';
import { enrollPanel } from './enrollment.js';
import {
  PEOPLE_FLASH,
  eraseConfirmBody,
  newPersonBody,
  peopleListBody,
  personBody,
  type PeopleFlash,
} from '../views/people-pages.js';

type PersonParams = { personId: string };

const searchQuery = {
  type: 'object',
  properties: {
    q: { type: 'string', maxLength: 100 },
    status: { type: 'string', enum: ['active', 'inactive', ''] },
    flash: { type: 'string', enum: ['created', 'saved', 'erased', 'enrolled'] },
  },
} as const;

async function loadPerson(deps: RouteDeps, personId: string) {
  const person = await deps.services.people.get(personId);
  if (!person) throw notFound('no such person');
  return person;
}

function sendPage(
  request: FastifyRequest,
  reply: FastifyReply,
  title: string,
  body: SafeHtml,
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
  app.get<{ Querystring: { q?: string; status?: 'active' | 'inactive' | ''; flash?: PeopleFlash } }>(
    '/people',
    { schema: { querystring: searchQuery } },
    async (request, reply) => {
      const { q, status, flash } = request.query;
      const people = await services.people.list({ search: q || undefined, status: status || undefined });
      const body = peopleListBody(people, q, status);
      return sendPage(request, reply, 'People', body, flash ? PEOPLE_FLASH[flash] : null);
    },
  );

  app.get('/people/new', async (request, reply) => {
    const doors = await services.doors.list();
    const body = newPersonBody(doors, reply.generateCsrf());
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

  app.get<{ Params: PersonParams; Querystring: { flash?: PeopleFlash } }>(
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
      const body = personBody(person, doors, reply.generateCsrf(), enrollPanel(person.personId));
      const flash = request.query.flash ? PEOPLE_FLASH[request.query.flash] : null;
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
      const body = eraseConfirmBody(person, reply.generateCsrf());
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
