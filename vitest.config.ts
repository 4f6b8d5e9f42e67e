import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
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
  },
})
