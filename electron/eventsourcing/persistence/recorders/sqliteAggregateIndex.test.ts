import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import { rec } from '../../../../test/recorderListTesting'
import { seededRandom } from '../../../../test/seededRandom'
import type { AggregateListQuery, ApplicationRecorder, LogEntry, StoredRecord } from '../recorder'
import { aggregateTopicOfEventTopic } from '../../domain/topics'
import { createSqliteStore } from './sqlite'

// The aggregate index follows the log (sqliteAggregateIndex.ts): whatever the tail holds, a
// listing and the count are what folding the whole log would give.
const folder = mkdtempSync(join(tmpdir(), 'eventscope-sqlite-index-'))
let n = 0
const file = (): string => join(folder, `index-${++n}.sqlite`)

const TOPICS = ['shop:Cart.Added', 'shop:Order.Placed', 'bank:Account.Opened']

/** What the index should hold: the whole log folded per aggregate, as listings show it. */
interface Expected {
  id: string
  topic: string
  created: number
  modified: number
  version: number
  lastTopic: string
  position: number
}

async function wholeLog(events: ApplicationRecorder): Promise<LogEntry[]> {
  const entries: LogEntry[] = []
  for (;;) {
    const after = entries[entries.length - 1]?.position
    const page = await events.selectLog({ limit: 500, ...(after ? { after } : {}) })
    entries.push(...page)
    if (page.length < 500) return entries
  }
}

function foldLog(entries: readonly LogEntry[]): Map<string, Expected> {
  const rows = new Map<string, Expected>()
  for (const e of entries) {
    const at = {
      modified: e.recordedAt.getTime(),
      version: e.toVersion,
      lastTopic: e.topics[e.topics.length - 1] ?? '',
      position: Number(e.position),
    }
    const row = rows.get(e.originatorId)
    if (row) Object.assign(row, at)
    else
      rows.set(e.originatorId, {
        id: e.originatorId,
        topic: aggregateTopicOfEventTopic(e.topics[0] ?? ''),
        created: e.recordedAt.getTime(),
        ...at,
      })
  }
  return rows
}

type Filter = Pick<AggregateListQuery, 'aggregateTopic' | 'idPrefix'>
const FILTERS: Filter[] = [{}, { aggregateTopic: 'shop:Order' }, { idPrefix: 'B' }]

/** Every page of every order, filter and direction, and the count, as the recorder lists them. */
async function listEverything(events: ApplicationRecorder, limit: number): Promise<unknown> {
  const out: unknown[] = [await events.countAggregates()]
  for (const order of ['recent', 'id'] as const) {
    for (const filter of FILTERS) {
      for (const from of ['start', 'end'] as const) {
        const pages: unknown[] = []
        let token: string | undefined
        do {
          const page = await events.listAggregates({
            limit,
            order,
            from,
            ...filter,
            ...(token ? { pageToken: token } : {}),
          })
          pages.push(page.items)
          token = from === 'start' ? page.nextPageToken : page.prevPageToken
        } while (token !== undefined && pages.length < 100)
        out.push({ order, filter, from, pages })
      }
    }
  }
  return out
}

/** The same, computed from the folded log. */
function expectedEverything(rows: Map<string, Expected>, limit: number): unknown {
  const out: unknown[] = [rows.size]
  for (const order of ['recent', 'id'] as const) {
    for (const filter of FILTERS) {
      const listed = [...rows.values()]
        .filter((r) => filter.aggregateTopic === undefined || r.topic === filter.aggregateTopic)
        .filter((r) => filter.idPrefix === undefined || r.id.startsWith('b'))
        .sort((a, b) =>
          order === 'id' ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : b.position - a.position,
        )
        .map((r) => ({
          originatorId: r.id,
          aggregateTopic: r.topic,
          createdAt: new Date(r.created),
          lastModified: new Date(r.modified),
          version: r.version,
          lastTopic: r.lastTopic,
        }))
      for (const from of ['start', 'end'] as const) {
        const pages: unknown[] = []
        if (from === 'start')
          for (let i = 0; i < listed.length; i += limit) pages.push(listed.slice(i, i + limit))
        else
          for (let end = listed.length; end > 0; end -= limit)
            pages.push(listed.slice(Math.max(0, end - limit), end))
        if (pages.length === 0) pages.push([])
        out.push({ order, filter, from, pages })
      }
    }
  }
  return out
}

