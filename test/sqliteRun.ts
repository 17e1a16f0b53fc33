/**
 * `npm test` runs the tests that open SQLite files a second time, on node:sqlite under Node 22
 * (scripts/test.mjs, EVENTSCOPE_SQLITE_DRIVER=node:sqlite: the desktop app's driver). What such
 * tests share: whether this is that run, and plain SQL on a file through the run's driver.
 */
import { createRequire } from 'node:module'
import type BetterSqlite3 from 'better-sqlite3'
import { sqliteDriverFromEnv } from '../electron/explorer/storeEnv'

/**
 * True on the node:sqlite run. That run keeps to the tests that open a SQLite file: the others
 * (memory and Cassandra variants, checks that never open a file) ran in the main run already, so
 * they are not declared there.
 */
export const onNodeSqliteRun = sqliteDriverFromEnv() === 'node:sqlite'

/** Plain SQL on a SQLite file, around the app's back; BLOBs come back as Buffers. */
export interface RawSqlite {
  all(sql: string, ...params: unknown[]): Record<string, unknown>[]
  get(sql: string, ...params: unknown[]): Record<string, unknown> | undefined
  run(sql: string, ...params: unknown[]): void
  close(): void
}

interface NodeSqliteStatement {
  all(...params: unknown[]): Record<string, unknown>[]
  get(...params: unknown[]): Record<string, unknown> | undefined
  run(...params: unknown[]): unknown
}

const require = createRequire(import.meta.url)

/**
 * Opens `path` with the driver this run uses. Each driver is loaded on demand: better-sqlite3 is
 * built for Node 20 and cannot load under the Node 22 of the node:sqlite run.
 */
export function openRawSqlite(path: string, options: { readonly?: boolean } = {}): RawSqlite {
  if (onNodeSqliteRun) {
    const { DatabaseSync } = require('node:sqlite') as {
      DatabaseSync: new (
        path: string,
        options?: { readOnly?: boolean; timeout?: number },
      ) => { prepare(sql: string): NodeSqliteStatement; close(): void }
    }
    const db = new DatabaseSync(path, { readOnly: options.readonly ?? false, timeout: 10_000 })
    const statement = (sql: string): NodeSqliteStatement => db.prepare(sql)
    return {
      all: (sql, ...params) =>
        statement(sql)
          .all(...params.map(toParam))
          .map(withBuffers),
      get: (sql, ...params) => {
        const row = statement(sql).get(...params.map(toParam))
        return row && withBuffers(row)
      },
      run: (sql, ...params) => void statement(sql).run(...params.map(toParam)),
      close: () => db.close(),
    }
  }
  const Database = require('better-sqlite3') as typeof BetterSqlite3
  const db = new Database(path, { readonly: options.readonly ?? false, timeout: 10_000 })
  return {
    all: (sql, ...params) => db.prepare(sql).all(...params) as Record<string, unknown>[],
    get: (sql, ...params) => db.prepare(sql).get(...params) as Record<string, unknown> | undefined,
    run: (sql, ...params) => void db.prepare(sql).run(...params),
    close: () => db.close(),
  }
}

/** node:sqlite returns BLOBs as Uint8Arrays; the tests read them as Buffers, as on better-sqlite3. */
function withBuffers(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [
      key,
      value instanceof Uint8Array ? Buffer.from(value) : value,
    ]),
  )
}

/** node:sqlite binds a plain Uint8Array; hand it one over a Buffer's bytes. */
function toParam(value: unknown): unknown {
  return Buffer.isBuffer(value)
    ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
    : value
}

/** Declares what `declare` declares, except on the node:sqlite run: for tests that open no file. */
export function besidesNodeSqlite(declare: () => void): void {
  if (!onNodeSqliteRun) declare()
}
