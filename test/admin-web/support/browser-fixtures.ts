/**
 * Fixtures for the browser test: where the face photos are, which person to use, and a fake
 * webcam video made at test time (into a temp dir, never into the repo) from one of their photos.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FACES_DIR = path.resolve(REPO_ROOT, '../shared/faces');
export const DEV_DIR = path.join(FACES_DIR, 'dev');
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');

export function hasFaces(): boolean {
  return fs.existsSync(DEV_DIR);
}

function naturalSort(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** The first person (by name) with at least four photos: three to enroll, one as the door probe. */
export function pickPerson(): { name: string; enroll: string[]; probe: string } {
  for (const dir of fs.readdirSync(DEV_DIR).sort()) {
    const files = fs
      .readdirSync(path.join(DEV_DIR, dir))
      .filter((f) => /\.jpe?g$/i.test(f))
      .sort(naturalSort);
    if (files.length >= 4) {
      const full = files.map((f) => path.join(DEV_DIR, dir, f));
      return { name: dir.replace(/_/g, ' '), enroll: full.slice(0, 3), probe: full[3]! };
    }
  }
  throw new Error(`no person with 4 photos in ${DEV_DIR}`);
}

/**
 * A looping Y4M for Chromium's fake webcam: the probe photo (centred on a 640×480 grey frame)
 * for 1.5 s, then an empty grey frame for 1 s — a person stepping up to the door and away again,
 * so the door agent's change detector sends the face on each pass.
 */
export function makeFakeWebcamVideo(probe: string, outDir: string): string {
  const out = path.join(outDir, 'webcam.y4m');
  execFileSync(
    'ffmpeg',
    [
      '-y',
      '-loglevel',
      'error',
      '-loop',
      '1',
      '-t',
      '1.5',
      '-i',
      probe,
      '-f',
      'lavfi',
      '-t',
      '1',
      '-i',
      'color=c=gray:s=640x480:r=10',
      '-filter_complex',
      '[0]scale=420:420,pad=640:480:110:30:color=gray,setsar=1,fps=10,format=yuv420p[a];[1]setsar=1,format=yuv420p[b];[a][b]concat=n=2:v=1:a=0[v]',
      '-map',
      '[v]',
      '-pix_fmt',
      'yuv420p',
      out,
    ],
    { stdio: 'pipe' },
  );
  return out;
}
