import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    // A file's world (an app, migrations, a seeded district) takes a second on a quiet machine and many on a busy one.
    hookTimeout: 60_000,
  },
})
