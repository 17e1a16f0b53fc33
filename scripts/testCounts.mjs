// Reads the JSON reports of vitest and Playwright into `passed / failed / skipped` counts that do
// not lie: a failure at any level (a failing beforeAll or afterAll, a file that cannot be imported,
// an error outside every test, a run that ends without a report) counts as failed, and every skip
// is counted. Pure: scripts/test.mjs does the running, this only reads what the runs left behind.

/** @typedef {{ passed: number, failed: number, skipped: number, flaky: number, notes: string[] }} Counts */

/** @returns {Counts} */
export function noCounts() {
  return { passed: 0, failed: 0, skipped: 0, flaky: 0, notes: [] }
}

/** @param {Counts} a @param {Counts} b @returns {Counts} */
export function addCounts(a, b) {
  return {
    passed: a.passed + b.passed,
    failed: a.failed + b.failed,
    skipped: a.skipped + b.skipped,
    flaky: a.flaky + b.flaky,
    notes: [...a.notes, ...b.notes],
  }
}

/** The closing line of `npm test`; flaky tests are among the passed ones and named apart. */
export function countsLine(counts) {
  const flaky = counts.flaky ? `, ${counts.flaky} flaky (passed on a retry)` : ''
  return `tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${flaky}`
}

/** A run that failed but whose report names no failure still failed once: never report it green. */
function withExit(counts, exitStatus, label) {
  if (exitStatus !== 0 && counts.failed === 0) {
    counts.failed += 1
    counts.notes.push(`${label}: the run failed (exit ${exitStatus}) outside every test`)
  }
  return counts
}

const isObject = (value) => typeof value === 'object' && value !== null

/**
 * A failure's note: where and what, on one line. The notes are printed again at the end of the
 * run, where a CI that keeps only the log's tail still shows which tests failed and why.
 */
function failureNote(label, where, message) {
  const first = String(message ?? '')
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.length > 0)
  const cut = first && first.length > 300 ? `${first.slice(0, 300)}…` : first
  return `${label}: ✗ ${where}${cut ? `: ${cut}` : ''}`
}

/** A path as the reader knows it: from the repository's root when under it. */
function shortPath(file) {
  const path = String(file ?? '?')
  const cwd = `${process.cwd()}/`
  return path.startsWith(cwd) ? path.slice(cwd.length) : path
}

/**
 * Counts a vitest `--reporter=json` report. A file whose suite failed (its `message` holds a
 * hook's or the import's error, or it failed with no failed test in it) counts as failed once at
 * least, and so does every test in it that neither passed nor failed: vitest reports the tests a
 * failing beforeAll kept from running as "skipped", and its JSON cannot tell them from a test
 * skipped on purpose in the same file, so those count as failed too until the file is fixed.
 * An unhandled error leaves no trace in the report, only in the exit status.
 * @param {unknown} report the parsed JSON, or undefined when none was written
 * @param {number | null} exitStatus the process's exit status (null: killed by a signal)
 * @param {string} label names the run in the notes
 * @returns {Counts}
 */
export function vitestCounts(report, exitStatus, label = 'vitest') {
  const counts = noCounts()
  if (!isObject(report) || !Array.isArray(report.testResults)) {
    counts.failed += 1
    counts.notes.push(`${label}: no report was written`)
    return counts
  }
  for (const file of report.testResults) {
    const tests = Array.isArray(file.assertionResults) ? file.assertionResults : []
    const count = (...statuses) => tests.filter((test) => statuses.includes(test.status)).length
    const failedTests = count('failed')
    const skippedTests = count('skipped')
    // A nested describe's failing hook leaves no message; seen only when no test failed beside it.
    const suiteFailed = file.status === 'failed' && (Boolean(file.message) || failedTests === 0)
    counts.passed += count('passed')
    // "pending" is a test that never finished (vitest maps run and queued to it).
    counts.failed += failedTests + count('pending')
    counts.skipped += count('todo')
    for (const test of tests.filter((t) => t.status === 'failed'))
      counts.notes.push(
        failureNote(
          label,
          `${shortPath(file.name)} › ${test.fullName ?? test.title}`,
          test.failureMessages?.[0],
        ),
      )
    if (suiteFailed) {
      counts.failed += Math.max(1, skippedTests)
      counts.notes.push(
        `${label}: ${file.name} failed outside its tests: ${file.message || 'a suite failed'}`,
      )
    } else counts.skipped += skippedTests
  }
  return withExit(counts, exitStatus, label)
}

/**
 * Counts a Playwright JSON report (its `stats` are not enough: they count a test that was
 * interrupted, or that a failing beforeAll kept from running, as skipped, and leave out the
 * errors outside every test such as a spec file that cannot be loaded). A test skipped on
 * purpose expects to be skipped; any other skipped test did not run and counts as failed.
 * @param {unknown} report the parsed JSON, or undefined when none was written
 * @param {number | null} exitStatus the process's exit status (null: killed by a signal)
 * @param {string} label names the run in the notes
 * @returns {Counts}
 */
export function playwrightCounts(report, exitStatus, label = 'playwright') {
  const counts = noCounts()
  if (!isObject(report) || !Array.isArray(report.suites)) {
    counts.failed += 1
    counts.notes.push(`${label}: no report was written`)
    return counts
  }
  for (const error of Array.isArray(report.errors) ? report.errors : []) {
    counts.failed += 1
    const message = String(error?.message ?? 'an error').split('\n')[0]
    counts.notes.push(`${label}: an error outside every test: ${message}`)
  }
  const visit = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status === 'expected') counts.passed += 1
        else if (test.status === 'flaky') {
          counts.passed += 1
          counts.flaky += 1
        } else if (test.status === 'skipped' && test.expectedStatus === 'skipped')
          counts.skipped += 1
        else {
          counts.failed += 1
          if (test.status === 'skipped')
            counts.notes.push(`${label}: "${spec.title}" did not run (interrupted or cut short)`)
          else {
            const results = Array.isArray(test.results) ? test.results : []
            const last = results[results.length - 1]
            counts.notes.push(
              failureNote(
                label,
                `${spec.file ?? '?'}:${spec.line ?? '?'} › ${spec.title}`,
                last?.error?.message ?? last?.status,
              ),
            )
          }
        }
      }
    }
    for (const child of suite.suites ?? []) visit(child)
  }
  for (const suite of report.suites) visit(suite)
  return withExit(counts, exitStatus, label)
}
