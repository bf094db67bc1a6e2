/** Real JPEGs generated with sharp, so frame tests need no fixtures. */
import sharp from 'sharp';

/** A JPEG of one flat colour with a square of another at (x, y): moving the square changes the picture. */
export async function jpegWithSquare(
  options: {
    width?: number;
    height?: number;
    x?: number;
    y?: number;
    /** Side of the square (default a third of the shorter side). */
    side?: number;
    background?: number;
    quality?: number;
  } = {},
): Promise<Buffer> {
  const { width = 320, height = 240, x = 20, y = 20, background = 40, quality = 85 } = options;
  const side = options.side ?? Math.round(Math.min(width, height) / 3);
  const square = await sharp({
    create: { width: side, height: side, channels: 3, background: { r: 230, g: 230, b: 230 } },
  })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: { r: background, g: background, b: background } } })
    .composite([{ input: square, left: Math.min(x, width - side), top: Math.min(y, height - side) }])
    .jpeg({ quality })
    .toBuffer();
}

/** Random noise: the worst case for JPEG size, used to force the gate to shrink a frame. */
export async function noiseJpeg(width: number, height: number, quality = 100): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  let seed = 12345;
  for (let i = 0; i < raw.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    raw[i] = seed & 0xff;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}

/** Noise (large as a JPEG) with a light square in the middle third: an oversize frame the face-gate double sees a face in. */
export async function noiseJpegWithSquare(width: number, height: number, quality = 100): Promise<Buffer> {
  const side = Math.round(Math.min(width, height) / 3);
  const square = await sharp({
    create: { width: side, height: side, channels: 3, background: { r: 240, g: 240, b: 240 } },
  })
    .png()
    .toBuffer();
  return sharp(await noiseJpeg(width, height, quality))
    .composite([{ input: square, left: Math.round((width - side) / 2), top: Math.round((height - side) / 2) }])
    .jpeg({ quality })
    .toBuffer();
}
