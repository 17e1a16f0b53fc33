import { createRequire } from 'node:module'
import type BetterSqlite3 from 'better-sqlite3'

/**
 * The little of SQLite the recorders use, over two drivers: better-sqlite3 in Node (fast,
 * prebuilt for Node's ABI) and Node's built-in `node:sqlite` inside Electron, whose own Node
 * has it — a native module built for Node would not load there, and rebuilding it for
 * Electron needs headers this project cannot assume. Rows always come back as arrays.
 */
export interface SqliteStatement {
  run(...params: unknown[]): { lastInsertRowid: number | bigint }
  all(...params: unknown[]): unknown[][]
  get(...params: unknown[]): unknown[] | undefined
}

export interface SqliteConnection {
  readonly driver: SqliteDriverName
  prepare(sql: string): SqliteStatement
  exec(sql: string): void
  /** Runs `body` in a BEGIN IMMEDIATE transaction: committed if it returns, rolled back if it throws. */
  immediate<T>(body: () => T): T
  close(): void
}

export type SqliteDriverName = 'better-sqlite3' | 'node:sqlite'

/** What went wrong, in the same words whichever driver reported it. */
export type SqliteFailure = 'constraint' | 'busy' | 'readonly' | 'other'

export function classifySqliteError(error: unknown): SqliteFailure {
  const e = error as { code?: unknown; errcode?: unknown }
  // better-sqlite3: code 'SQLITE_CONSTRAINT_PRIMARYKEY'; node:sqlite: errcode (extended result code).
  const code = typeof e.code === 'string' ? e.code : ''
  const primary = typeof e.errcode === 'number' ? e.errcode & 0xff : undefined
  if (code.startsWith('SQLITE_CONSTRAINT') || primary === 19) return 'constraint'
  if (
    code.startsWith('SQLITE_BUSY') ||
    code.startsWith('SQLITE_LOCKED') ||
    primary === 5 ||
    primary === 6
  )
    return 'busy'
  if (code.startsWith('SQLITE_READONLY') || primary === 8) return 'readonly'
  return 'other'
}

/** The driver this runtime can load: node:sqlite inside Electron, better-sqlite3 in Node. */
export function defaultSqliteDriver(): SqliteDriverName {
  return process.versions['electron'] ? 'node:sqlite' : 'better-sqlite3'
}

const require = createRequire(import.meta.url)

export function openSqlite(
  path: string,
  driver: SqliteDriverName = defaultSqliteDriver(),
): SqliteConnection {
  return driver === 'node:sqlite' ? openNodeSqlite(path) : openBetterSqlite(path)
}

function openBetterSqlite(path: string): SqliteConnection {
  // Loaded on demand so that a process that cannot load the native module (Electron) never tries.
  const Database = require('better-sqlite3') as typeof BetterSqlite3
  const db = new Database(path, { timeout: 10_000 })
  // One transaction function, made once, that runs the body it is given: db.transaction(fn)
  // builds four wrappers and their properties, about 16 µs, which a one-event save paid each time.
  const inImmediate = db.transaction((body: () => unknown) => body()).immediate
  return {
    driver: 'better-sqlite3',
    prepare(sql) {
      const statement = db.prepare(sql)
      const returnsRows = statement.reader
      const rows = returnsRows ? statement.raw(true) : statement
      return {
        run: (...params) => statement.run(...params),
        all: (...params) => rows.all(...params) as unknown[][],
        get: (...params) => rows.get(...params) as unknown[] | undefined,
      }
    },
    exec: (sql) => void db.exec(sql),
    immediate: <T>(body: () => T) => inImmediate(body) as T,
    close: () => {
      if (db.open) db.close()
    },
  }
}

interface NodeSqliteStatement {
  run(...params: unknown[]): { lastInsertRowid: number | bigint }
  all(...params: unknown[]): unknown[]
  get(...params: unknown[]): unknown
  setReturnArrays(enabled: boolean): void
}
interface NodeSqliteDatabase {
  prepare(sql: string): NodeSqliteStatement
  exec(sql: string): void
  close(): void
  readonly isOpen?: boolean
}

function openNodeSqlite(path: string): SqliteConnection {
  const { DatabaseSync } = require('node:sqlite') as {
    DatabaseSync: new (path: string, options?: { timeout?: number }) => NodeSqliteDatabase
  }
  const db = new DatabaseSync(path, { timeout: 10_000 })
  let open = true
  return {
    driver: 'node:sqlite',
    prepare(sql) {
      const statement = db.prepare(sql)
      statement.setReturnArrays(true)
      return {
        run: (...params) => statement.run(...params.map(toNodeSqliteParam)),
        all: (...params) => statement.all(...params.map(toNodeSqliteParam)) as unknown[][],
        get: (...params) =>
          statement.get(...params.map(toNodeSqliteParam)) as unknown[] | undefined,
      }
    },
    exec: (sql) => db.exec(sql),
    immediate(body) {
      db.exec('BEGIN IMMEDIATE')
      try {
        const result = body()
        db.exec('COMMIT')
        return result
      } catch (error) {
        db.exec('ROLLBACK')
        throw error
      }
    },
    close() {
      if (open) db.close()
      open = false
    },
  }
}

/** node:sqlite binds Uint8Array but not every Buffer subclass view the same way; normalise. */
function toNodeSqliteParam(value: unknown): unknown {
  return Buffer.isBuffer(value)
    ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
    : value
}
