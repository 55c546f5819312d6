import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real-tool tests (docker load/build, umoci, skopeo, overlay mounts) take seconds each.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One private dockerd for the whole run, when this machine can have one (test/oracle/).
    globalSetup: ['test/oracle/global-setup.ts'],
    // each test file removes the temporary directories it made (test/helpers/archive.ts)
    setupFiles: ['test/support/cleanup.ts'],
  },
});
