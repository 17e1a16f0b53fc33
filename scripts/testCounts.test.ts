/**
 * The counts `npm test` prints, read from real reports: vitest and Playwright run the small suites
 * of scripts/countFixtures (each fails in one way on purpose) and scripts/testCounts.mjs counts
 * what they wrote. The reporters' own totals are checked too, to show what they would have said.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addCounts, countsLine, playwrightCounts, vitestCounts } from './testCounts.mjs'

const root = new URL('..', import.meta.url).pathname
const fixtures = join(root, 'scripts', 'countFixtures')
const work = mkdtempSync(join(tmpdir(), 'eventscope-counts-'))

/** The child runners must not think they run inside this vitest. */
const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_ENV'),
)

interface Run {
  report: unknown
  exitStatus: number | null
}

/** Runs a command to its end; `started`, when given, is called once a file appears, with the child. */
function runToEnd(
  args: string[],
  reportFile: string,
  env: Record<string, string> = {},
  whenStarted?: { file: string; then: (child: ReturnType<typeof spawn>) => void },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...childEnv, ...env },
      stdio: 'ignore',
    })
    let poll: NodeJS.Timeout | undefined
    if (whenStarted) {
      poll = setInterval(() => {
        if (!existsSync(whenStarted.file)) return
        clearInterval(poll)
        whenStarted.then(child)
      }, 100)
    }
    child.on('error', reject)
    child.on('close', (code) => {
      clearInterval(poll)
      const report = existsSync(reportFile)
        ? (JSON.parse(readFileSync(reportFile, 'utf8')) as unknown)
        : undefined
      resolve({ report, exitStatus: code })
    })
  })
}

function vitest(name: string, files: string[]): Promise<Run> {
  const out = join(work, `${name}.json`)
  const args = ['node_modules/vitest/vitest.mjs', 'run', '--root', join(fixtures, 'vitest')]
  return runToEnd([...args, '--reporter=json', `--outputFile.json=${out}`, ...files], out)
}

function playwright(name: string, files: string[], started?: string): Promise<Run> {
  const out = join(work, `${name}.json`)
  const config = join(fixtures, 'playwright', 'playwright.config.ts')
  const env = {
    PLAYWRIGHT_JSON_OUTPUT_NAME: out,
    COUNTS_OUTPUT_DIR: join(work, `${name}-output`),
    ...(started ? { COUNTS_STARTED: started } : {}),
  }
  const args = ['node_modules/@playwright/test/cli.js', 'test', '--config', config, ...files]
  // Interrupted the way a Ctrl-C or CI's cancel interrupts a run.
  const interrupt = started
    ? { file: started, then: (child: ReturnType<typeof spawn>) => child.kill('SIGINT') }
    : undefined
  return runToEnd(args, out, env, interrupt)
}

let runs: Record<'vitest' | 'unhandled' | 'playwright' | 'unloadable' | 'interrupted', Run>

beforeAll(async () => {
  // At once: each run is mostly waiting for its runner to start.
  const [vitestRun, unhandled, playwrightRun, unloadable, interrupted] = await Promise.all([
    vitest('vitest', ['beforeAll', 'importError', 'afterAll', 'nestedHook', 'mixed']),
    vitest('unhandled', ['unhandled']),
    playwright('playwright', ['mixed', 'hooks']),
    playwright('unloadable', ['importError']),
    playwright('interrupted', ['interrupted'], join(work, 'started')),
  ])
  runs = {
    vitest: vitestRun!,
    unhandled: unhandled!,
    playwright: playwrightRun!,
    unloadable: unloadable!,
    interrupted: interrupted!,
  }
}, 300_000)

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('vitestCounts', () => {
  it('counts a failing beforeAll, an import error, an afterAll error and a nested hook as failed', () => {
    const { report, exitStatus } = runs.vitest
    const counts = vitestCounts(report, exitStatus, 'fixtures')
    // Failed: the failing test, the two tests a beforeAll kept from running, the unloadable file,
    // the afterAll error, and the test a nested group's failing beforeAll kept from running.
    expect(counts).toMatchObject({ passed: 3, failed: 6, skipped: 5, flaky: 0 })
    expect(counts.notes.join('\n')).toMatch(/keyspace creation failed/)
    // Each failed test is named with where it is and the first line of its error.
    expect(counts.notes).toContainEqual(
      expect.stringMatching(
        /^fixtures: ✗ .*mixed\.fixture\.ts › fails: AssertionError: expected 1 to be 2/,
      ),
    )
    expect(counts.notes.join('\n')).toMatch(/does-not-exist/)
    expect(counts.notes.join('\n')).toMatch(/cleanup failed/)
    // What vitest's own totals say: one failure, and the kept-from-running tests as skips.
    expect(report).toMatchObject({ numFailedTests: 1, numPassedTests: 3 })
    expect(exitStatus).toBe(1)
  })

  it('counts every skip, todo included, in a file that did not fail outside its tests', () => {
    const mixed = (runs.vitest.report as { testResults: { name: string }[] }).testResults.filter(
      (file) => file.name.endsWith('mixed.fixture.ts'),
    )
    const counts = vitestCounts({ testResults: mixed }, 1, 'mixed')
    // it.skip, the two tests of describe.skip, a skip at run time, and the todo.
    expect(counts).toMatchObject({ passed: 1, failed: 1, skipped: 5 })
  })

  it('counts an error thrown outside every test, which only the exit status shows', () => {
    const { report, exitStatus } = runs.unhandled
    expect(report).toMatchObject({ numFailedTests: 0, numFailedTestSuites: 0, numPassedTests: 2 })
    expect(exitStatus).toBe(1)
    const counts = vitestCounts(report, exitStatus, 'unhandled')
    expect(counts).toMatchObject({ passed: 2, failed: 1, skipped: 0 })
    expect(counts.notes).toEqual(['unhandled: the run failed (exit 1) outside every test'])
  })

  it('counts a run that wrote no report as failed, whatever its exit status', () => {
    expect(vitestCounts(undefined, 0, 'gone')).toMatchObject({
      failed: 1,
      notes: ['gone: no report was written'],
    })
    expect(vitestCounts({ unexpected: true }, 1).failed).toBe(1)
  })
})