/** The log entries the index has not folded yet, read from the file by another connection. */
function tailLength(path: string): number {
  const db = new Database(path, { readonly: true })
  try {
    const watermark = db
      .prepare("SELECT value FROM counters WHERE name = 'indexed_position'")
      .pluck()
      .get() as number
    return db
      .prepare('SELECT count(*) FROM event_log WHERE position > ?')
      .pluck()
      .get(watermark) as number
  } finally {
    db.close()
  }
}

/** Another program changing the file: `sql` through a connection of its own. */
function changeFile(path: string, sql: string): void {
  const db = new Database(path)
  try {
    db.exec(sql)
  } finally {
    db.close()
  }
}

describe('the aggregate index follows the log', () => {
  test.each([1, 3, 7, 1000])(
    'every listing and the count match the whole log folded, at lag %i',
    async (lag) => {
      const path = file()
      const store = createSqliteStore(path, { indexLag: lag })
      const random = seededRandom(lag)
      const versions = new Map<string, number>()
      // Ids with upper-case letters: the prefix filter is case-insensitive ('B' lists 'b…').
      const idsPool = ['a1', 'b1', 'b2', 'c1', 'b3', 'd1', 'e1', 'b4', 'f1', 'g1', 'h1', 'bz']
      try {
        for (let step = 0; step < 60; step++) {
          const id = idsPool[Math.floor(random() * idsPool.length)]!
          const from = (versions.get(id) ?? 0) + 1
          const count = 1 + Math.floor(random() * 3)
          const first = TOPICS[idsPool.indexOf(id) % TOPICS.length]!
          const records: StoredRecord[] = []
          for (let v = from; v < from + count; v++)
            records.push(rec(id, v, v === from ? first : TOPICS[v % 3]))
          await store.events.insert(records)
          versions.set(id, from + count - 1)
          if (step % 9 === 4) {
            const expected = foldLog(await wholeLog(store.events))
            for (const limit of [1, 4]) {
              expect(await listEverything(store.events, limit)).toEqual(
                expectedEverything(expected, limit),
              )
            }
            // The tail never grows past the lag.
            expect(tailLength(path)).toBeLessThan(Math.max(lag, 1))
          }
        }
      } finally {
        await store.close()
      }
      // Closing folded the tail: the index in the file is current for any reader.
      expect(tailLength(path)).toBe(0)
      const reopened = createSqliteStore(path, { indexLag: lag })
      try {
        const expected = foldLog(await wholeLog(reopened.events))
        expect(await listEverything(reopened.events, 3)).toEqual(expectedEverything(expected, 3))
      } finally {
        await reopened.close()
      }
    },
  )
})

describe('several connections writing one file', () => {
  test('each folds what it finds after the stored watermark, and every listing stays exact', async () => {
    // Each connection keeps its own idea of the watermark (sqliteAggregateIndex.ts caches it);
    // another connection's folds move the stored one under it.
    const path = file()
    const stores = [1, 3, 7].map((indexLag) => createSqliteStore(path, { indexLag }))
    const random = seededRandom(42)
    const versions = new Map<string, number>()
    const idsPool = ['a1', 'b1', 'b2', 'c1', 'b3', 'd1', 'e1', 'b4']
    try {
      for (let step = 0; step < 90; step++) {
        const store = stores[Math.floor(random() * stores.length)]!
        const id = idsPool[Math.floor(random() * idsPool.length)]!
        const from = (versions.get(id) ?? 0) + 1
        const first = TOPICS[idsPool.indexOf(id) % TOPICS.length]!
        await store.events.insert([rec(id, from, first), rec(id, from + 1, TOPICS[step % 3])])
        versions.set(id, from + 1)
        if (step % 10 === 9) {
          const expected = foldLog(await wholeLog(store.events))
          for (const reader of stores)
            expect(await listEverything(reader.events, 3)).toEqual(expectedEverything(expected, 3))
        }
      }
    } finally {
      for (const store of stores) await store.close()
    }
    expect(tailLength(path)).toBe(0)
  })
})

