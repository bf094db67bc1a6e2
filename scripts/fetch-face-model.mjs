#!/usr/bin/env node
// The local face engine's recognition model (an ArcFace-trained MobileFaceNet, 512-d, ONNX, 4.9 MB)
// ships inside the npm package faceplugin-face-recognition-js (MIT). That package declares 11
// build-tool dependencies (jest, babel 6, eslint 8, webpack plugins: 655 packages), so it is not a
// dependency here: this script, run by `npm ci` (postinstall), takes its tarball from the npm
// registry (or npm's cache) with `npm pack`, keeps only the model file and checks its SHA-256.
// Idempotent: a model already in place with the right hash is left alone.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FACE_MODEL_PACKAGE = 'faceplugin-face-recognition-js@0.0.1';
export const FACE_MODEL_ENTRY = 'package/model/fr_feature.onnx';
export const FACE_MODEL_SHA256 = '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Beside the other installed packages: `npm ci` starts from an empty node_modules and fetches it again (from npm's cache). */
export const FACE_MODEL_FILE = path.join(root, 'node_modules', '.facegate-models', 'mobileface-arcface-512.onnx');

function sha256(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export function fetchFaceModel() {
  if (fs.existsSync(FACE_MODEL_FILE) && sha256(FACE_MODEL_FILE) === FACE_MODEL_SHA256) return false;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-model-'));
  try {
    const tgz = execFileSync('npm', ['pack', FACE_MODEL_PACKAGE, '--prefer-offline', '--silent'], {
      cwd: work,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
    execFileSync('tar', ['-xzf', path.join(work, tgz), '-C', work, FACE_MODEL_ENTRY], { stdio: 'inherit' });
    const extracted = path.join(work, FACE_MODEL_ENTRY);
    const got = sha256(extracted);
    if (got !== FACE_MODEL_SHA256) {
      throw new Error(`${FACE_MODEL_PACKAGE}: model SHA-256 ${got}, expected ${FACE_MODEL_SHA256}; not installed`);
    }
    fs.mkdirSync(path.dirname(FACE_MODEL_FILE), { recursive: true });
    fs.copyFileSync(extracted, `${FACE_MODEL_FILE}.tmp`);
    fs.renameSync(`${FACE_MODEL_FILE}.tmp`, FACE_MODEL_FILE);
    return true;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const fetched = fetchFaceModel();
    console.log(
      fetched
        ? `face model installed: ${path.relative(root, FACE_MODEL_FILE)} (from ${FACE_MODEL_PACKAGE})`
        : 'face model already installed',
    );
  } catch (err) {
    console.error(`fetch-face-model: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
