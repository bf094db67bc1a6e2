import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPhotoSet, isCi } from '../support/photo-set.global.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-photoset-'));
const present = path.join(tmp, 'dev');
fs.mkdirSync(present);
const missing = path.join(tmp, 'absent', 'dev');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('photo set check', () => {
  it('reads CI the way CI services set it', () => {
    expect(isCi({ CI: 'true' })).toBe(true);
    expect(isCi({ CI: '1' })).toBe(true);
    expect(isCi({ CI: 'false' })).toBe(false);
    expect(isCi({ CI: '0' })).toBe(false);
    expect(isCi({})).toBe(false);
  });

  it('fails a CI run when the photo set is missing', () => {
    expect(() => checkPhotoSet(missing, { CI: 'true' })).toThrow(/face photo set is missing/);
  });

  it('lets a local run skip, with the reason to print at the end', () => {
    expect(checkPhotoSet(missing, {})).toMatch(/photo tests were skipped/);
  });

  it('says nothing when the photos are there, in CI or not', () => {
    expect(checkPhotoSet(present, { CI: 'true' })).toBeUndefined();
    expect(checkPhotoSet(present, {})).toBeUndefined();
  });
});
