import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    // Heavy tests (rpmbuild fixtures, podman) share machine resources: keep parallelism modest.
    maxWorkers: 2,
    minWorkers: 1,
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
