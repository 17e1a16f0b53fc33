import { existsSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import { ConcurrencyError, StoreUnavailable } from '../../errors'
import { ids, insertFourAggregates, rec } from '../../../../test/recorderListTesting'
import { aggregateTopicOf, encodeToken } from './common'
import { createMemoryStore } from './memory'
import {
  createSqliteStore,
  SqliteApplicationRecorder,
  SqliteDatabase,
  SqliteSnapshotRecorder,
  sqliteDriverOf,
  sqlitePragmasOf,
} from './sqlite'

// Edges of the SQLite recorders on the real better-sqlite3 driver: error classification,
// argument checks, keyset pages read from both ends.
const folder = mkdtempSync(join(tmpdir(), 'eventscope-sqlite-edges-'))
let n = 0
const file = (name: string): string => join(folder, `${name}-${++n}.sqlite`)

/** A recorder whose connection fails fast when another connection holds the write lock. */
function lockedRecorders(): {
  events: SqliteApplicationRecorder
  snapshots: SqliteSnapshotRecorder
  release: () => void
} {
  const path = file('locked')
  const database = new SqliteDatabase(path, 'better-sqlite3')
  database.db.exec('PRAGMA busy_timeout = 0')
  const events = new SqliteApplicationRecorder(database)
  const snapshots = new SqliteSnapshotRecorder(database)
  const other = new Database(path)
  other.exec('BEGIN IMMEDIATE')
  return {
    events,
    snapshots,
    release: () => {
      other.exec('ROLLBACK')
      other.close()
      database.close()
    },
  }
}

function readOnlyRecorders(): {
  events: SqliteApplicationRecorder
  snapshots: SqliteSnapshotRecorder
} {
  const database = new SqliteDatabase(file('readonly'), 'better-sqlite3')
  database.db.exec('PRAGMA query_only = 1')
  return {
    events: new SqliteApplicationRecorder(database),
    snapshots: new SqliteSnapshotRecorder(database),
  }
}

describe('write failures are classified', () => {
  test('a locked database is unavailable, not a conflict, and the cause is kept', async () => {
    const { events, snapshots, release } = lockedRecorders()
    try {
      const error = await events.insert([rec('a', 1)]).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(StoreUnavailable)
      expect((error as Error).message).toMatch(/^SQLite is busy or read-only: .*lock/)
      expect((error as { cause?: { code?: string } }).cause?.code).toMatch(/^SQLITE_BUSY/)
      const snapError = await snapshots.insertIfAbsent([rec('a', 1)]).catch((e: unknown) => e)
      expect(snapError).toBeInstanceOf(StoreUnavailable)
      expect((snapError as Error).message).toMatch(/^SQLite is busy or read-only: .*lock/)
      expect((snapError as { cause?: { code?: string } }).cause?.code).toMatch(/^SQLITE_BUSY/)
    } finally {
      release()
    }
  })

  test('a read-only database is unavailable', async () => {
    const { events, snapshots } = readOnlyRecorders()
    const error = await events.insertBatches([[rec('a', 1)]]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreUnavailable)
    expect((error as Error).message).toMatch(/^SQLite is busy or read-only: .*readonly/)
    expect((error as { cause?: { code?: string } }).cause?.code).toMatch(/^SQLITE_READONLY/)
    const snapError = await snapshots.insertIfAbsent([rec('a', 1)]).catch((e: unknown) => e)
    expect(snapError).toBeInstanceOf(StoreUnavailable)
    expect((snapError as { cause?: { code?: string } }).cause?.code).toMatch(/^SQLITE_READONLY/)
  })

  test('any other failure is passed on as it is', async () => {
    const store = createSqliteStore(file('closed'), 'better-sqlite3')
    await store.close()
    for (const write of [
      () => store.events.insert([rec('a', 1)]),
      () => store.snapshots.insertIfAbsent!([rec('a', 1)]),
    ]) {
      const error = await write().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(Error)
      expect(error).not.toBeInstanceOf(StoreUnavailable)
      expect(error).not.toBeInstanceOf(ConcurrencyError)
    }
  })

  test('empty writes touch nothing, not even a closed database', async () => {
    const store = createSqliteStore(file('empty'), 'better-sqlite3')
    await store.close()
    await expect(store.events.insertBatches!([])).resolves.toBeUndefined()
    await expect(store.snapshots.insertIfAbsent!([])).resolves.toBeUndefined()
  })

  test('the conflict names the batch whose versions exist, not the first one', async () => {
    const store = createSqliteStore(file('conflict'), 'better-sqlite3')
    await store.events.insert([rec('a', 1)])
    await store.events.insert([rec('b', 1), rec('b', 2)])
    // a: stored up to 1, writes 2 (fine); new: nothing stored; b: version 2 exists.
    const error = await store.events.insertBatches!([
      [rec('a', 2)],
      [rec('new', 1)],
      [rec('b', 2)],
    ]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConcurrencyError)
    expect((error as ConcurrencyError).details).toEqual({
      originatorId: 'b',
      attempted: [2],
      actualVersion: 2,
    })
    // All or none: a's version 2 was rolled back.
    expect(await store.events.selectVersions!('a')).toEqual([1])
    await store.close()
  })
})

describe('reads', () => {
  test('selectVersions reads the versions within the bounds', async () => {
    const store = createSqliteStore(file('versions'), 'better-sqlite3')
    await store.events.insert([1, 2, 3, 4, 5].map((v) => rec('a', v)))
    expect(await store.events.selectVersions!('a')).toEqual([1, 2, 3, 4, 5])
    expect(await store.events.selectVersions!('a', { gt: 1, lte: 4, desc: true })).toEqual([
      4, 3, 2,
    ])
    expect(await store.events.selectVersions!('a', { gte: 2, lt: 5, limit: 2 })).toEqual([2, 3])
    expect(await store.events.selectVersions!('b')).toEqual([])
    await store.close()
  })

  test('selectSplit accepts a byte and a head of 0 to 1000 bytes, nothing else', async () => {
    const store = createSqliteStore(file('split'), 'better-sqlite3')
    await store.events.insert([rec('a', 1)])
    const select = (formatByte: number, headBytes: number) =>
      store.events.selectSplit!('a', {}, { formatByte, headBytes })
    for (const [formatByte, headBytes] of [
      [0, 0],
      [255, 1000],
      [1, 500],
    ] as const) {
      expect((await select(formatByte, headBytes)).map((r) => r[0])).toEqual([1])
    }
    for (const [formatByte, headBytes] of [
      [-1, 1],
      [256, 1],
      [1.5, 1],
      [1, -1],
      [1, 1001],
      [1, 1.5],
    ] as const) {
      await expect(select(formatByte, headBytes)).rejects.toThrow(
        new TypeError('selectSplit: formatByte must be a byte and headBytes 0–1000'),
      )
    }
    await store.close()
  })
})

describe('listAggregates', () => {
  async function filled() {
    const store = createSqliteStore(file('list'), 'better-sqlite3')
    await insertFourAggregates(store.events)
    return store
  }

  test('lists all, by id and by recency, from either end', async () => {
    const store = await filled()
    const events = store.events
    expect(ids(await events.listAggregates({ limit: 10 }))).toEqual(['b', 'd', 'a', 'c'])
    expect(ids(await events.listAggregates({ limit: 10, order: 'id' }))).toEqual([
      'a',
      'b',
      'c',
      'd',
    ])
    expect(ids(await events.listAggregates({ limit: 2, order: 'id', from: 'end' }))).toEqual([
      'c',
      'd',
    ])
    expect(ids(await events.listAggregates({ limit: 2, from: 'end' }))).toEqual(['a', 'c'])
    expect(await events.countAggregates()).toBe(4)
    await store.close()
  })

  test('filters by aggregate topic', async () => {
    const store = await filled()
    const orders = aggregateTopicOf([rec('x', 1, 'shop:Order.Placed')])
    const page = await store.events.listAggregates({ limit: 10, aggregateTopic: orders })
    expect(ids(page)).toEqual(['b', 'd'])
    expect(page.items.every((i) => i.aggregateTopic === orders)).toBe(true)
    await store.close()
  })

  test('a page of exactly the rest has no next token; a later page has a previous one', async () => {
    const store = await filled()
    const first = await store.events.listAggregates({ limit: 2, order: 'id' })
    expect(ids(first)).toEqual(['a', 'b'])
    expect(first.prevPageToken).toBeUndefined()
    const second = await store.events.listAggregates({
      limit: 2,
      order: 'id',
      pageToken: first.nextPageToken!,
    })
    expect(ids(second)).toEqual(['c', 'd'])
    expect(second.nextPageToken).toBeUndefined()
    expect(second.prevPageToken).toBeDefined()
    const back = await store.events.listAggregates({
      limit: 2,
      order: 'id',
      pageToken: second.prevPageToken!,
    })
    expect(ids(back)).toEqual(['a', 'b'])
    expect(back.prevPageToken).toBeUndefined()
    expect(back.nextPageToken).toBeDefined()
    await store.close()
  })

  test('refuses tokens that are not listing keys', async () => {
    const store = await filled()
    for (const value of [
      null,
      'a',
      { p: 1 },
      { id: 'a' },
      { id: 1, p: 1 },
      { id: 'a', p: '1' },
      { id: 'a', p: 1, b: 2 },
      { id: 'a', p: 1, b: true },
    ]) {
      await expect(
        store.events.listAggregates({ limit: 2, pageToken: encodeToken(value) }),
      ).rejects.toThrow('invalid page token')
    }
    const ok = await store.events.listAggregates({
      limit: 10,
      order: 'id',
      pageToken: encodeToken({ id: 'b', p: 0, b: 1 }),
    })
    expect(ids(ok)).toEqual(['a'])
    await store.close()
  })
})

describe('the store', () => {
  test('is a sqlite store; other stores have no SQLite driver or pragmas', async () => {
    const store = createSqliteStore(file('kind'), 'better-sqlite3')
    expect(store.kind).toBe('sqlite')
    expect(sqliteDriverOf(store)).toBe('better-sqlite3')
    const memory = createMemoryStore()
    expect(sqliteDriverOf(memory)).toBeUndefined()
    expect(sqlitePragmasOf(memory)).toBeUndefined()
    await store.close()
  })

  test('creates its file readable by its owner only', async () => {
    const path = file('mode')
    const store = createSqliteStore(path, 'better-sqlite3')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    await store.close()
  })

  test('opens in memory without a file', async () => {
    const existed = existsSync(':memory:')
    const store = createSqliteStore(':memory:', { driver: 'better-sqlite3' })
    // ':memory:' names no file: none is made in the working folder.
    expect(existsSync(':memory:')).toBe(existed)
    await store.events.insert([rec('a', 1)])
    expect(await store.events.selectVersions!('a')).toEqual([1])
    await store.close()
  })

  test('never creates a folder', () => {
    const missing = join(folder, `missing-${++n}`, 'x.sqlite')
    expect(() => createSqliteStore(missing, 'better-sqlite3')).toThrow(StoreUnavailable)
    expect(() => createSqliteStore(missing, 'better-sqlite3')).toThrow(
      `cannot open SQLite database '${missing}': the folder ${join(missing, '..')} does not exist`,
    )
    const notAFolder = join(folder, `plain-${++n}`)
    writeFileSync(notAFolder, '')
    expect(() => createSqliteStore(join(notAFolder, 'x.sqlite'), 'better-sqlite3')).toThrow(
      'does not exist',
    )
  })

  test('reports why its file cannot be created', () => {
    const tooLong = join(folder, `${'x'.repeat(300)}.sqlite`)
    const error = (() => {
      try {
        createSqliteStore(tooLong, 'better-sqlite3')
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(error).toBeInstanceOf(StoreUnavailable)
    expect((error as Error).message).toMatch(/ENAMETOOLONG/)
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('ENAMETOOLONG')
  })

  test('the driver named as a string is the one opened', () => {
    // node:sqlite does not load on every Node this runs on: either it opens, or it fails.
    let driver: string
    try {
      const store = createSqliteStore(file('named'), 'node:sqlite')
      driver = sqliteDriverOf(store)!
      void store.close()
    } catch (error) {
      expect(error).toBeInstanceOf(StoreUnavailable)
      driver = 'unavailable'
    }
    expect(driver).not.toBe('better-sqlite3')
  })

  test('prepares a statement once per SQL text', () => {
    const database = new SqliteDatabase(':memory:', 'better-sqlite3')
    const sql = 'SELECT count(*) FROM events'
    expect(database.prepare(sql)).toBe(database.prepare(sql))
    database.close()
  })
})

describe('a file deleted or replaced while open', () => {
  function opened(): {
    path: string
    database: SqliteDatabase
    events: SqliteApplicationRecorder
    snapshots: SqliteSnapshotRecorder
  } {
    const path = file('moved')
    const database = new SqliteDatabase(path, 'better-sqlite3')
    return {
      path,
      database,
      events: new SqliteApplicationRecorder(database),
      snapshots: new SqliteSnapshotRecorder(database),
    }
  }
  const removeFiles = (path: string) => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true })
  }

  test('deleted: saves and log reads are refused, so no save is acknowledged into it', async () => {
    const { path, database, events, snapshots } = opened()
    await events.insert([rec('a', 1)])
    removeFiles(path)
    for (const attempt of [
      events.insert([rec('a', 2)]),
      events.insertBatches([[rec('b', 1)]]),
      snapshots.insertIfAbsent([rec('a', 1)]),
      snapshots.insert([rec('a', 1)]),
      events.selectLog({ limit: 10 }),
    ]) {
      const error = await attempt.catch((e: unknown) => e)
      expect(error).toBeInstanceOf(StoreUnavailable)
      expect((error as Error).message).toContain(`the SQLite file '${path}' was deleted`)
    }
    database.close()
  })

  test('replaced by another file: nothing is written to either', async () => {
    const { path, database, events } = opened()
    await events.insert([rec('a', 1)])
    const other = file('other')
    const otherStore = new SqliteDatabase(other, 'better-sqlite3')
    await new SqliteApplicationRecorder(otherStore).insert([rec('z', 1)])
    otherStore.close()
    removeFiles(path)
    renameSync(other, path)
    const error = await events.insert([rec('a', 2)]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreUnavailable)
    expect((error as Error).message).toContain('was replaced by another file')
    database.close()
    const reopened = new SqliteDatabase(path, 'better-sqlite3')
    const rows = reopened.db.prepare('SELECT originator_id, originator_version FROM events').all()
    expect(rows).toEqual([['z', 1]])
    reopened.close()
  })

  test('its write-ahead log deleted alone: saves are refused, what was checkpointed stays', async () => {
    const { path, database, events } = opened()
    await events.insert([rec('a', 1)])
    database.db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
    rmSync(`${path}-wal`)
    const error = await events.insert([rec('b', 1)]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreUnavailable)
    expect((error as Error).message).toContain(`write-ahead log of the SQLite file '${path}'`)
    database.close()
    const reopened = new SqliteDatabase(path, 'better-sqlite3')
    const rows = reopened.db.prepare('SELECT originator_id FROM events').all()
    expect(rows).toEqual([['a']])
    reopened.close()
  })

  test('the same file, renamed back to its path, is written again', async () => {
    const { path, database, events } = opened()
    renameSync(path, `${path}.moved`)
    await expect(events.insert([rec('a', 1)])).rejects.toThrow(StoreUnavailable)
    renameSync(`${path}.moved`, path)
    await events.insert([rec('a', 1)])
    expect(await events.selectLog({ limit: 10 })).toHaveLength(1)
    database.close()
  })
})
