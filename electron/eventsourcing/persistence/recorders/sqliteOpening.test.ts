import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import { StoreUnavailable } from '../../errors'
import { rec } from '../../../../test/recorderListTesting'
import { createSqliteStore } from './sqlite'

// Opening a file writes nothing before its tables were looked at: another program's file is
// refused as it was, and a read-only store is never written, not even its journal mode.
const folder = mkdtempSync(join(tmpdir(), 'eventscope-sqlite-opening-'))
let n = 0
const file = (name: string): string => join(folder, `${name}-${++n}.sqlite`)
const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')
const tablesOf = (path: string) => {
  const db = new Database(path, { readonly: true })
  try {
    return (db.prepare('SELECT name FROM sqlite_master ORDER BY name').raw().all() as string[][])
      .map(([name]) => name)
      .join(',')
  } finally {
    db.close()
  }
}

/** Another program's database, in the rollback journal mode most programs leave. */
function foreignFile(schema: string): string {
  const path = file('foreign')
  const db = new Database(path)
  db.exec(schema)
  db.close()
  return path
}

async function storeWithEvents(): Promise<string> {
  const path = file('ours')
  const store = createSqliteStore(path, 'better-sqlite3')
  await store.events.insert([rec('a', 1), rec('a', 2)])
  await store.close()
  return path
}

describe('a file that is not an Eventscope store is refused and left as it was', () => {
  test.each([
    [
      'an events table of other columns',
      'CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT); INSERT INTO events (payload) VALUES (1)',
      /its events table has no originator_id, originator_version, topic, state columns/,
    ],
    [
      'tables but no events table',
      'CREATE TABLE users (name TEXT); CREATE TABLE orders (id INTEGER)',
      /it has no events table \(it holds users, orders\)/,
    ],
  ])('%s', (_, schema, message) => {
    const path = foreignFile(schema)
    const before = digest(path)
    for (const readOnly of [false, true]) {
      const opening = () => createSqliteStore(path, { driver: 'better-sqlite3', readOnly })
      expect(opening).toThrow(StoreUnavailable)
      expect(opening).toThrow(message)
    }
    expect(digest(path)).toBe(before)
    expect(existsSync(`${path}-wal`)).toBe(false)
  })
})

describe('read-only', () => {
  test('an Eventscope store is read and never written: not its schema, index or journal mode', async () => {
    const path = await storeWithEvents()
    // As another tool may leave it: the rollback journal, not WAL.
    const db = new Database(path)
    db.exec('PRAGMA journal_mode = DELETE')
    db.close()
    const before = digest(path)
    const store = createSqliteStore(path, { driver: 'better-sqlite3', readOnly: true })
    expect((await store.events.select('a')).map((r) => r.originatorVersion)).toEqual([1, 2])
    await store.close()
    expect(digest(path)).toBe(before)
  })

  test('a missing file is not created, an empty one not given tables', () => {
    const missing = file('missing')
    expect(() => createSqliteStore(missing, { driver: 'better-sqlite3', readOnly: true })).toThrow(
      /no such file/,
    )
    expect(existsSync(missing)).toBe(false)
    const empty = file('empty')
    writeFileSync(empty, '')
    expect(() => createSqliteStore(empty, { driver: 'better-sqlite3', readOnly: true })).toThrow(
      /holds no Eventscope store yet, and a read-only connection creates nothing/,
    )
    expect(readFileSync(empty).length).toBe(0)
  })

  test('opens, and reads, while another connection holds the write lock', async () => {
    const path = await storeWithEvents()
    const writer = new Database(path)
    writer.exec('BEGIN IMMEDIATE')
    try {
      for (const readOnly of [true, false]) {
        const store = createSqliteStore(path, { driver: 'better-sqlite3', readOnly })
        expect((await store.events.select('a')).length).toBe(2)
        await store.close()
      }
    } finally {
      writer.exec('ROLLBACK')
      writer.close()
    }
  })
})

test('a store opened read-write gains only what is missing; a complete one is not written', async () => {
  const path = await storeWithEvents()
  const tables = tablesOf(path)
  const before = digest(path)
  const store = createSqliteStore(path, 'better-sqlite3')
  await store.close()
  expect(digest(path)).toBe(before)
  expect(tablesOf(path)).toBe(tables)
})
