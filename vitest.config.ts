import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One copy of graphql: without this the ESM and CJS builds both load ("from another module or realm").
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests each start a gateway and an embedded database; the machines are small.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
