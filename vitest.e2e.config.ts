import { defineConfig } from 'vitest/config';

// End-to-end: the built renderer in Debian Chromium through the headless kiosk shell.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
