/** People: search, add, edit, deactivate, erase (pages and JSON API), and their enrolled photos. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminApp } from '../zod-type-provider.js';
import type { RouteDeps } from './route-deps.js';
import type { SafeHtml } from '../html.js';
import { page } from '../layout.js';
import { actorOf, noStore } from '../request-context.js';
import { ENTITY_ID, personIdParams } from '../ids.js';
import { notFound } from '../errors.js';
import { namedPersonBody, personBody, toPersonFields, toPersonPatch } from '../person-input.js';
import { enrollPanel } from './enrollment.js';
import {
  PEOPLE_FLASH,
  eraseConfirmBody,
  newPersonBody,
  peopleListBody,
  personPageBody,
  type PeopleFlash,
} from '../views/people-pages.js';

const flashQuery = z.enum(Object.keys(PEOPLE_FLASH) as [PeopleFlash, ...PeopleFlash[]]).optional();

const faceParams = z.object({ personId: z.string().regex(ENTITY_ID), faceId: z.string().regex(ENTITY_ID) });

const searchQuery = z.object({
  q: z.string().max(100).optional(),
  status: z.enum(['active', 'inactive', '']).optional(),
});

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

export async function peopleRoutes(app: AdminApp, deps: RouteDeps): Promise<void> {
  const { services } = deps;

  // ---- pages ----
  app.get('/people', { schema: { querystring: searchQuery.extend({ flash: flashQuery }) } }, async (request, reply) => {
    const { q, status, flash } = request.query;
    const people = await services.people.list({ search: q || undefined, status: status || undefined });
    const body = peopleListBody(people, q, status);
    return sendPage(request, reply, 'People', body, flash ? PEOPLE_FLASH[flash] : null);
  });

  app.get('/people/new', async (request, reply) => {
    const doors = await services.doors.list();
    const body = newPersonBody(doors, reply.generateCsrf());
    return sendPage(request, reply, 'Add person', body);
  });

  app.post('/people', { schema: { body: namedPersonBody } }, async (request, reply) => {
    const fields = await toPersonFields(request.body, services, true);
    const person = await services.people.create(fields, actorOf(request));
    return reply.redirect(`/people/${person.personId}?flash=created`, 303);
  });

  app.get(
    '/people/:personId',
    {
      schema: {
        params: personIdParams,
        querystring: z.object({ flash: flashQuery }),
      },
    },
    async (request, reply) => {
      const person = await loadPerson(deps, request.params.personId);
      const doors = await services.doors.list();
      const body = personPageBody(person, doors, reply.generateCsrf(), enrollPanel(person.personId));
      const flash = request.query.flash ? PEOPLE_FLASH[request.query.flash] : null;
      return sendPage(request, reply, person.name, body, flash, ['enroll.js']);
    },
  );

  app.post(
    '/people/:personId',
    { schema: { params: personIdParams, body: namedPersonBody } },
    async (request, reply) => {
      await loadPerson(deps, request.params.personId);
      const fields = await toPersonFields(request.body, services);
      await services.people.update(request.params.personId, fields, actorOf(request));
      return reply.redirect(`/people/${request.params.personId}?flash=saved`, 303);
    },
  );

  app.get('/people/:personId/erase', { schema: { params: personIdParams } }, async (request, reply) => {
    const person = await loadPerson(deps, request.params.personId);
    const body = eraseConfirmBody(person, reply.generateCsrf());
    return sendPage(request, reply, `Erase ${person.name}`, body);
  });

  app.post(
    '/people/:personId/erase',
    {
      schema: {
        params: personIdParams,
        body: z.object({ confirm: z.literal('erase') }),
      },
    },
    async (request, reply) => {
      await loadPerson(deps, request.params.personId);
      await services.people.erase(request.params.personId, actorOf(request));
      return reply.redirect('/people?flash=erased', 303);
    },
  );

  // One photo out (issue 10 item 5): its face leaves the index and the sealed photo is deleted.
  app.post('/people/:personId/faces/:faceId/remove', { schema: { params: faceParams } }, async (request, reply) => {
    await loadPerson(deps, request.params.personId);
    await services.people.removePhoto(request.params.personId, request.params.faceId, actorOf(request));
    return reply.redirect(`/people/${request.params.personId}?flash=photo-removed`, 303);
  });

  // Photos only by (person, face) pairs that exist in the records: never a key or path from the URL.
  app.get('/people/:personId/faces/:faceId/photo', { schema: { params: faceParams } }, async (request, reply) => {
    const person = await loadPerson(deps, request.params.personId);
    const face = person.faces.find((f) => f.faceId === request.params.faceId);
    if (!face) throw notFound('no such photo');
    const photo = await services.enrollment.getPhoto(face.photoKey);
    if (!photo) throw notFound('photo not found');
    return noStore(reply).type(photo.contentType).send(photo.bytes);
  });

  // ---- JSON API ----
  app.get('/api/people', { schema: { querystring: searchQuery } }, async (request, reply) => {
    noStore(reply);
    return {
      people: await services.people.list({
        search: request.query.q || undefined,
        status: request.query.status || undefined,
      }),
    };
  });

  app.post('/api/people', { schema: { body: namedPersonBody } }, async (request, reply) => {
    const person = await services.people.create(await toPersonFields(request.body, services, true), actorOf(request));
    return reply.code(201).send({ person });
  });

  app.patch('/api/people/:personId', { schema: { params: personIdParams, body: personBody } }, async (request) => {
    await loadPerson(deps, request.params.personId);
    const person = await services.people.update(
      request.params.personId,
      await toPersonPatch(request.body, services),
      actorOf(request),
    );
    return { person };
  });

  app.delete(
    '/api/people/:personId',
    {
      schema: {
        params: personIdParams,
        body: z.object({ confirm: z.literal(true) }),
      },
    },
    async (request, reply) => {
      await loadPerson(deps, request.params.personId);
      await services.people.erase(request.params.personId, actorOf(request));
      return reply.code(204).send();
    },
  );

  app.delete('/api/people/:personId/faces/:faceId', { schema: { params: faceParams } }, async (request, reply) => {
    await loadPerson(deps, request.params.personId);
    await services.people.removePhoto(request.params.personId, request.params.faceId, actorOf(request));
    return reply.code(204).send();
  });
}
