/**
 * Virtual door: the browser's webcam is a door camera. The page posts JPEG frames about twice a
 * second; they go to a real door agent (wired by the composition root) and the relay state comes
 * back over SSE.
 */
import type { AdminApp } from '../zod-type-provider.js';
import { MAX_FRAME_JPEG_BYTES } from '../../../protocol/limits.js';
import type { RouteDeps } from './route-deps.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { noStore } from '../request-context.js';
import { HttpError } from '../errors.js';
import { checkImage } from '../image-check.js';
import { openSse } from '../sse.js';

export async function virtualDoorRoutes(app: AdminApp, deps: RouteDeps): Promise<void> {
  const door = deps.virtualDoor;
  const unavailable = () => new HttpError(404, 'not_found', 'no virtual door runs with this back end');

  // Frames come as the raw JPEG body, bounded by the MQTT frame budget the door must respect anyway.
  app.addContentTypeParser('image/jpeg', { parseAs: 'buffer', bodyLimit: MAX_FRAME_JPEG_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  app.get('/virtual-door', async (request, reply) => {
    const body = door
      ? html`<div class="page-head"><h1>Virtual door</h1><span class="muted">${door.doorId}</span></div>
        <p class="muted">Your webcam acts as this door's camera. Enroll yourself under <a href="/people">People</a>, then look at the camera: the lock opens when FaceGate recognises you.</p>
        <div class="vdoor" id="vdoor" data-door-id="${door.doorId}" data-interval-ms="500" data-max-bytes="${MAX_FRAME_JPEG_BYTES}">
          <div class="vdoor-camera">
            <video id="vdoor-video" autoplay playsinline muted aria-label="Door camera preview"></video>
            <canvas id="vdoor-canvas" hidden></canvas>
          </div>
          <div class="vdoor-panel">
            <div class="lamp lamp-locked" id="vdoor-lamp" role="status" aria-live="polite"><span id="vdoor-lock">Locked</span></div>
            <p id="vdoor-decision" class="decision">Waiting for a face…</p>
            <div class="button-row">
              <button type="button" class="primary" id="vdoor-start">Start camera</button>
              <button type="button" id="vdoor-stop" hidden>Stop</button>
            </div>
            <p id="vdoor-status" class="small muted" role="status"></p>
          </div>
        </div>`
      : html`<h1>Virtual door</h1><p class="empty">No virtual door runs with this back end. It is part of the local stack (<code>npm start</code>).</p>`;
    return noStore(reply)
      .type('text/html; charset=utf-8')
      .send(
        page({
          title: 'Virtual door',
          body,
          username: request.admin!.username,
          csrfToken: reply.generateCsrf(),
          section: 'virtual-door',
          scripts: door ? ['virtual-door.js'] : [],
        }),
      );
  });

  app.post(
    '/virtual-door/frames',
    // Two frames a second would drown the log at info level; refusals still log as warnings.
    { config: { rateLimit: { max: 40, timeWindow: 10_000 } }, logLevel: 'warn' },
    async (request, reply) => {
      if (!door) throw unavailable();
      if (!Buffer.isBuffer(request.body)) {
        throw new HttpError(
          415,
          'unsupported_media_type',
          'send the frame as the request body with Content-Type: image/jpeg',
        );
      }
      await checkImage(request.body, 'the frame', ['jpeg']);
      await door.submitFrame(request.body);
      return reply.code(204).send();
    },
  );

  app.get('/virtual-door/stream', async (request, reply) => {
    if (!door) throw unavailable();
    const stream = openSse(request, reply);
    stream.onClose(door.onState((s) => stream.send('state', s)));
  });
}
