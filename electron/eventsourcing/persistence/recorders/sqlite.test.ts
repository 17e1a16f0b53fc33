import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeRecorderContract } from '../../../../test/recorderContract'
import { describe, expect, test, vi } from 'vitest'
import { createExampleAggregate } from '../../../example/factory'
import { DataIntegrityError } from '../../errors'
import { AesGcmCipher } from '../cipher'
import { Mapper } from '../mapper'
import { besidesNodeSqlite, openRawSqlite } from '../../../../test/sqliteRun'
import { sqliteDriverFromEnv } from '../../../explorer/storeEnv'
import type { RecordQuery, SplitRow, StoredRecord } from '../recorder'
import { createMemoryStore } from './memory'
import { createSqliteStore, sqliteDriverOf, sqlitePragmasOf } from './sqlite'

const folder = mkdtempSync(join(tmpdir(), 'eventscope-sqlite-'))
let n = 0
describeRecorderContract('sqlite', async () =>
  createSqliteStore(join(folder, `store-${++n}.sqlite`), sqliteDriverFromEnv()),
)

// The desktop app runs on Electron's own Node, where the recorders use node:sqlite (a native
// module built for this Node would not load there). npm test runs this file once more under
// Node 22 with EVENTSCOPE_SQLITE_DRIVER=node:sqlite; here the driver in use is reported.
describe('the SQLite driver', () => {
  test('is the one the environment asks for', () => {
    const store = createSqliteStore(join(folder, `driver-${++n}.sqlite`), sqliteDriverFromEnv())
    const expected = process.env['EVENTSCOPE_SQLITE_DRIVER'] ?? 'better-sqlite3'
    expect(sqliteDriverOf(store)).toBe(expected)
    void store.close()
  })
})

// An acknowledged save must survive a power loss: WAL with synchronous=FULL syncs the WAL
// before each commit returns. Read back from SQLite itself, on whichever driver runs the tests.
describe('durability', () => {
  test('is WAL with synchronous=FULL unless told otherwise', async () => {
    const store = createSqliteStore(join(folder, `full-${++n}.sqlite`), sqliteDriverFromEnv())
    expect(sqlitePragmasOf(store)).toEqual({ journalMode: 'wal', synchronous: 2 })
    await store.close()
  })

  test('is FULL again when the file is opened a second time', async () => {
    const path = join(folder, `reopen-${++n}.sqlite`)
    await createSqliteStore(path, { driver: sqliteDriverFromEnv(), synchronous: 'NORMAL' }).close()
    const store = createSqliteStore(path, { driver: sqliteDriverFromEnv() })
    expect(sqlitePragmasOf(store)).toEqual({ journalMode: 'wal', synchronous: 2 })
    await store.close()
  })

  test('can be NORMAL when asked (survives a crash of the process, not of the machine)', async () => {
    const store = createSqliteStore(join(folder, `normal-${++n}.sqlite`), {
      driver: sqliteDriverFromEnv(),
      synchronous: 'NORMAL',
    })
    expect(sqlitePragmasOf(store)).toEqual({ journalMode: 'wal', synchronous: 1 })
    await store.close()
  })

  besidesNodeSqlite(() =>
    test('refuses a level it does not know', () => {
      const options = { synchronous: 'OFF' as unknown as 'FULL' }
      expect(() => createSqliteStore(join(folder, `off-${++n}.sqlite`), options)).toThrow(
        /synchronous must be FULL or NORMAL/,
      )
    }),
  )

  besidesNodeSqlite(() =>
    test('is not reported for another store', () => {
      expect(sqlitePragmasOf(createMemoryStore())).toBeUndefined()
    }),
  )
})

describe('snapshots stored together (insertIfAbsent)', () => {
  const record = (id: string, version: number, text: string): StoredRecord => ({
    originatorId: id,
    originatorVersion: version,
    topic: 'eventsourcing#Snapshot',
    state: new TextEncoder().encode(text),
  })

  test('stores records of several originators and versions, leaving stored ones as they are', async () => {
    const store = createSqliteStore(join(folder, `snap-${++n}.sqlite`), sqliteDriverFromEnv())
    const snapshots = store.snapshots
    await snapshots.insert([record('a', 3, 'first')])
    await snapshots.insertIfAbsent!([
      record('a', 1, 'a1'),
      record('a', 3, 'second'),
      record('a', 5, 'a5'),
      record('b', 1, 'b1'),
    ])
    const text = (rs: StoredRecord[]) =>
      rs.map((r) => `${r.originatorVersion}:${new TextDecoder().decode(r.state)}`)
    expect(text(await snapshots.select('a'))).toEqual(['1:a1', '3:first', '5:a5'])
    expect(text(await snapshots.select('b'))).toEqual(['1:b1'])
    await store.close()
  })

  test('is only on the snapshots table: events must fail on a conflict', async () => {
    const store = createSqliteStore(join(folder, `snap-${++n}.sqlite`), sqliteDriverFromEnv())
    expect(store.events.insertIfAbsent).toBeUndefined()
    await store.close()
  })
})

