/**
 * Enrollment: per-photo feedback before enrolling (face found, size, sharpness, several faces,
 * already matches someone else) and enrollment of 1–5 photos with progress streamed as NDJSON.
 */
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import type { AdminApp } from '../zod-type-provider.js';
import type { EnrollPhotoResult, PhotoCheck } from '../../../cloud/src/app/services.js';
import type { RouteDeps } from './route-deps.js';
import { html } from '../html.js';
import { actorOf, noStore } from '../request-context.js';
import { ENTITY_ID, personIdParams } from '../ids.js';
import { notFound } from '../errors.js';
import { MAX_PHOTO_BYTES, MAX_PHOTOS, readPhotoUploads } from '../uploads.js';
import { THREE_PHOTOS_WHY } from '../../../cloud/src/domain/enrolment-advice.js';

/** The enrollment widget on a person's page; enroll.js drives it (upload or webcam, feedback, progress). */
export function enrollPanel(personId: string) {
  return html`<div class="enroll" id="enroll" data-person-id="${personId}" data-max-photos="${MAX_PHOTOS}" data-max-bytes="${MAX_PHOTO_BYTES}">
    <h3>Add photos</h3>
    <p class="muted small">Three clear, front-facing photos are recommended (one to five accepted), one face each, from different days or light (JPEG or PNG, up to ${MAX_PHOTO_BYTES / 1024 / 1024} MB). Measured on the evaluation photos, per visit to the door: ${THREE_PHOTOS_WHY}.</p>
    <label for="photo-files">Choose photos</label>
    <input id="photo-files" type="file" accept="image/jpeg,image/png" multiple>
    <div class="webcam" hidden id="webcam-box">
      <video id="webcam-video" autoplay playsinline muted aria-label="Webcam preview"></video>
    </div>
    <div class="button-row">
      <button type="button" id="webcam-start">Use webcam</button>
      <button type="button" id="webcam-capture" hidden>Capture photo</button>
    </div>
    <ul class="photo-feedback" id="photo-feedback" aria-live="polite"></ul>
    <progress id="enroll-progress" max="1" value="0" hidden aria-label="Enrollment progress"></progress>
    <p id="enroll-status" class="small" role="status"></p>
    <button type="button" class="primary" id="enroll-submit" disabled>Enroll photos</button>
  </div>`;
}

/** Only what the page needs; the face box stays (it draws nothing secret) and no embeddings ever leave. */
function checkView(c: PhotoCheck) {
  return {
    ok: c.ok,
    faceCount: c.faceCount,
    issues: c.issues,
    face: c.face ? { box: c.face.box, sharpness: c.face.sharpness } : null,
    matchedPerson: c.matchedPerson ? { personId: c.matchedPerson.personId, name: c.matchedPerson.name } : null,
  };
}

function resultView(r: EnrollPhotoResult) {
  return { ...checkView(r), faceId: r.faceId };
}

export async function enrollmentRoutes(app: AdminApp, deps: RouteDeps): Promise<void> {
  const { services } = deps;

  app.post(
    '/api/photos/check',
    {
      schema: { querystring: z.object({ personId: z.string().regex(ENTITY_ID).optional() }) },
    },
    async (request, reply) => {
      const [photo] = await readPhotoUploads(request, { field: 'photo', maxFiles: 1, maxFileBytes: MAX_PHOTO_BYTES });
      const check = await services.enrollment.checkPhoto(photo!.bytes, request.query.personId);
      noStore(reply);
      return { width: photo!.width, height: photo!.height, ...checkView(check) };
    },
  );

  app.post('/api/people/:personId/photos', { schema: { params: personIdParams } }, async (request, reply) => {
    const { personId } = request.params;
    if (!(await services.people.get(personId))) throw notFound('no such person');
    const photos = await readPhotoUploads(request, {
      field: 'photos',
      maxFiles: MAX_PHOTOS,
      maxFileBytes: MAX_PHOTO_BYTES,
    });
    const actor = actorOf(request);
    const log = request.log.child({ personId, photos: photos.length });
    // Progress goes out line by line while the engine indexes; the page draws a bar from it.
    const out = new PassThrough();
    noStore(reply).type('application/x-ndjson; charset=utf-8').send(out);
    const write = (line: unknown) => out.write(JSON.stringify(line) + '\n');
    write({ type: 'start', total: photos.length });
    try {
      const results = await services.enrollment.enroll(
        personId,
        photos.map((p) => p.bytes),
        actor,
        (done, total, result) =>
          write({ type: 'progress', done, total, label: photos[done - 1]?.label, result: resultView(result) }),
      );
      const enrolled = results.filter((r) => r.faceId).length;
      log.info({ enrolled }, 'enrollment finished');
      write({ type: 'done', enrolled, results: results.map(resultView) });
    } catch (err) {
      log.error({ err }, 'enrollment failed');
      write({ type: 'error', message: 'enrollment failed on the server; nothing more was indexed' });
    }
    out.end();
    return reply;
  });
}
