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
    // The files run one after another anyway: one process takes them all instead of a process (and its imports) per
    // file, 1–4 s each. Nothing of theirs is kept in it between files: each closes its browsers, and the server and
    // its data are shared as before.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
