/**
 * `npm run bench`: every row of the performance table (docs/performance.md), each module's
 * contenders interleaved round by round, printed with its goal and PASS/FAIL, and written to
 * bench/results/latest.json.
 *
 *   npm run bench                       # the full run (several minutes)
 *   npm run bench -- --quick            # small sizes, few rounds: a smoke run (bench.test.ts)
 *   npm run bench -- --only replay,ui   # modules (replay cassandra sqlite-save ui bundle seeding python-stores) or row ids
 *   npm run bench -- --skip ui          # every module but these
 *   npm run bench -- --out FILE         # where the JSON goes (default: latest.json, quick.json)
 *   npm run bench -- --only ui --merge  # replace only these rows in the existing JSON
 *
 * Goals are reported, never enforced: the exit code is 1 only when a row could not be measured.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { ROOT, passOf, type BenchModule, type RowResult } from './lib/harness'
import { bundleModule } from './rows/bundle'
import { cassandraModule } from './rows/cassandra'
import { pythonStoresModule } from './rows/pythonStores'
import { replayModule } from './rows/replay'
import { seedingModule } from './rows/seeding'
import { sqliteSaveModule } from './rows/sqliteSave'
import { uiModule } from './rows/ui'

/** In the table's order. */
const MODULES: readonly BenchModule[] = [
  replayModule,
  cassandraModule,
  sqliteSaveModule,
  uiModule,
  bundleModule,
  seedingModule,
  pythonStoresModule,
]

const ORDER = MODULES.flatMap((m) => m.rows)

export interface BenchReport {
  readonly date: string
  readonly quick: boolean
  readonly durationMs: number
  readonly machine: Record<string, string | number>
  readonly rows: readonly (RowResult & { pass: boolean | null; measuredAt?: string })[]
}

function table(report: BenchReport): string {
  const lines = [
    '| row | goal | measured | result |',
    '| --- | --- | --: | :-: |',
    ...report.rows.map((r) => {
      const value =
        r.value === null
          ? '—'
          : `${r.value.toLocaleString('en')}${r.unit === '×' ? '×' : ` ${r.unit}`}`
      const result = r.error ? 'ERROR' : r.pass === null ? 'SKIP' : r.pass ? 'PASS' : 'FAIL'
      return `| ${r.label} | ${r.goal.text} | ${value} | ${result} |`
    }),
  ]
  return lines.join('\n')
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      skip: { type: 'string', multiple: true },
      out: { type: 'string' },
      merge: { type: 'boolean', default: false },
    },
  })
  const quick = values.quick ?? false
  const only = (values.only ?? [])
    .flatMap((o) => o.split(','))
    .map((o) => o.trim())
    .filter(Boolean)
  const skip = (values.skip ?? [])
    .flatMap((o) => o.split(','))
    .map((o) => o.trim())
    .filter(Boolean)
  const unknown = [...only, ...skip].filter(
    (o) => !MODULES.some((m) => m.name === o || m.rows.includes(o)),
  )
  if (unknown.length) {
    console.error(
      `unknown --only ${unknown.join(', ')}; modules: ${MODULES.map((m) => m.name).join(', ')}; rows: ${ORDER.join(', ')}`,
    )
    return 2
  }
  const chosen = MODULES.filter(
    (m) =>
      (only.length === 0 || only.includes(m.name) || m.rows.some((r) => only.includes(r))) &&
      !skip.includes(m.name),
  )
  // A part of the bench replaces latest.json's table only with --merge (which keeps the other
  // rows); otherwise it goes to partial.json, so `--only replay` cannot wipe the other rows.
  const partial = (only.length > 0 || skip.length > 0) && !values.merge
  const out =
    values.out ??
    join(ROOT, 'bench/results', quick ? 'quick.json' : partial ? 'partial.json' : 'latest.json')
  const started = Date.now()
  const results: BenchReport['rows'][number][] = []
  for (const module of chosen) {
    const folder = mkdtempSync(join(tmpdir(), `eventscope-bench-${module.name}-`))
    const t0 = Date.now()
    try {
      const rows = await module.run({
        quick,
        folder,
        log: (line) => console.error(`  ${line}`),
      })
      for (const row of rows)
        if (only.length === 0 || only.includes(module.name) || only.includes(row.id))
          results.push({ ...row, pass: passOf(row), measuredAt: new Date().toISOString() })
      console.error(`${module.name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
      console.error(`${module.name} failed: ${message}`)
      for (const id of module.rows)
        results.push({
          id,
          label: id,
          goal: { op: '>=', target: 0, text: '' },
          value: null,
          unit: '',
          figures: {},
          pass: null,
          error: message.split('\n')[0]!,
        })
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  }
  if (values.merge && existsSync(out)) {
    // Keep the other rows of the earlier run (each row says when it was measured).
    const earlier = JSON.parse(readFileSync(out, 'utf8')) as BenchReport
    for (const row of earlier.rows) if (!results.some((r) => r.id === row.id)) results.push(row)
  }
  results.sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id))
  const report: BenchReport = {
    date: new Date().toISOString(),
    quick,
    durationMs: Date.now() - started,
    machine: {
      node: process.version,
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    },
    rows: results,
  }
  console.log(`\n${table(report)}\n`)
  for (const r of results) if (r.note || r.error) console.log(`- ${r.id}: ${r.error ?? r.note}`)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`)
  console.log(
    `\nwrote ${out} (${(report.durationMs / 1000).toFixed(0)} s, load ${report.machine['loadAverage1m']})`,
  )
  return results.some((r) => r.error) ? 1 : 0
}

// Exit at once: a driver's idle sockets or timers must not hold a finished run open.
process.exit(await main())
