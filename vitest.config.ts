import { defineConfig } from 'vitest/config'

/**
 * Files that replace a module for their own tests (`vi.mock`): hoisted mocks apply to a fresh module graph only, so
 * these keep a process of their own per file. A unit test (test/unit/test-projects.test.ts) holds the list complete.
 */
export const ISOLATED = [
  'test/integration/foundation/access-matrix.test.ts',
  'test/integration/foundation/fuzz.test.ts',
  'test/integration/foundation/htmx-and-headers.test.ts',
  'test/integration/foundation/odd-bodies.test.ts',
  'test/integration/foundation/session-rows.test.ts',
]

const INCLUDE = ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts']

export default defineConfig({
  test: {
    pool: 'forks',
    // Vitest leaves one core to itself by default, which on this two-core machine runs every file in one process:
    // 437 s alone. The files share nothing (each builds its own database under a temporary directory), and they
    // passed in two processes beside two benchmarking engineers (load 5), so both cores take files.
    maxWorkers: 2,
    // Many tests build their world inside the test (an app, a seeded district, dozens of HTTP requests): seconds alone,
    // far more on a busy machine, and no test here asserts a time (speed lives in bench/), so the limit is generous.
    testTimeout: 60_000,
    // A file's world (an app, migrations, a seeded district) takes a second on a quiet machine and many on a busy one.
    hookTimeout: 60_000,
    projects: [
      // A process per file cost each file its imports again (fastify, drizzle, jieba's dictionary...): about half
      // the suite's wall time. The files keep no state between them that a later file can see (module caches are
      // keyed by the database handle or hold what never changes in a process), so one process per worker takes
      // them in turn; Vitest restores spies and mocks after each file.
      { extends: true, test: { name: 'shared', include: INCLUDE, exclude: ISOLATED, isolate: false } },
      { extends: true, test: { name: 'isolated', include: ISOLATED } },
    ],
  },
})
