import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', '{protocol,cloud,agent,admin-web,infra,cli,bench}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/cdk.out/**'],
    // Face engines load WASM models per worker; keep parallelism to the two cores we have.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // CI fails when the photo set is missing; locally the skip reason is printed once, at the end.
    globalSetup: ['test/support/photo-set.global.ts'],
  },
});
