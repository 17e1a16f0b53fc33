/**
 * Python eventsourcing stores, large: the first page of 100,000 aggregates and of a
 * 100,000-event history, read through the explorer service (what the UI calls) from a store
 * the real library wrote, against the same shapes in our own SQLite store. The figure is the
 * Python store's time ÷ ours; the goal is "the same time", taken as at most 1.2× (the noise of
 * two shared cores is about a tenth).
 *
 *   many   100,000 one-event aggregates (Python: bench/python/large_store.py, 5,000 a save;
 *          ours: the example application, 1,000 a save)
 *   long   one 100,000-event aggregate and one of 10 beside it, no snapshots
 *
 * The stores are built once and kept under .cache/bench-python-stores/ (a `.json` file beside
 * each marks it complete), so reruns only measure. When the throwaway PostgreSQL cluster
 * (scripts/postgres.sh) is running, the Python stores are written there too and measured as
 * extra figures; it is never started here.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { methods, type RequestOf } from '../../shared/contract'
import { parsePostgresUrl } from '../../shared/settings'
import { ExplorerService } from '../../electron/explorer/service'
import { pythonTables } from '../../electron/explorer/python/reader'
import { openPythonSqlite } from '../../electron/explorer/python/sqliteReader'
import {
  ROOT,
  VENV_PYTHON,
  atMost,
  interleave,
  median,
  round,
  skipped,
  timed,
  type BenchModule,
  type Contender,
  type RowResult,
} from '../lib/harness'
import { pythonMissing } from '../lib/python'
import { seedManyAggregates, seedSqlite } from '../lib/seedStore'

const ROWS = {
  list: {
    id: 'python-list-first-page',
    label: 'Python store: first page of 100k aggregates, Python ÷ our SQLite',
    goal: atMost(1.2, '≤ 1.2×'),
  },
  timeline: {
    id: 'python-timeline-first-page',
    label: 'Python store: first timeline page of a 100k-event history, Python ÷ our SQLite',
    goal: atMost(1.2, '≤ 1.2×'),
  },
} as const

/** Bumped when a writer changes, so kept stores of the old shape are rebuilt. */
const STORE_VERSION = 1
const CACHE = join(ROOT, '.cache/bench-python-stores')

type Shape = 'many' | 'long'
/** A built store: where it is and the ids the page reads (the long history's first). */
interface Built {
  readonly settings: RequestOf<'connect'>
  readonly ids: readonly string[]
}

function writePython(args: string[]): { ids: string[]; seconds: number } {
  const run = spawnSync(VENV_PYTHON, [join(ROOT, 'bench/python/large_store.py'), ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  })
  if (run.status !== 0) throw new Error(`large_store.py failed: ${run.stderr.trim()}`)
  return JSON.parse(run.stdout) as { ids: string[]; seconds: number }
}

/** Kept stores: `build` runs only when `<path>.json` (what it reported) is missing. */
async function kept(
  path: string,
  log: (line: string) => void,
  build: () => Promise<string[]>,
): Promise<string[]> {
  const marker = `${path}.json`
  if (existsSync(marker)) return JSON.parse(readFileSync(marker, 'utf8')) as string[]
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true })
  log(`python-stores: building ${path}`)
  const ids = await build()
  writeFileSync(marker, JSON.stringify(ids))
  return ids
}

/** Our own SQLite store's aggregate ids, largest history first. */
function ourIds(path: string): string[] {
  const db = new Database(path, { readonly: true })
  try {
    const rows = db
      .prepare('SELECT originator_id FROM aggregates ORDER BY version DESC LIMIT 1')
      .raw()
      .all() as [string][]
    return rows.map((r) => r[0])
  } finally {
    db.close()
  }
}

