import { defineConfig } from 'vitest/config'

/** The Cassandra outage test: its own step (`npm test -- outage`), with a node of its own. */
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/outage/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
})
