import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    pool: 'forks',
    // Many tests build their world inside the test (an app, a seeded district, dozens of HTTP requests): seconds alone,
    // far more on a busy machine, and no test here asserts a time (speed lives in bench/), so the limit is generous.
    testTimeout: 60_000,
    // A file's world (an app, migrations, a seeded district) takes a second on a quiet machine and many on a busy one.
    hookTimeout: 60_000,
  },
})
