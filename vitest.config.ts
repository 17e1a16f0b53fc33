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
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
