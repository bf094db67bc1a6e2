/**
 * An 8000×8000 (64-megapixel) JPEG made with sharp, as a user's camera export would be: about
 * 370 KB, because it is one colour. Encoding it takes seconds on a busy machine, so it is made
 * once and kept in the system temp directory for the other test files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

export const HUGE_SIDE = 8000;
const FILE = path.join(os.tmpdir(), `facegate-test-${HUGE_SIDE}x${HUGE_SIDE}-v1.jpg`);

export async function hugeJpeg(): Promise<{ file: string; bytes: Buffer }> {
  if (!fs.existsSync(FILE)) {
    const bytes = await sharp({
      create: { width: HUGE_SIDE, height: HUGE_SIDE, channels: 3, background: { r: 120, g: 130, b: 140 } },
    })
      .jpeg({ quality: 10 })
      .toBuffer();
    // Written aside and renamed, so a test file running in parallel never reads half of it.
    const partial = `${FILE}.${process.pid}.part`;
    fs.writeFileSync(partial, bytes);
    fs.renameSync(partial, FILE);
  }
  return { file: FILE, bytes: fs.readFileSync(FILE) };
}

/** A small real JPEG whose frame header is rewritten to claim `width`×`height` (what a hostile sender does). */
export async function jpegClaiming(width: number, height: number): Promise<Buffer> {
  const bytes = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#888' } })
    .jpeg()
    .toBuffer();
  for (let i = 2; i + 9 < bytes.length;) {
    if (bytes[i] !== 0xff) break;
    const marker = bytes[i + 1]!;
    const length = bytes.readUInt16BE(i + 2);
    if (marker === 0xc0 || marker === 0xc2) {
      bytes.writeUInt16BE(height, i + 5);
      bytes.writeUInt16BE(width, i + 7);
      return bytes;
    }
    i += 2 + length;
  }
  throw new Error('no frame header found');
}
