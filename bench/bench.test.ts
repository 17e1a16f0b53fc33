/**
 * `npm run bench -- --quick` end to end: every module but the UI one (which needs a build and
 * Chromium; `npm run bench -- --quick --only ui` runs it) completes, and every figure it reports
 * is finite. No timing threshold: the goals are for the full run on a quiet machine
 * (docs/performance.md). In CI every peer must be there (.ci/run installs them through
 * bench/setup-compare.sh): Python eventsourcing, Emmett, the raw drivers and Cassandra.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import type { BenchReport } from './run'
import { ROOT } from './lib/harness'

const folder = mkdtempSync(join(tmpdir(), 'eventscope-bench-test-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

test('the quick bench completes and reports finite figures for every row', async () => {
  const out = join(folder, 'quick.json')
  let output = ''
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'bench/run.ts', '--quick', '--skip', 'ui', '--out', out],
      { cwd: ROOT, env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.node.json' } },
    )
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.on('exit', resolve)
  })
  expect(code, output).toBe(0)
  const report = JSON.parse(readFileSync(out, 'utf8')) as BenchReport
  expect(report.quick).toBe(true)
  expect(report.rows.map((r) => r.id)).toEqual([
    'replay-python',
    'replay-emmett',
    'replay-raw',
    'replay-encrypted',
    'cassandra-save-1',
    'cassandra-save-16',
    'sqlite-save-python',
    'bundle',
    'seeding',
    'python-list-first-page',
    'python-timeline-first-page',
  ])
  for (const row of report.rows) {
    expect(row.error, row.id).toBeUndefined()
    if (row.value === null) {
      // Skipped: only with a reason, and in CI only the bundle (built after the unit tests).
      expect(row.note, row.id).toMatch(/^skipped: /)
      if (process.env['CI']) expect(row.id).toBe('bundle')
      continue
    }
    expect(Number.isFinite(row.value), `${row.id}: ${row.value}`).toBe(true)
    expect(row.value, row.id).toBeGreaterThan(0)
    for (const [name, figure] of Object.entries(row.figures))
      expect(Number.isFinite(figure), `${row.id}.${name}: ${figure}`).toBe(true)
    expect(typeof row.pass).toBe('boolean')
  }
}, 600_000)
