import { defineConfig } from 'vitest/config';

// Unit + integration tests (plain Node: real SQLite files, loopback HTTP, socat ptys).
export default defineConfig({
  test: {
    include: ['main/**/*.test.ts', 'emulators/**/*.test.ts', 'native/**/*.test.ts', 'renderer/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
