/**
 * One-event saves in a loop on SQLite, Eventscope against Python `eventsourcing` 9.x, both at
 * synchronous=FULL (WAL: the WAL is synced before each commit returns), in interleaved rounds.
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/save-sqlite.ts [--saves 1000] [--rounds 5]
 *       [--synchronous FULL|NORMAL] [--no-python]
 *
 * Each save creates a new aggregate (one Created event, no snapshots, no cipher) and awaits
 * `app.save(aggregate)`: one transaction, one commit. The driver is EVENTSCOPE_SQLITE_DRIVER's
 * (better-sqlite3 in Node unless told). Python runs bench/python/save_loop.py from
 * .cache/bench-venv (bash bench/setup-compare.sh installs it). The ratio printed is Python's
 * time ÷ Eventscope's for the same number of saves (above 1: Eventscope is faster).
 * `runEventscopeSaveLoop` and `runPythonSaveLoop` are exported for the overall bench harness.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  Application,
  createSqliteStore,
  sqlitePragmasOf,
  type SqliteSynchronous,
} from '../electron/eventsourcing'
import { createExampleAggregate } from '../electron/example/factory'
import { sqliteDriverFromEnv } from '../electron/explorer/storeEnv'

export interface SaveLoopResult {
  readonly saves: number
  readonly ms: number
  readonly perSecond: number
  /** Read back from SQLite: 2 is FULL, 1 NORMAL. */
  readonly synchronous: number
  readonly journalMode: string
}

const root = new URL('..', import.meta.url).pathname
export const PYTHON = join(root, '.cache', 'bench-venv', 'bin', 'python')

export async function runEventscopeSaveLoop(
  saves: number,
  synchronous: SqliteSynchronous = 'FULL',
  dir = tmpdir(),
): Promise<SaveLoopResult> {
  const folder = mkdtempSync(join(dir, 'eventscope-save-'))
  try {
    const store = createSqliteStore(join(folder, 'events.sqlite'), {
      driver: sqliteDriverFromEnv(),
      synchronous,
    })
    const pragmas = sqlitePragmasOf(store)!
    const app = new Application({ store, snapshotPeriod: 0 })
    // As the Python loop: a few saves first (the key check record, the tables' first pages).
    for (let i = 0; i < 20; i++) await app.save(createExampleAggregate(`warm ${i}`))
    const started = performance.now()
    for (let i = 0; i < saves; i++) await app.save(createExampleAggregate(`item ${i}`))
    const ms = performance.now() - started
    await app.close()
    return { saves, ms, perSecond: Math.round(saves / (ms / 1000)), ...pragmas }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

export function runPythonSaveLoop(
  saves: number,
  synchronous: SqliteSynchronous = 'FULL',
  dir = tmpdir(),
): SaveLoopResult {
  const run = spawnSync(
    PYTHON,
    [
      join(root, 'bench', 'python', 'save_loop.py'),
      '--saves',
      String(saves),
      '--synchronous',
      synchronous,
      '--dir',
      dir,
    ],
    { encoding: 'utf8' },
  )
  if (run.status !== 0) throw new Error(`save_loop.py failed: ${run.stderr || run.error}`)
  const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
    saves: number
    ms: number
    per_second: number
    synchronous: number
    journal_mode: string
  }
  return {
    saves: out.saves,
    ms: out.ms,
    perSecond: out.per_second,
    synchronous: out.synchronous,
    journalMode: out.journal_mode,
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      saves: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '5' },
      synchronous: { type: 'string', default: 'FULL' },
      'no-python': { type: 'boolean', default: false },
    },
  })
  const saves = Number(values.saves)
  const rounds = Number(values.rounds)
  const synchronous = values.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'
  const python = !values['no-python'] && existsSync(PYTHON)
  if (!values['no-python'] && !python) console.log(`no ${PYTHON}: bash bench/setup-compare.sh`)
  const ours: number[] = []
  const theirs: number[] = []
  for (let round = 1; round <= rounds; round++) {
    // Alternating who goes first evens out a disk that is busier at one moment than another.
    const order = round % 2 ? ['eventscope', 'python'] : ['python', 'eventscope']
    for (const who of order) {
      if (who === 'python' && !python) continue
      const r =
        who === 'python'
          ? runPythonSaveLoop(saves, synchronous)
          : await runEventscopeSaveLoop(saves, synchronous)
      ;(who === 'python' ? theirs : ours).push(r.ms)
      console.log(
        `round ${round} ${who.padEnd(10)} ${saves} saves ${r.ms.toFixed(0).padStart(6)} ms ${String(r.perSecond).padStart(6)} saves/s  synchronous=${r.synchronous} journal=${r.journalMode}`,
      )
    }
  }
  const m = median(ours)
  console.log(`Eventscope median ${m.toFixed(0)} ms (${Math.round(saves / (m / 1000))} saves/s)`)
  if (theirs.length) {
    const t = median(theirs)
    console.log(
      `Python eventsourcing median ${t.toFixed(0)} ms (${Math.round(saves / (t / 1000))} saves/s)`,
    )
    console.log(`Python ÷ Eventscope (time): ${(t / m).toFixed(2)}×`)
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  void main()
}