describe('the index and its tail, at the edges', () => {
  /** The folded log against every listing, on a recorder. */
  async function expectExact(events: ApplicationRecorder): Promise<void> {
    const expected = foldLog(await wholeLog(events))
    expect(await listEverything(events, 2)).toEqual(expectedEverything(expected, 2))
  }

  test('a store from before the watermark opens with its index current', async () => {
    const path = file()
    const store = createSqliteStore(path)
    await store.events.insert([rec('a1', 1), rec('a1', 2)])
    await store.events.insert([rec('b1', 1, 'shop:Order.Placed')])
    await store.close()
    // An older Eventscope kept the index in its saves and had no watermark.
    changeFile(path, "DELETE FROM counters WHERE name = 'indexed_position'")
    const reopened = createSqliteStore(path, { indexLag: 5 })
    try {
      expect(tailLength(path)).toBe(0)
      await reopened.events.insert([rec('c1', 1)])
      expect(tailLength(path)).toBe(1)
      await expectExact(reopened.events)
    } finally {
      await reopened.close()
    }
  })

  test('saves an older Eventscope wrote beside the tail are listed once, as the log says', async () => {
    const path = file()
    const store = createSqliteStore(path, { indexLag: 50 })
    try {
      await store.events.insert([rec('a1', 1)])
      await store.events.insert([rec('b1', 1, 'shop:Order.Placed')])
      // The older writer: its event, log row and index row (created now: a1 is not in the
      // index yet), the watermark left where it was.
      const raw = new Database(path)
      raw.exec('PRAGMA busy_timeout = 5000')
      raw.transaction(() => {
        raw
          .prepare('INSERT INTO events VALUES (?, ?, ?, ?)')
          .run('a1', 2, 'shop:Cart.Added', Buffer.of(2))
        const position = raw
          .prepare(
            'INSERT INTO event_log (originator_id, from_version, to_version, topics, recorded_at) VALUES (?, 2, 2, ?, ?)',
          )
          .run('a1', JSON.stringify(['shop:Cart.Added']), Date.now()).lastInsertRowid
        raw
          .prepare(
            `INSERT INTO aggregates VALUES ('a1', 'shop:Cart', ?, ?, 2, 'shop:Cart.Added', ?)
             ON CONFLICT (originator_id) DO UPDATE SET version = excluded.version, last_position = excluded.last_position, last_modified = excluded.last_modified`,
          )
          .run(Date.now() + 1000, Date.now(), position)
      })()
      raw.close()
      await store.events.insert([rec('c1', 1)])
      await expectExact(store.events)
      expect(await store.events.countAggregates()).toBe(3)
    } finally {
      await store.close()
    }
    expect(tailLength(path)).toBe(0)
    const reopened = createSqliteStore(path)
    try {
      await expectExact(reopened.events)
      expect(await reopened.events.countAggregates()).toBe(3)
    } finally {
      await reopened.close()
    }
  })

  test('a log row with damaged topics neither stops saves nor listings', async () => {
    const path = file()
    const store = createSqliteStore(path, { indexLag: 3 })
    try {
      await store.events.insert([rec('a1', 1)])
      changeFile(path, "UPDATE event_log SET topics = 'not json' WHERE originator_id = 'a1'")
      const page = await store.events.listAggregates({ limit: 5 })
      expect(page.items.map((i) => [i.originatorId, i.aggregateTopic, i.lastTopic])).toEqual([
        ['a1', '', ''],
      ])
      // These saves fold the damaged row into the index.
      for (const id of ['b1', 'c1', 'd1']) await store.events.insert([rec(id, 1)])
      expect(tailLength(path)).toBeLessThan(3)
      const listed = await store.events.listAggregates({ limit: 5, order: 'id' })
      expect(listed.items.map((i) => [i.originatorId, i.aggregateTopic])).toEqual([
        ['a1', ''],
        ['b1', 'shop:Cart'],
        ['c1', 'shop:Cart'],
        ['d1', 'shop:Cart'],
      ])
    } finally {
      await store.close()
    }
  })

  test('log entries with a damaged id, version or time are left out, and the tail moves past them', async () => {
    const path = file()
    const store = createSqliteStore(path, { indexLag: 5 })
    try {
      await store.events.insert([rec('a1', 1)])
      await store.events.insert([rec('a1', 2)])
      await store.events.insert([rec('b1', 1)])
      // b1's entry and a1's second are made unreadable by another program.
      changeFile(
        path,
        `UPDATE event_log SET to_version = 'two' WHERE originator_id = 'a1' AND to_version = 2;
         UPDATE event_log SET recorded_at = 'soon', originator_id = x'00' WHERE originator_id = 'b1'`,
      )
      const listed = async () =>
        (await store.events.listAggregates({ limit: 5, order: 'id' })).items.map((i) => [
          i.originatorId,
          i.version,
        ])
      // Laid over the index: a1 as its readable entry says, b1 unknown (nothing readable).
      expect(await listed()).toEqual([['a1', 1]])
      expect(await store.events.countAggregates()).toBe(1)
      // Folded past them by the next saves: the tail does not stay behind a damaged entry.
      for (const id of ['c1', 'd1', 'e1', 'f1']) await store.events.insert([rec(id, 1)])
      expect(tailLength(path)).toBeLessThan(5)
      expect(await listed()).toEqual([
        ['a1', 1],
        ['c1', 1],
        ['d1', 1],
        ['e1', 1],
        ['f1', 1],
      ])
      // The last entry damaged too: closing still folds past it.
      await store.events.insert([rec('g1', 1)])
      changeFile(path, "UPDATE event_log SET to_version = -1 WHERE originator_id = 'g1'")
    } finally {
      await store.close()
    }
    expect(tailLength(path)).toBe(0)
  })

  test('a fold inside a save that is rolled back is undone with it, and redone', async () => {
    const path = file()
    const store = createSqliteStore(path, { indexLag: 2 })
    try {
      await store.events.insert([rec('a1', 1)])
      // The first batch's log row reaches the lag and folds; the second conflicts.
      await expect(store.events.insertBatches!([[rec('b1', 1)], [rec('a1', 1)]])).rejects.toThrow(
        /already exists/,
      )
      expect(tailLength(path)).toBe(1)
      await store.events.insert([rec('c1', 1)])
      expect(tailLength(path)).toBe(0)
      await expectExact(store.events)
    } finally {
      await store.close()
    }
  })

  test('once saves pause, the tail is folded for other readers of the file', async () => {
    const path = file()
    const store = createSqliteStore(path, { indexLag: 100 })
    try {
      await store.events.insert([rec('a1', 1)])
      await store.events.insert([rec('b1', 1)])
      expect(tailLength(path)).toBe(2)
      const deadline = Date.now() + 5000
      while (tailLength(path) > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20))
      expect(tailLength(path)).toBe(0)
    } finally {
      await store.close()
    }
  })

  test('a fold once saves pause does not wait for another connection writing the file', async () => {
    const path = file()
    const store = createSqliteStore(path, { indexLag: 100 })
    const other = new Database(path)
    try {
      await store.events.insert([rec('a1', 1)])
      other.exec('BEGIN IMMEDIATE')
      // The fold is due 100 ms after the save; waiting on the lock would hold this event loop
      // for the driver's busy timeout (10 s).
      const began = Date.now()
      await new Promise((resolve) => setTimeout(resolve, 400))
      expect(Date.now() - began).toBeLessThan(3000)
      other.exec('ROLLBACK')
      expect(tailLength(path)).toBe(1)
      // The connection's own busy timeout is as it was.
      const timeout = (
        store.events as unknown as {
          database: { db: { prepare(sql: string): { get(): unknown[] } } }
        }
      ).database.db
        .prepare('PRAGMA busy_timeout')
        .get()[0]
      expect(timeout).toBe(10_000)
    } finally {
      other.close()
      await store.close()
    }
    expect(tailLength(path)).toBe(0)
  })

  test('another connection lists the tail this one has not folded', async () => {
    const path = file()
    const writer = createSqliteStore(path, { indexLag: 100 })
    const reader = createSqliteStore(path)
    try {
      await writer.events.insert([rec('a1', 1)])
      await writer.events.insert([rec('b1', 1, 'shop:Order.Placed')])
      await writer.events.insert([rec('a1', 2)])
      expect(tailLength(path)).toBe(3)
      const page = await reader.events.listAggregates({ limit: 5 })
      expect(page.items.map((i) => [i.originatorId, i.version])).toEqual([
        ['a1', 2],
        ['b1', 1],
      ])
      expect(await reader.events.countAggregates()).toBe(2)
      await expectExact(reader.events)
    } finally {
      await reader.close()
      await writer.close()
    }
  })

  test('a count reads one moment, though another connection folds meanwhile', async () => {
    const path = file()
    const writer = createSqliteStore(path, { indexLag: 100 })
    const reader = createSqliteStore(path)
    try {
      await writer.events.insert([rec('a1', 1)])
      await writer.events.insert([rec('b1', 1)])
      // The writer folds (and commits) just as the reader reads the tail, after its counter.
      type Reads = { all(...params: unknown[]): unknown[] }
      const index = (reader.events as unknown as { index: { readTail: Reads } }).index
      const readTail = index.readTail
      index.readTail = {
        all: (...params) => {
          ;(writer.events as unknown as { foldIndex(): void }).foldIndex()
          return readTail.all(...params)
        },
      }
      expect(await reader.events.countAggregates()).toBe(2)
      index.readTail = readTail
      expect(tailLength(path)).toBe(0)
      expect(await reader.events.countAggregates()).toBe(2)
    } finally {
      await reader.close()
      await writer.close()
    }
  })

  test('the lag is a positive integer', () => {
    for (const indexLag of [0, -1, 1.5, Number.NaN])
      expect(() => createSqliteStore(file(), { indexLag })).toThrow(/positive integer/)
  })
})
