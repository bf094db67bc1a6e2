/** Virtual door routes: frames bounded and checked by content before the door sees them; state over SSE. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHarness, makeJpeg, makePng, signIn, type Harness, type Session } from './support/harness.js';
import { RecordingDoor } from './support/recording-virtual-door.js';

describe('admin site: virtual door', () => {
  let h: Harness;
  let s: Session;
  let door: RecordingDoor;
  beforeEach(async () => {
    door = new RecordingDoor();
    h = await buildHarness({ virtualDoor: door });
    s = await signIn(h.app);
  });
  afterEach(async () => h.close());

  const frame = (payload: Buffer | string, contentType = 'image/jpeg') =>
    h.app.inject({
      method: 'POST',
      url: '/virtual-door/frames',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': contentType },
      payload,
    });

  it('shows the page with labelled camera and state', async () => {
    const res = await h.app.inject({ url: '/virtual-door', headers: { cookie: s.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('aria-label="Door camera preview"');
    expect(res.body).toContain('/assets/virtual-door.js');
  });

  it("its door page shows no wiring and no wiring fields (it has no Pi), while a real door's does", async () => {
    await h.addDoor({ doorId: 'virtual-door', name: 'Virtual door' });
    await h.addDoor({ doorId: 'front-door', name: 'Front door' });
    const virtual = await h.app.inject({ url: '/doors/virtual-door', headers: { cookie: s.cookie } });
    expect(virtual.body).toContain('none: the virtual door runs in this site');
    expect(virtual.body).not.toContain('name="relayPin"');
    expect(virtual.body).toContain('action="/doors/virtual-door/renew"');
    const real = await h.app.inject({ url: '/doors/front-door', headers: { cookie: s.cookie } });
    expect(real.body).toContain('relay GPIO 17, no door contact, no exit button');
    expect(real.body).toContain('name="relayPin"');
  });

  it('hands a good JPEG frame to the door', async () => {
    const jpeg = await makeJpeg(640, 480);
    const res = await frame(jpeg);
    expect(res.statusCode).toBe(204);
    expect(door.frames).toHaveLength(1);
    expect(door.frames[0]!.equals(jpeg)).toBe(true);
  });

  it('refuses frames that are too large, not JPEG, truncated, or sent as another type', async () => {
    const jpeg = await makeJpeg(640, 480);
    const big = await frame(Buffer.concat([jpeg, Buffer.alloc(100 * 1024)]));
    expect(big.statusCode).toBe(413);
    const png = await frame(await makePng(), 'image/jpeg');
    expect(png.statusCode).toBe(422);
    expect(png.json().message).toBe('the frame is not a JPEG image');
    const cut = await frame(jpeg.subarray(0, jpeg.length - 400));
    expect(cut.statusCode).toBe(422);
    const text = await frame('hello', 'text/plain');
    expect(text.statusCode).toBe(415);
    const json = await frame('{"jpeg":"AAAA"}', 'application/json');
    expect(json.statusCode).toBe(415);
    expect(door.frames).toHaveLength(0);
  });

  it('answers 404 when no virtual door runs', async () => {
    await h.close();
    h = await buildHarness();
    s = await signIn(h.app);
    expect((await frame(await makeJpeg())).statusCode).toBe(404);
    expect((await h.app.inject({ url: '/virtual-door', headers: { cookie: s.cookie } })).body).toContain(
      'No virtual door runs',
    );
  });

  it('streams relay state and decisions over SSE and unsubscribes when the page goes', async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (h.app.server.address() as AddressInfo).port;
    const chunks: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = http.get(
        { port, host: '127.0.0.1', path: '/virtual-door/stream', headers: { cookie: s.cookie } },
        (res) => {
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            chunks.push(c);
            const text = chunks.join('');
            if (text.includes('"lock":"locked"') && !text.includes('unlocked')) {
              door.set({ lock: 'unlocked', lastDecision: { type: 'unlock', at: 1 } });
            } else if (text.includes('"lock":"unlocked"')) {
              req.destroy();
              resolve();
            }
          });
        },
      );
      req.on('error', reject);
    });
    expect(chunks.join('')).toContain(
      'event: state\ndata: {"lock":"unlocked","lastDecision":{"type":"unlock","at":1}}',
    );
    await expect.poll(() => door.listenerCount).toBe(0);
  });
});
