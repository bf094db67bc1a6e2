/** People: create, update, list, and erasure that really erases (index, photos, snapshots, records). */
import { NotFoundError } from '../errors.js';
import { newId } from '../domain/ids.js';
import type { Person } from '../domain/types.js';
import type { PersonFilter } from '../ports/records.js';
import { auditEvent } from '../domain/audit-event.js';
import {
  EntityId,
  NewPersonInput,
  PersonFilterInput,
  PersonPatchInput,
  assertValidityOrder,
  parseInput,
} from './input-schemas.js';
import type { ServiceDeps } from './service-deps.js';
import type { FacegateServices } from './services.js';

export function createPeopleService(deps: ServiceDeps): FacegateServices['people'] {
  const log = deps.logger.child({ component: 'people' });

  return {
    async list(filter?: PersonFilter) {
      const people = await deps.records.listPeople(parseInput(PersonFilterInput, filter ?? {}, 'people filter'));
      return Promise.all(
        people.map(async (p) => ({ ...p, faceCount: (await deps.records.listFaces(p.personId)).length })),
      );
    },

    async get(personId) {
      if (!EntityId.safeParse(personId).success) return null;
      const person = await deps.records.getPerson(personId);
      if (!person) return null;
      return { ...person, faces: await deps.records.listFaces(personId) };
    },

    async create(input, actor) {
      const data = parseInput(NewPersonInput, input, 'person');
      const now = deps.clock();
      const person: Person = {
        personId: newId(),
        name: data.name,
        status: 'active',
        validFrom: data.validFrom ?? null,
        validUntil: data.validUntil ?? null,
        allowedDoors: data.allowedDoors ? [...new Set(data.allowedDoors)] : null,
        createdAt: now,
        updatedAt: now,
      };
      assertValidityOrder(person.validFrom, person.validUntil);
      await deps.records.putPerson(person);
      await deps.records.appendEvent(
        auditEvent({
          at: now,
          kind: 'person_created',
          personId: person.personId,
          personName: person.name,
          actor: actor.name,
        }),
      );
      log.info({ personId: person.personId, actor: actor.name }, 'person created');
      return person;
    },

    async update(personId, patch, actor) {
      const data = parseInput(PersonPatchInput, patch, 'person changes');
      const existing = EntityId.safeParse(personId).success ? await deps.records.getPerson(personId) : null;
      if (!existing) throw new NotFoundError('person', personId);
      const now = deps.clock();
      const updated: Person = {
        ...existing,
        ...(data.name !== undefined && { name: data.name }),
        ...(data.status !== undefined && { status: data.status }),
        ...(data.validFrom !== undefined && { validFrom: data.validFrom }),
        ...(data.validUntil !== undefined && { validUntil: data.validUntil }),
        ...(data.allowedDoors !== undefined && {
          allowedDoors: data.allowedDoors ? [...new Set(data.allowedDoors)] : null,
        }),
        updatedAt: now,
      };
      assertValidityOrder(updated.validFrom, updated.validUntil);
      await deps.records.putPerson(updated);
      const changed = Object.keys(data).sort().join(', ');
      await deps.records.appendEvent(
        auditEvent({
          at: now,
          kind: 'person_updated',
          personId,
          personName: updated.name,
          actor: actor.name,
          detail: `changed: ${changed}`,
        }),
      );
      log.info({ personId, actor: actor.name, changed }, 'person updated');
      return updated;
    },

    async erase(personId, actor) {
      if (!EntityId.safeParse(personId).success) throw new NotFoundError('person', personId);
      const person = await deps.records.getPerson(personId);
      const faces = await deps.records.listFaces(personId);
      const photoKeys = await deps.images.list(`photos/${personId}/`);
      if (!person && faces.length === 0 && photoKeys.length === 0) throw new NotFoundError('person', personId);

      // Index first, so the face stops matching at the doors even if a later step fails (a retry
      // of erase() picks up whatever is left: every step tolerates things already gone).
      if (faces.length > 0) await deps.faceIndex.deleteFaces(faces.map((f) => f.faceId));
      for (const key of photoKeys) await deps.images.delete(key);
      const snapshotKeys = await deps.records.redactPersonEvents(personId);
      for (const key of snapshotKeys) await deps.images.delete(key);
      const removed = await deps.records.deletePerson(personId);
      // Faces added between listFaces and deletePerson (a concurrent enrollment) go too.
      const late = removed.filter((f) => !faces.some((g) => g.faceId === f.faceId));
      if (late.length > 0) await deps.faceIndex.deleteFaces(late.map((f) => f.faceId));

      const summary = `erased ${faces.length + late.length} faces, ${photoKeys.length} photos, ${snapshotKeys.length} snapshots`;
      // The erasure is logged under the (now meaningless) id, never the name.
      await deps.records.appendEvent(
        auditEvent({ at: deps.clock(), kind: 'person_erased', personId, actor: actor.name, detail: summary }),
      );
      log.info({ personId, actor: actor.name }, summary);
    },

    async removePhoto(personId, faceId, actor) {
      const ids = EntityId.safeParse(personId).success && EntityId.safeParse(faceId).success;
      const face = ids ? await deps.records.getFace(faceId) : null;
      // Another person's face id is as unknown here as a made-up one.
      if (!face || face.personId !== personId) throw new NotFoundError('photo', faceId);
      const person = await deps.records.getPerson(personId);
      // Index first, as erase() does: the face stops matching even if a later step fails, and a
      // retry finds the record still there and finishes (each step tolerates things already gone).
      await deps.faceIndex.deleteFaces([faceId]);
      await deps.images.delete(face.photoKey);
      await deps.records.deleteFace(faceId);
      await deps.records.appendEvent(
        auditEvent({
          at: deps.clock(),
          kind: 'person_updated',
          personId,
          personName: person?.name ?? null,
          actor: actor.name,
          detail: `removed photo ${faceId} (face and photo erased)`,
        }),
      );
      log.info({ personId, faceId, actor: actor.name }, 'photo removed');
    },
  };
}