// Listing an aggregate's snapshot versions must not read their states (sqliteDatabase.ts).
describe('snapshot versions', () => {
  const plan = (path: string, sql: string) => {
    const raw = openRawSqlite(path, { readonly: true })
    try {
      return raw.all(`EXPLAIN QUERY PLAN ${sql}`, 'a').map((row) => String(row['detail']))
    } finally {
      raw.close()
    }
  }
  const LIST =
    'SELECT originator_version FROM snapshots WHERE originator_id = ? ORDER BY originator_version DESC LIMIT 400'

  test('are listed from an index of their own, with the versions the primary key holds', async () => {
    const path = join(folder, `versions-${++n}.sqlite`)
    const store = createSqliteStore(path, sqliteDriverFromEnv())
    const state = randomBytes(200_000)
    for (const v of [1, 3, 5])
      await store.snapshots.insert([{ originatorId: 'a', originatorVersion: v, topic: 't', state }])
    expect(await store.snapshots.selectVersions!('a', { desc: true })).toEqual([5, 3, 1])
    expect(await store.snapshots.selectVersions!('a', { lte: 4, desc: true, limit: 1 })).toEqual([
      3,
    ])
    await store.close()
    expect(plan(path, LIST).join(' ')).toContain('COVERING INDEX snapshots_versions')
  })

  test('one version (gte = lte) is read as such, with any other bound still applied', async () => {
    const store = createSqliteStore(join(folder, `one-${++n}.sqlite`), sqliteDriverFromEnv())
    for (const v of [1, 3, 5])
      await store.snapshots.insert([
        { originatorId: 'a', originatorVersion: v, topic: 't', state: Buffer.from(`s${v}`) },
      ])
    const versions = async (query: RecordQuery) =>
      (await store.snapshots.select('a', query)).map((r) => r.originatorVersion)

    expect(await versions({ gte: 3, lte: 3 })).toEqual([3])
    expect(await versions({ gte: 4, lte: 4 })).toEqual([])
    expect(await versions({ gte: 3, lte: 3, gt: 3 })).toEqual([])
    expect(await versions({ gte: 3, lte: 3, lt: 5, desc: true, limit: 1 })).toEqual([3])
    await store.close()
  })

  test('a store made before the index gains it when opened, with its snapshots', async () => {
    const path = join(folder, `versions-old-${++n}.sqlite`)
    const store = createSqliteStore(path, sqliteDriverFromEnv())
    await store.snapshots.insert([
      { originatorId: 'a', originatorVersion: 2, topic: 't', state: randomBytes(10) },
    ])
    await store.close()
    const raw = openRawSqlite(path)
    raw.run('DROP INDEX snapshots_versions')
    raw.close()
    expect(plan(path, LIST).join(' ')).not.toContain('snapshots_versions')
    const reopened = createSqliteStore(path, sqliteDriverFromEnv())
    expect(await reopened.snapshots.selectVersions!('a')).toEqual([2])
    await reopened.close()
    expect(plan(path, LIST).join(' ')).toContain('COVERING INDEX snapshots_versions')
  })
})

// An encrypted replay decrypts a page at once (gcmBatch.ts) from the BLOBs each driver hands
// over: Buffers from better-sqlite3, plain Uint8Arrays from node:sqlite.
describe('stored originator ids', () => {
  test('are walked one seek per id across pages, an id another program stored as a number given as text, a blob id passed over', async () => {
    const path = join(folder, `ids-${++n}.sqlite`)
    const store = createSqliteStore(path, sqliteDriverFromEnv())
    const ids = Array.from({ length: 1001 }, (_, i) => `id-${String(i).padStart(4, '0')}`)
    await store.events.insertBatches!(
      ids.map((id) => [
        { originatorId: id, originatorVersion: 0, topic: 't#A.Created', state: Uint8Array.of(1) },
      ]),
    )
    await store.close()
    const raw = openRawSqlite(path)
    raw.run("INSERT INTO events VALUES (42, 0, 't#A.Created', x'01')")
    raw.run("INSERT INTO events VALUES (x'00ff', 0, 't#A.Created', x'01')")
    raw.close()
    const reopened = createSqliteStore(path, sqliteDriverFromEnv())
    try {
      const pages: (readonly string[])[] = []
      for await (const page of reopened.events.storedOriginatorIds!()) pages.push(page)
      // TEXT affinity: the number 42 is stored as the text '42', sorting before 'id-…'; a blob
      // sorts after every text and cannot be asked for by id.
      expect(pages.map((p) => p.length)).toEqual([1000, 2])
      expect(pages.flat()).toEqual(['42', ...ids])
    } finally {
      await reopened.close()
    }
  })
})

describe('encrypted rows read a page at a time', () => {
  test('when a page is read on this driver, then it decrypts at once, and a damaged row is named', async () => {
    const store = createSqliteStore(join(folder, `aes-${++n}.sqlite`), sqliteDriverFromEnv())
    try {
      const cipher = new AesGcmCipher(randomBytes(16))
      const mapper = new Mapper({ cipher, compress: false })
      const aggregate = createExampleAggregate('secret')
      for (let i = 1; i < 20; i++) aggregate.foo = `value ${i}`
      const written = aggregate.pendingEvents
      await store.events.insert(written.map((e) => mapper.eventToRecord(e)))
      const id = aggregate.id
      const rows = await store.events.selectSplit!(id, {}, mapper.stateSplit)
      const pages = vi.spyOn(cipher, 'decryptPage')

      const read = mapper.splitRowsToEvents(id, rows, new Uint8Array(rows.length))

      expect(pages.mock.results[0]?.value?.starts).toHaveLength(20)
      expect(read.map((e) => ({ ...e }))).toEqual(written.map((e) => ({ ...e })))
      const damaged = Uint8Array.from(rows[7]![2] as Uint8Array)
      damaged[40] = damaged[40]! ^ 1
      const page = rows.map((row, i): SplitRow => (i === 7 ? [7, row[1], damaged] : row))
      let error: unknown
      try {
        mapper.splitRowsToEvents(id, page, new Uint8Array(page.length))
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details.originatorVersion).toBe(7)
    } finally {
      await store.close()
    }
  })
})