describe('playwrightCounts', () => {
  it('counts failures, time-outs, hooks and the tests a failing beforeAll kept from running', () => {
    const { report, exitStatus } = runs.playwright
    const counts = playwrightCounts(report, exitStatus, 'fixtures')
    // failed: the failing test, the time-out, the beforeAll's test and the one it kept from
    // running, the test whose afterAll failed; skipped: test.skip, test.fixme, a run-time skip.
    expect(counts).toMatchObject({ passed: 2, failed: 5, skipped: 3, flaky: 1 })
    // Playwright's own stats call the test kept from running a skip.
    expect(report).toMatchObject({ stats: { expected: 1, unexpected: 4, skipped: 4, flaky: 1 } })
    expect(counts.notes).toContainEqual(
      expect.stringMatching(
        /^fixtures: ✗ mixed\.fixture\.ts:\d+ › fails: Error: expect\(received\)\.toBe\(expected\)/,
      ),
    )
    expect(counts.notes).toContainEqual(
      expect.stringMatching(/^fixtures: ✗ mixed\.fixture\.ts:\d+ › times out: Test timeout of/),
    )
    expect(exitStatus).toBe(1)
  })

  it('counts each error outside every test: a spec file that cannot be loaded fails', () => {
    const { report, exitStatus } = runs.unloadable
    expect(report).toMatchObject({ stats: { expected: 0, unexpected: 0, skipped: 0 } })
    const counts = playwrightCounts(report, exitStatus, 'unloadable')
    // The load error, and Playwright's "No tests found" that follows from it.
    expect(counts).toMatchObject({ passed: 0, failed: 2, skipped: 0 })
    expect(counts.notes[0]).toMatch(/does-not-exist/)
    expect(counts.notes[1]).toMatch(/No tests found/)
  })

  it('counts an interrupted run: the test cut short and the one never reached fail', () => {
    const { report, exitStatus } = runs.interrupted
    expect(exitStatus).not.toBe(0)
    // Playwright's own stats call both of them skipped.
    expect(report).toMatchObject({ stats: { expected: 0, unexpected: 0, skipped: 2 } })
    expect(playwrightCounts(report, exitStatus, 'interrupted')).toMatchObject({
      passed: 0,
      failed: 2,
      skipped: 0,
    })
  })

  it('counts a run that wrote no report as failed', () => {
    expect(playwrightCounts(undefined, 1, 'gone')).toMatchObject({ failed: 1 })
    expect(playwrightCounts({ stats: {} }, 0).failed).toBe(1)
  })
})

describe('countsLine', () => {
  it('adds the stages up into the closing line, naming flaky tests apart', () => {
    const stages = [
      vitestCounts(runs.vitest.report, runs.vitest.exitStatus),
      playwrightCounts(runs.playwright.report, runs.playwright.exitStatus),
    ]
    const total = stages.reduce(addCounts)
    expect(countsLine(total)).toBe(
      'tests: 5 passed, 11 failed, 8 skipped, 1 flaky (passed on a retry)',
    )
    expect(countsLine({ ...total, flaky: 0 })).toBe('tests: 5 passed, 11 failed, 8 skipped')
  })
})
