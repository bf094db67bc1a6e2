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
  return {
    v: 1,
    doorId,
    frameId: `frame-${String(frameCounter).padStart(6, '0')}`,
    capturedAt,
    jpeg: jpeg.toString('base64'),
    ...overrides,
  };
}

export function asPayload(message: unknown): Buffer {
  return Buffer.from(JSON.stringify(message));
}
