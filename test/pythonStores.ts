/**
 * Stores written by Python's real `eventsourcing` library (scripts/python/write_stores.py, in
 * the virtual environment scripts/python-env.sh makes), and a real PostgreSQL for them
 * (scripts/postgres.sh). Never a re-implementation: what the tests decode, the library wrote.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import type { RequestOf } from '../shared/contract'
import { parsePostgresUrl } from '../shared/settings'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SCRIPT = join(ROOT, 'scripts/python/write_stores.py')

/** The venv's interpreter: EVENTSCOPE_PYTHON, else the one scripts/python-env.sh makes. */
export function pythonBinary(): string {
  return process.env['EVENTSCOPE_PYTHON'] ?? join(ROOT, '.cache/py-venv/bin/python')
}

export interface ReportedRecord {
  readonly version: number
  readonly topic: string
  readonly payload: Record<string, unknown>
}
export interface ReportedAggregate {
  readonly id: string
  readonly type: string
  readonly version: number
  readonly events: ReportedRecord[]
  readonly snapshots: ReportedRecord[]
}
export interface ReportedApplication {
  readonly name: string
  readonly backend: 'sqlite' | 'postgres'
  readonly encrypted: boolean
  readonly compressed: boolean
  readonly recorder: 'application' | 'aggregate'
  readonly tables: { events: string; snapshots: string; schema?: string }
  readonly path?: string
  readonly aggregates: ReportedAggregate[]
}
export interface WriteReport {
  readonly key: string
  readonly applications: ReportedApplication[]
}

/** A fresh CIPHER_KEY as the library makes them (AESCipher.create_key(32)). */
export function createPythonKey(): string {
  return execFileSync(
    pythonBinary(),
    ['-c', 'from eventsourcing.cipher import AESCipher; print(AESCipher.create_key(32))'],
    { encoding: 'utf8' },
  ).trim()
}

export function writePythonStores(options: {
  sqliteDir?: string
  postgresUrl?: string
  key?: string
}): WriteReport & { sqliteDir: string } {
  const sqliteDir = options.sqliteDir ?? mkdtempSync(join(tmpdir(), 'eventscope-python-'))
  const key = options.key ?? createPythonKey()
  const out = execFileSync(
    pythonBinary(),
    [
      SCRIPT,
      'write',
      '--sqlite-dir',
      sqliteDir,
      '--key',
      key,
      ...(options.postgresUrl ? ['--postgres-url', options.postgresUrl] : []),
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  )
  return { ...(JSON.parse(out) as WriteReport), sqliteDir }
}

/**
 * A copy of a Python application's SQLite file, changed by a Python snippet run with
 * `sys.argv[1]` the copy and `args` after it: Python's sqlite3 writes it, so the tests need no
 * SQLite driver of ours to damage or grow a store.
 */
export function editedSqliteCopy(path: string, python: string, args: readonly string[]): string {
  const copy = join(mkdtempSync(join(tmpdir(), 'eventscope-edited-')), 'store.sqlite')
  copyFileSync(path, copy)
  execFileSync(pythonBinary(), ['-c', python, copy, ...args])
  return copy
}

/** Appends `count` events to one aggregate with the library, and reports them. */
export function appendPythonEvents(options: {
  sqliteDir: string
  postgresUrl?: string
  key: string
  app: string
  backend: 'sqlite' | 'postgres'
  /** Absent: a new aggregate (a Library Book), created and changed `count` - 1 times. */
  id?: string
  count: number
}): { aggregates: ReportedAggregate[] } {
  const out = execFileSync(
    pythonBinary(),
    [
      SCRIPT,
      'append',
      '--sqlite-dir',
      options.sqliteDir,
      '--key',
      options.key,
      '--app',
      options.app,
      '--backend',
      options.backend,
      ...(options.id ? ['--id', options.id] : []),
      '--count',
      String(options.count),
      ...(options.postgresUrl ? ['--postgres-url', options.postgresUrl] : []),
    ],
    { encoding: 'utf8' },
  )
  return JSON.parse(out) as { aggregates: ReportedAggregate[] }
}

/** The connect request that opens one written application (postgresUrl: the database written). */
export function pythonConnectSettings(
  a: ReportedApplication,
  postgresUrl: string | undefined,
): RequestOf<'connect'> {
  if (a.backend === 'sqlite') return { kind: 'python-sqlite', path: a.path! }
  return {
    kind: 'python-postgres',
    ...parsePostgresUrl(postgresUrl!)!,
    pythonApplication: a.name,
    ...(a.tables.schema && a.tables.schema !== 'public' ? { pgSchema: a.tables.schema } : {}),
  }
}

/** Whether the venv with the library is there (scripts/python-env.sh makes it). */
export function pythonAvailable(): { ok: true } | { ok: false; reason: string } {
  if (!existsSync(pythonBinary()))
    return { ok: false, reason: `no Python at ${pythonBinary()}: run bash scripts/python-env.sh` }
  const probe = spawnSync(pythonBinary(), ['-c', 'import eventsourcing, Crypto, psycopg'])
  return probe.status === 0
    ? { ok: true }
    : {
        ok: false,
        reason: `the venv lacks eventsourcing[crypto] or psycopg: ${String(probe.stderr)}`,
      }
}

/**
 * What a Python store test file needs before it declares its tests: the venv, and a fresh
 * database on a real PostgreSQL. `unavailable` says why not; in CI that fails the file's tests
 * (their beforeAll throws it), elsewhere they are skipped with a loud warning naming `what`.
 */
export async function pythonTestDatabase(what: string): Promise<{
  database: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined
  unavailable: string | undefined
}> {
  const python = pythonAvailable()
  if (!python.ok) return warned(what, { database: undefined, unavailable: python.reason })
  try {
    return { database: await freshPostgresDatabase(), unavailable: undefined }
  } catch (error) {
    return warned(what, { database: undefined, unavailable: (error as Error).message })
  }
}

function warned<T extends { unavailable: string | undefined }>(what: string, result: T): T {
  if (!process.env['CI'])
    console.warn(
      `\n${'!'.repeat(80)}\n!! SKIPPED ${what}: ${result.unavailable}\n${'!'.repeat(80)}\n`,
    )
  return result
}

/**
 * A PostgreSQL to write to: EVENTSCOPE_TEST_POSTGRES_URL, else the cluster scripts/postgres.sh
 * runs (started here when it is not running). A fresh database per call, dropped by `drop`.
 */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  let base = process.env['EVENTSCOPE_TEST_POSTGRES_URL']
  if (!base) {
    const script = join(ROOT, 'scripts/postgres.sh')
    let url = spawnSync('bash', [script, 'url'], { encoding: 'utf8' })
    if (url.status !== 0) {
      const started = spawnSync('bash', [script, 'start'], { encoding: 'utf8' })
      if (started.status !== 0)
        throw new Error(`PostgreSQL could not be started: ${started.stderr || started.stdout}`)
      url = spawnSync('bash', [script, 'url'], { encoding: 'utf8' })
    }
    base = url.stdout.trim()
  }
  const name = `eventscope_py_${randomBytes(5).toString('hex')}`
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(base)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: base })
      await client.connect()
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await client.end()
      }
    },
  }
}
