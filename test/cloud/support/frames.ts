/** Frame messages for handler tests, built around real image bytes. */
import sharp from 'sharp';

/** A small, valid JPEG (a grey square: decodes fine, has no face). */
export async function plainJpeg(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .jpeg()
    .toBuffer();
}

let frameCounter = 0;

export function frameMessage(
  doorId: string,
  jpeg: Buffer,
  capturedAt: number,
  overrides: Record<string, unknown> = {},
) {
  frameCounter++;
  const frameId = `frame-${String(frameCounter).padStart(6, '0')}`;
  return {
    v: 2,
    type: 'frame',
    doorId,
    frameId,
    capturedAt,
    jpeg: jpeg.toString('base64'),
    visit: { id: `visit-${frameId}`, seq: 0, startedAt: capturedAt, last: true },
    face: { box: { x: 0, y: 0, width: 64, height: 64 }, score: 0.9, sharpness: 50 },
    ...overrides,
  };
}

export function asPayload(message: unknown): Buffer {
  return Buffer.from(JSON.stringify(message));
}
