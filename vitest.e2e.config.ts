import { defineConfig } from 'vitest/config'

// Browser journeys against one real server (test/e2e/global-setup.ts). The unit/integration config picks
// `*.test.ts`; these are `*.spec.ts` so neither run picks up the other's files.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.spec.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    pool: 'forks',
    // Two cores here: one Chromium at a time next to the server keeps timings steady.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