async function buildSqlite(shape: Shape, count: number, log: (line: string) => void) {
  mkdirSync(CACHE, { recursive: true })
  const name = (who: string) => join(CACHE, `v${STORE_VERSION}-${who}-${shape}-${count}.sqlite`)
  const pythonPath = name('python')
  const python = await kept(pythonPath, log, async () => {
    const { ids, seconds } = writePython([
      '--db',
      pythonPath,
      '--shape',
      shape,
      '--count',
      `${count}`,
    ])
    log(`python-stores: Python wrote ${shape} ${count} in ${seconds} s`)
    return ids
  })
  const oursPath = name('ours')
  const ours = await kept(oursPath, log, async () => {
    if (shape === 'many') await seedManyAggregates(oursPath, count)
    else {
      await seedSqlite({ path: oursPath, aggregates: 1, events: count, snapshotPeriod: 0 })
      await seedSqlite({ path: oursPath, aggregates: 1, events: 10, snapshotPeriod: 0 })
    }
    return ourIds(oursPath)
  })
  return {
    python: { settings: { kind: 'python-sqlite', path: pythonPath }, ids: python } as Built,
    ours: { settings: { kind: 'sqlite', path: oursPath }, ids: ours } as Built,
  }
}

/** The running cluster's URL, if scripts/postgres.sh has one up (never started here). */
function postgresUrl(): string | undefined {
  const run = spawnSync('bash', [join(ROOT, 'scripts/postgres.sh'), 'url'], { encoding: 'utf8' })
  return run.status === 0 ? run.stdout.trim() : undefined
}

/** The same Python shape in a database of its own on the cluster, written once per cluster. */
async function buildPostgres(base: string, shape: Shape, count: number, log: (l: string) => void) {
  const database = `eventscope_bench_v${STORE_VERSION}_${shape}_${count}`
  const application = 'Bench'
  const url = new URL(base)
  url.pathname = `/${database}`
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  let ids: string[] | undefined
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
    if (exists.rowCount) {
      const client = new pg.Client({ connectionString: url.toString() })
      await client.connect()
      try {
        // A complete store has its ids recorded beside it (written last).
        const done = await client
          .query<{ ids: string }>('SELECT ids FROM eventscope_bench_done')
          .catch(() => undefined)
        ids = done?.rows[0] ? (JSON.parse(done.rows[0].ids) as string[]) : undefined
      } finally {
        await client.end()
      }
      if (!ids) await admin.query(`DROP DATABASE ${database} WITH (FORCE)`)
    }
    if (!ids) {
      await admin.query(`CREATE DATABASE ${database}`)
      log(`python-stores: writing ${shape} ${count} to PostgreSQL`)
      const wrote = writePython([
        '--postgres-url',
        url.toString(),
        '--app',
        application,
        '--shape',
        shape,
        '--count',
        `${count}`,
      ])
      log(`python-stores: Python wrote ${shape} ${count} to PostgreSQL in ${wrote.seconds} s`)
      ids = wrote.ids
      const client = new pg.Client({ connectionString: url.toString() })
      await client.connect()
      try {
        await client.query('CREATE TABLE eventscope_bench_done (ids text)')
        await client.query('INSERT INTO eventscope_bench_done VALUES ($1)', [JSON.stringify(ids)])
      } finally {
        await client.end()
      }
    }
  } finally {
    await admin.end()
  }
  return {
    settings: {
      kind: 'python-postgres',
      ...parsePostgresUrl(url.toString())!,
      pythonApplication: application,
    },
    ids,
  } as Built
}

/** One cold first page: a freshly opened service, its first call timed. */
function firstPage(store: Built, what: 'list' | 'timeline'): Contender['run'] {
  return async () => {
    const service = new ExplorerService({ env: {}, emit: () => {} })
    try {
      await service.connect(methods.connect.request.parse(store.settings))
      let items = 0
      const ms = await timed(async () => {
        items =
          what === 'list'
            ? (await service.listAggregates(methods.listAggregates.request.parse({}))).items.length
            : (
                await service.listEvents(
                  methods.listEvents.request.parse({
                    id: store.ids[0],
                    fromVersion: 0,
                    limit: 200,
                  }),
                )
              ).items.length
      })
      if (items === 0) throw new Error(`the first ${what} page of ${store.settings.kind} is empty`)
      return ms
    } finally {
      await service.close()
    }
  }
}

