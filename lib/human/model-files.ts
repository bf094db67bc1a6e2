/**
 * Where Human's code, its models and the tfjs WASM binaries live: npm packages only, resolved on
 * disk, so the back end's face engine and the door's face gate both work offline.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** Root folder of the installed @vladmandic/human package (its exports map hides dist/ and models/). */
export function humanPackageDir(): string {
  return path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..');
}

/** Human's Node build for the tfjs WASM backend (tfjs-node cannot install here). */
export function humanNodeWasmPath(): string {
  return path.join(humanPackageDir(), 'dist', 'human.node-wasm.js');
}

/** Human's own models (blazeface, facemesh, faceres) as a file:// base URL ending in '/'. */
export function humanModelBaseUrl(): string {
  return pathToFileURL(path.join(humanPackageDir(), 'models')).href + '/';
}

/** Folder of tfjs-backend-wasm's .wasm binaries, with a trailing slash as tfjs expects. */
export function tfjsWasmDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
}
