import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['main/**/*.test.ts', 'shared/**/*.test.ts', 'preload/**/*.test.ts', 'bench/**/*.test.ts', 'renderer/**/*.test.ts', 'renderer/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // LanceDB's native threads and sharp's pool share 2 cores: keep test files from starving each other.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
