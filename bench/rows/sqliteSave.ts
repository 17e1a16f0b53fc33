/**
 * SQLite one-event saves, both at synchronous=FULL: N saves of one change to one aggregate,
 * Python eventsourcing (bench/python/save_loop.py, its own timing) against Eventscope's
 * `aggregate.save()`, interleaved. The figure is Python's time ÷ Eventscope's.
 *
 * Both pay the same fsync per commit: FULL is the store's default, and the bench reads the
 * setting back from the store's connection to report it beside Python's.
 *
 * Beside them, the floor: better-sqlite3 alone committing one small row per transaction in a
 * WAL file at FULL (`rawCommitMsPerSave`). No durable one-event save can cost less, so
 * `pythonOverRawCommit` is the highest this row's ratio could reach on this disk.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { createSqliteStore } from '../../electron/eventsourcing'
import { EverythingApplication } from '../../electron/example/everythingApplication'
import {
  atLeast,
  interleave,
  median,
  round,
  skipped,
  timed,
  type BenchModule,
} from '../lib/harness'
import { pythonMissing, startPython } from '../lib/python'

const ROW = {
  id: 'sqlite-save-python',
  label: 'SQLite one-event saves, synchronous=FULL: Python ÷ Eventscope',
  goal: atLeast(1.5, '≥ 1.5×'),
} as const

interface Pragmas {
  exec(sql: string): void
  prepare(sql: string): { get(): unknown[] | undefined }
}

export const sqliteSaveModule: BenchModule = {
  name: 'sqlite-save',
  rows: [ROW.id],
  async run({ quick, folder, log }) {
    const missing = pythonMissing()
    if (missing) return [skipped(ROW.id, ROW.label, ROW.goal, '×', missing)]
    const saves = quick ? 50 : 500
    const [rounds, warmup] = quick ? [2, 1] : [7, 1]
    const store = createSqliteStore(join(folder, 'es-save.sqlite'), {
      driver: 'better-sqlite3',
      synchronous: 'FULL',
    })
    // The store's own connection (SqliteDatabase.db); a bench-only reach inside the store.
    const db = (store.events as unknown as { database: { db: Pragmas } }).database.db
    const esSync = Number(db.prepare('PRAGMA synchronous').get()?.[0])
    const app = new EverythingApplication({ store, compress: false, snapshotPeriod: 0 })
    const aggregate = app.createExampleAggregate('start')
    await aggregate.save()
    const floor = new Database(join(folder, 'raw-commit.sqlite'))
    floor.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL')
    floor.exec('CREATE TABLE saves (id INTEGER PRIMARY KEY, value TEXT NOT NULL)')
    const insert = floor.prepare('INSERT INTO saves (value) VALUES (?)')
    const commitOne = floor.transaction((value: string) => insert.run(value))
    const python = await startPython('save_loop.py', ['--db', join(folder, 'py-save.sqlite')])
    try {
      let n = 0
      const times = await interleave(
        [
          {
            key: 'eventscope',
            run: () =>
              timed(async () => {
                for (let i = 0; i < saves; i++) {
                  aggregate.foo = `value ${++n}`
                  await aggregate.save()
                }
              }),
          },
          { key: 'python', run: async () => (await python.ask(`save ${saves}`))['ms'] as number },
          {
            key: 'raw',
            run: () =>
              timed(() => {
                for (let i = 0; i < saves; i++) commitOne(`value ${++n}`)
              }),
          },
        ],
        rounds,
        warmup,
        (r) => log(`sqlite-save: round ${r}/${rounds + warmup}`),
      )
      const es = median(times.get('eventscope')!) / saves
      const py = median(times.get('python')!) / saves
      const raw = median(times.get('raw')!) / saves
      if (esSync !== 2 || python.ready['synchronous'] !== 2)
        throw new Error(
          `synchronous is not FULL (Eventscope ${esSync}, Python ${String(python.ready['synchronous'])})`,
        )
      return [
        {
          ...ROW,
          value: round(py / es),
          unit: '×',
          figures: {
            eventscopeMsPerSave: round(es, 4),
            pythonMsPerSave: round(py, 4),
            eventscopePerSecond: Math.round(1000 / es),
            pythonPerSecond: Math.round(1000 / py),
            rawCommitMsPerSave: round(raw, 4),
            pythonOverRawCommit: round(py / raw),
          },
          note: `${saves} saves per round, medians of ${rounds} interleaved rounds; WAL + synchronous=FULL in both; the floor (better-sqlite3 alone, one row per commit at FULL) ${round(raw, 3)} ms a save, so Python ÷ floor = ${round(py / raw)}× is the most any durable store could show here`,
        },
      ]
    } finally {
      floor.close()
      await python.close()
      await app.close()
    }
  },
}
