import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: [
      'electron/**/*.test.ts',
      'shared/**/*.test.ts',
      'renderer/**/*.test.{ts,tsx}',
      'test/**/*.test.ts',
      'scripts/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    // The outage runs as its own step with a node of its own (test/outage/vitest.config.ts); the
    // count fixtures fail on purpose and run only inside scripts/testCounts.test.ts.
    exclude: [...configDefaults.exclude, 'test/outage/**', 'scripts/countFixtures/**'],
    // Limits for a shared, loaded 2-core machine: integration tests that take 10–25 s when it is
    // busy must not fail on time; no test here measures speed (the bench does).
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
})
