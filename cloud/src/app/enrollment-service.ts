/**
 * Enrollment: checks each photo by content and quality, refuses those with errors (keeping the
 * ones with only warnings), indexes the face, and keeps the photo sealed in the image store so
 * the person can be re-enrolled on another engine later.
 */
import { InvalidInputError, NotFoundError } from '../errors.js';
import { ImageDecodeError } from '../errors.js';
import { sniffImageType } from '../domain/image-format.js';
import { checkImagePixels, MAX_IMAGE_PIXELS } from '../domain/image-limits.js';
import { assessPhotoQuality, hasErrors, type OtherPersonMatch } from '../domain/photo-quality.js';
import { assertImageKey } from '../ports/image-store.js';
import type { FaceInspection } from '../ports/face-index.js';
import { auditEvent } from '../domain/audit-event.js';
import { EntityId } from './input-schemas.js';
import type { ServiceDeps } from './service-deps.js';
import type { EnrollPhotoResult, FacegateServices, PhotoCheck, PhotoIssue } from './services.js';

/** Upload bound for one enrollment photo (phone photos are 2-6 MB). */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const MAX_PHOTOS_PER_ENROLLMENT = 5;

export function createEnrollmentService(deps: ServiceDeps): FacegateServices['enrollment'] {
  const log = deps.logger.child({ component: 'enrollment' });

  function refused(code: PhotoIssue['code'], message: string): PhotoCheck {
    return { ok: false, issues: [{ code, severity: 'error', message }], face: null, faceCount: 0, matchedPerson: null };
  }

  /** The best match among people other than `forPersonId`, at or above the index's threshold. */
  async function matchOtherPerson(image: Uint8Array, forPersonId?: string): Promise<OtherPersonMatch | null> {
    const result = await deps.faceIndex.search(image, { maxMatches: 5 });
    for (const m of result.matches) {
      if (m.personId === forPersonId || m.similarity < deps.faceIndex.threshold) continue;
      const other = await deps.records.getPerson(m.personId);
      if (other) return { personId: other.personId, name: other.name, similarity: m.similarity };
    }
    return null;
  }

  async function checkPhoto(image: Uint8Array, forPersonId?: string): Promise<PhotoCheck> {
    if (!(image instanceof Uint8Array)) return refused('not_an_image', 'The upload is not an image.');
    if (image.byteLength > MAX_PHOTO_BYTES) {
      return refused(
        'too_large',
        `The photo is ${(image.byteLength / 1048576).toFixed(1)} MB; at most ${MAX_PHOTO_BYTES / 1048576} MB is accepted.`,
      );
    }
    if (!sniffImageType(image)) return refused('not_an_image', 'The file is not a JPEG or PNG image.');
    // From the header, before the engine decodes anything: one limit for uploads, the CLI and frames.
    const pixels = checkImagePixels(image);
    if (!pixels.ok) return refused('too_large', pixels.message);
    let inspection: FaceInspection;
    try {
      inspection = await deps.faceIndex.inspect(image);
    } catch (err) {
      if (err instanceof ImageDecodeError) {
        log.info({ reason: err.message }, 'photo could not be decoded');
        const tooBig = /pixel|limit/i.test(`${err.message} ${String((err.cause as Error | undefined)?.message ?? '')}`);
        return tooBig
          ? refused(
              'too_large',
              `The image has too many pixels; the limit is ${MAX_IMAGE_PIXELS / 1_000_000} megapixels.`,
            )
          : refused('not_an_image', 'The image could not be decoded (corrupt or truncated).');
      }
      throw err;
    }
    const matchedPerson = inspection.faces.length > 0 ? await matchOtherPerson(image, forPersonId) : null;
    const issues = assessPhotoQuality(inspection, matchedPerson);
    return {
      ok: !hasErrors(issues),
      issues,
      face: inspection.faces[0] ?? null,
      faceCount: inspection.faces.length,
      matchedPerson,
    };
  }

  async function enrollOne(personId: string, photo: Uint8Array): Promise<EnrollPhotoResult> {
    const check = await checkPhoto(photo, personId);
    if (!check.ok) return { ...check, faceId: null };
    const { faceId } = await deps.faceIndex.index(personId, photo);
    const photoKey = `photos/${personId}/${faceId}.jpg`;
    try {
      assertImageKey(photoKey);
      await deps.images.put(photoKey, photo, sniffImageType(photo)!);
      await deps.records.addFace({ faceId, personId, photoKey, createdAt: deps.clock() });
    } catch (err) {
      // Leave nothing half-enrolled: an indexed face without its record could never be erased.
      await deps.faceIndex
        .deleteFaces([faceId])
        .catch((e: unknown) => log.error({ err: e, faceId }, 'rollback: face not removed from index'));
      await deps.images
        .delete(photoKey)
        .catch((e: unknown) => log.error({ err: e, faceId }, 'rollback: photo not removed'));
      throw err;
    }
    return { ...check, faceId };
  }

  return {
    checkPhoto,

    async enroll(personId, photos, actor, onProgress) {
      const person = EntityId.safeParse(personId).success ? await deps.records.getPerson(personId) : null;
      if (!person) throw new NotFoundError('person', personId);
      if (!Array.isArray(photos) || photos.length < 1 || photos.length > MAX_PHOTOS_PER_ENROLLMENT) {
        throw new InvalidInputError(`enroll 1 to ${MAX_PHOTOS_PER_ENROLLMENT} photos at a time`);
      }
      const results: EnrollPhotoResult[] = [];
      for (const photo of photos) {
        const result = await enrollOne(personId, photo);
        results.push(result);
        onProgress?.(results.length, photos.length, result);
      }
      const enrolled = results.filter((r) => r.faceId !== null).length;
      await deps.records.appendEvent(
        auditEvent({
          at: deps.clock(),
          kind: 'person_updated',
          personId,
          personName: person.name,
          actor: actor.name,
          detail: `enrolled ${enrolled} of ${photos.length} photos`,
        }),
      );
      log.info({ personId, actor: actor.name, enrolled, total: photos.length }, 'enrollment finished');
      return results;
    },

    async getPhoto(photoKey) {
      if (!photoKey.startsWith('photos/')) throw new InvalidInputError('not a photo key');
      try {
        assertImageKey(photoKey);
      } catch (err) {
        throw new InvalidInputError('invalid photo key', { cause: err });
      }
      return deps.images.get(photoKey);
    },
  };
}
