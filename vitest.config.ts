import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources of the workspace libraries.
    alias: [{ find: /^@plane\/([a-z-]+)$/, replacement: `${root}libs/$1/src/index.ts` }],
  },
  test: {
    include: ['libs/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One test file at a time: the integration tests run real servers and time real behaviour;
    // two at once on a 2-core machine only trade speed for flakiness.
    maxWorkers: 1,
  },
});