/**
 * The aggregate count alone, on a freshly opened reader: what countAggregates costs, asked by the
 * UI after the first page (a Python store's page carries no total; ours carries its counter).
 */
function countOnly(path: string): Contender['run'] {
  return async () => {
    const reader = openPythonSqlite(path, pythonTables('sqlite', undefined))
    try {
      return await timed(() => reader.countAggregates())
    } finally {
      await reader.close()
    }
  }
}

export const pythonStoresModule: BenchModule = {
  name: 'python-stores',
  rows: Object.values(ROWS).map((r) => r.id),
  async run({ quick, log }) {
    const why = pythonMissing()
    if (why) return Object.values(ROWS).map((r) => skipped(r.id, r.label, r.goal, '×', why))
    const count = quick ? 2_000 : 100_000
    // A first page takes 1–10 ms, so a round is cheap; 15 rounds let one busy moment of this
    // shared machine move the median by a fifth (0.47–1.8× on one build), 45 do not.
    const [rounds, warmup] = quick ? [3, 1] : [45, 5]
    const base = postgresUrl()
    const rows: RowResult[] = []
    for (const [shape, row, what] of [
      ['many', ROWS.list, 'list'],
      ['long', ROWS.timeline, 'timeline'],
    ] as const) {
      const stores = await buildSqlite(shape, count, log)
      const postgres = base ? await buildPostgres(base, shape, count, log) : undefined
      const contenders: Contender[] = [
        { key: 'ours', run: firstPage(stores.ours, what) },
        { key: 'python', run: firstPage(stores.python, what) },
        ...(postgres ? [{ key: 'postgres', run: firstPage(postgres, what) }] : []),
        ...(what === 'list' && stores.python.settings.kind === 'python-sqlite'
          ? [{ key: 'count', run: countOnly(stores.python.settings.path) }]
          : []),
      ]
      const times = await interleave(contenders, rounds, warmup, (r) =>
        log(`python-stores: ${what} round ${r}/${rounds + warmup}`),
      )
      const ms = (key: string) => median(times.get(key)!)
      const ratio = ms('python') / ms('ours')
      rows.push({
        ...row,
        value: round(ratio, 2),
        unit: '×',
        figures: {
          oursMedianMs: round(ms('ours'), 2),
          pythonSqliteMedianMs: round(ms('python'), 2),
          ...(postgres
            ? {
                pythonPostgresMedianMs: round(ms('postgres'), 2),
                postgresRatio: round(ms('postgres') / ms('ours'), 2),
              }
            : {}),
          ...(times.has('count') ? { pythonCountMs: round(ms('count'), 2) } : {}),
          size: count,
          rounds,
        },
        note:
          `${what === 'list' ? `listAggregates (default page of 100, newest change first) over ${count.toLocaleString('en')} one-event aggregates` : `listEvents from version 0, 200 events, of a ${count.toLocaleString('en')}-event aggregate`}` +
          `, a freshly opened service each run, median of ${rounds} interleaved rounds; ` +
          (times.has('count')
            ? `the aggregate count, no longer in the Python page (countAggregates, asked after it: a Python store keeps no counter, so COUNT(DISTINCT originator_id) reads the whole primary key) ${round(ms('count'), 1)} ms; `
            : '') +
          (postgres
            ? `PostgreSQL (the running scripts/postgres.sh cluster): ${round(ms('postgres'), 1)} ms, ${round(ms('postgres') / ms('ours'), 2)}× ours`
            : 'PostgreSQL not measured: no cluster running (bash scripts/postgres.sh start)'),
      })
    }
    return rows
  },
}
