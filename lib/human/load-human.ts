/**
 * Loads one Human instance on the tfjs WASM backend with its models read from node_modules (no
 * network). The parts every user of Human here needs are fixed; the caller says which face
 * models run. Shared by the back end's face engine and the door's face gate.
 */
import { createRequire } from 'node:module';
import { installFileFetch } from './file-fetch.js';
import { humanModelBaseUrl, humanNodeWasmPath, tfjsWasmDir } from './model-files.js';

const require = createRequire(import.meta.url);

/** The settings of Human's `face` section (detector, mesh, description…), passed through as given. */
export type HumanFaceConfig = Record<string, unknown>;

export function humanConfig(face: HumanFaceConfig): Record<string, unknown> {
  return {
    backend: 'wasm',
    wasmPath: tfjsWasmDir(),
    wasmPlatformFetch: false,
    modelBasePath: humanModelBaseUrl(),
    debug: false,
    async: true,
    warmup: 'none',
    cacheSensitivity: 0, // a door sees similar frames: never return a cached result for a new image
    skipAllowed: false,
    filter: { enabled: false },
    face,
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  };
}

/**
 * A ready Human (backend initialised, models loaded). `H` is the caller's structural view of the
 * few Human members it uses: the library's own types live in its bundle, not in a package we import.
 */
export async function loadHuman<H>(face: HumanFaceConfig): Promise<H> {
  installFileFetch();
  const before = {
    uncaughtException: process.listeners('uncaughtException'),
    unhandledRejection: process.listeners('unhandledRejection'),
  };
  const { Human } = require(humanNodeWasmPath()) as {
    Human: new (config: unknown) => { init(): Promise<void>; load(): Promise<void> };
  };
  const human = new Human(humanConfig(face));
  try {
    await human.init();
    await human.load();
  } finally {
    removeEmscriptenHandlers(before);
  }
  return human as H;
}

/**
 * tfjs-backend-wasm's Emscripten glue adds process handlers that rethrow every uncaught exception
 * and unhandled rejection (printing its whole minified source). The process's own handlers
 * decide what a crash means (the door agent locks the relay first), so those are removed again.
 */
function removeEmscriptenHandlers(before: {
  uncaughtException: NodeJS.UncaughtExceptionListener[];
  unhandledRejection: NodeJS.UnhandledRejectionListener[];
}): void {
  for (const listener of process.listeners('uncaughtException')) {
    if (!before.uncaughtException.includes(listener)) process.removeListener('uncaughtException', listener);
  }
  for (const listener of process.listeners('unhandledRejection')) {
    if (!before.unhandledRejection.includes(listener)) process.removeListener('unhandledRejection', listener);
  }
}
