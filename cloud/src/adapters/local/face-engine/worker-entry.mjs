// Plain-JS entry for the engine's worker threads: registers tsx in this thread, so the
// TypeScript worker loads the same way under `node --import tsx`, bin/run-ts.mjs and vitest.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
