// Mutation testing (`npm run mutate`, see docs/testing.md). The default scope is the library's
// domain, persistence (without the Cassandra recorder, whose tests need a node) and application
// layers; one layer alone with `npm run mutate -- domain|persistence|application`; the explorer
// with `npm run mutate -- explorer`. scripts/mutate.mjs passes the scope in EVENTSCOPE_MUTATE_SCOPE.
const notTests = ['!**/*.test.ts']
const layers = {
  domain: ['electron/eventsourcing/domain/**/*.ts', '!electron/eventsourcing/domain/fixtures/**'],
  persistence: [
    'electron/eventsourcing/persistence/**/*.ts',
    '!electron/eventsourcing/persistence/recorders/cassandra/**',
  ],
  application: ['electron/eventsourcing/application/**/*.ts'],
}
const scopes = {
  library: [...layers.domain, ...layers.persistence, ...layers.application, ...notTests],
  domain: [...layers.domain, ...notTests],
  persistence: [...layers.persistence, ...notTests],
  application: [...layers.application, ...notTests],
  explorer: [
    'electron/explorer/**/*.ts',
    // The Python stores' tests need a venv and PostgreSQL (scripts/python-env.sh).
    '!electron/explorer/python/**',
    // Test helpers that live beside the code, not code under test.
    '!electron/explorer/serviceTesting.ts',
    '!electron/explorer/commandsTestType.ts',
    '!electron/explorer/foreignTestHistory.ts',
    ...notTests,
  ],
}
const scope = process.env.EVENTSCOPE_MUTATE_SCOPE ?? 'library'
const mutate = scopes[scope]
if (mutate === undefined) throw new Error(`unknown mutation scope '${scope}'`)
// The default scope keeps the file the issue names; the others have their own.
const suffix = scope === 'library' ? '' : `-${scope}`

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // The tests come from the mutation run's vitest config; each mutant then runs only the tests
  // that reached it in the dry run (perTest), so vitest need not work out related files.
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  mutate,
  coverageAnalysis: 'perTest',
  // Module-level mutants would need every test file reloaded per mutant: too slow here.
  ignoreStatic: true,
  // Two shared cores, other test runs beside this one.
  concurrency: 2,
  timeoutMS: 30_000,
  timeoutFactor: 3,
  dryRunTimeoutMinutes: 15,
  incremental: true,
  incrementalFile: `reports/stryker-incremental${suffix}.json`,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `reports/mutation/${scope}.html` },
  jsonReporter: { fileName: `reports/mutation/${scope}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
  // The sandbox copies the project: leave out what no test reads (the Cassandra data, caches).
  ignorePatterns: [
    '.cassandra',
    '.cache',
    '.eventscope',
    'out',
    'dist',
    'coverage',
    'docs',
    'e2e',
    'examples',
    'test-results',
    'playwright-report',
    'bench/results',
    '*.sqlite',
    '*.sqlite-*',
  ],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
}
