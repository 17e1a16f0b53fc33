import { configDefaults, defineConfig } from 'vitest/config'

// The tests a mutation run may use (scripts/mutate.mjs picks the scope, docs/testing.md says why).
// Only tests that need no outside service: the library must be killable by its own tests, and a
// mutant must not wait on a Cassandra node.
const scopes = {
  library: {
    include: ['electron/eventsourcing/**/*.test.ts'],
    exclude: [
      'electron/eventsourcing/persistence/recorders/cassandra/**',
      // Spawns fresh Node processes to see which modules load: slow, and about Cassandra.
      'electron/eventsourcing/index.test.ts',
    ],
  },
  explorer: {
    include: ['electron/explorer/**/*.test.ts'],
    // The Python stores need a venv (and PostgreSQL) made by scripts/python-env.sh.
    exclude: ['electron/explorer/**/*.cassandra.test.ts', 'electron/explorer/python/**'],
  },
} as const

// The library's layers (domain, persistence, application) share the library's tests.
const scope = process.env['EVENTSCOPE_MUTATE_SCOPE'] === 'explorer' ? 'explorer' : 'library'

export default defineConfig({
  test: {
    include: [...scopes[scope].include],
    exclude: [...configDefaults.exclude, ...scopes[scope].exclude],
    // Every mutant run is a new vitest run: re-importing the library for each one costs more
    // than the tests themselves on a loaded machine. Stryker switches mutants through a global,
    // so the modules can stay loaded.
    isolate: false,
    // describeWithCassandra suites in mixed files are skipped (test/cassandraTestStore.ts).
    env: { EVENTSCOPE_TEST_CASSANDRA: 'off' },
    // Generous: two Stryker workers share a noisy two-core machine with other test runs.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
