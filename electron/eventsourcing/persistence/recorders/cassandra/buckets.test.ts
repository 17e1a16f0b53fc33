/**
 * The log across its hourly buckets, on a real node: a recorder whose clock the test sets writes
 * into chosen hours (the last and first millisecond of two hours, after two empty hours, a day
 * later), and reads walk the buckets in order both ways, from any position, a page at a time.
 * This file's keyspace holds these entries only (it is made for this file).
 */
import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, test, vi } from 'vitest'
import { record } from '../../../../../test/cassandraRecorderTesting'
import {
  describeWithCassandra,
  openCassandraTestStore,
  testKeyspace,
} from '../../../../../test/cassandraTestStore'
import type { LogEntry, Store } from '../../recorder'
import { CassandraApplicationRecorder } from './applicationRecorder'
import { bucketOf, formatPosition, HOUR_MS } from './logRows'
import { TimeUuid } from './driver'

vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 })

const DAY_MS = 24 * HOUR_MS
/** The writes start four days back: the clock check must let a clock that far off through. */
const first = bucketOf(Date.now()) - 96
/** When each write happens by the recorder's clock, and the bucket it must land in. */
const writes = [
  { at: first * HOUR_MS + 1_000, bucket: first },
  { at: (first + 1) * HOUR_MS - 1, bucket: first }, // the hour's last millisecond
  { at: (first + 1) * HOUR_MS - 1, bucket: first }, // the same millisecond again
  { at: (first + 1) * HOUR_MS, bucket: first + 1 }, // the next hour's first
  { at: (first + 4) * HOUR_MS + 7, bucket: first + 4 }, // after two empty hours
  { at: (first + 4) * HOUR_MS + DAY_MS + 3, bucket: first + 28 }, // a day later
  { at: (first + 4) * HOUR_MS + DAY_MS + 4, bucket: first + 28 },
]

const bucketOfEntry = (e: LogEntry): number => Number(e.position.split(':')[0])
const keys = (entries: LogEntry[]): string[] =>
  entries.map((e) => `${e.originatorId}:${e.toVersion}`)

await describeWithCassandra('cassandra log across hourly buckets', () => {
  let store: Store
  let events: CassandraApplicationRecorder
  /** What was written, in the order written (each write's clock time is later or equal). */
  const written: LogEntry[] = []

  beforeAll(async () => {
    store = await openCassandraTestStore()
    let now = 0
    const base = store.events as CassandraApplicationRecorder
    events = new CassandraApplicationRecorder(base.session, 60_000, false, 10 * DAY_MS, () => now)
    const a = randomUUID()
    let version = 0
    for (const [i, w] of writes.entries()) {
      now = w.at
      // One aggregate changes in three buckets; the others are created where they are written.
      const mine = i % 3 === 0
      const id = mine ? a : randomUUID()
      const v = mine ? version++ : 0
      await events.insert([record(id, v, `test#Hours.${v === 0 ? 'Created' : 'Changed'}`)])
      written.push({
        originatorId: id,
        fromVersion: v,
        toVersion: v,
        topics: [`test#Hours.${v === 0 ? 'Created' : 'Changed'}`],
        recordedAt: new Date(w.at),
        position: '', // compared apart
      })
    }
    await events.settled()
    return async () => {
      await store.close()
    }
  })

  const strip = (entries: LogEntry[]) => entries.map((e) => ({ ...e, position: '' }))

  test('each position is in the hour of its time by the recorder clock', async () => {
    const log = await events.selectLog({ limit: 100 })
    expect(strip(log)).toEqual(written)
    expect(log.map(bucketOfEntry)).toEqual(writes.map((w) => w.bucket))
    const listed = await events.session.execute(
      `SELECT bucket FROM ${testKeyspace}.log_buckets WHERE shard = 0`,
      [],
    )
    expect(listed.rows.map((r) => Number(r['bucket']))).toEqual([
      first,
      first + 1,
      first + 4,
      first + 28,
    ])
  })

  test('after each position, the next entry, across the hour, the empty hours and the day', async () => {
    const log = await events.selectLog({ limit: 100 })
    for (const [i, entry] of log.entries()) {
      const next = await events.selectLog({ after: entry.position, limit: 1 })
      expect(keys(next), `after entry ${i}`).toEqual(keys(log.slice(i + 1, i + 2)))
      const rest = await events.selectLog({ after: entry.position, limit: 100 })
      expect(keys(rest), `all after entry ${i}`).toEqual(keys(log.slice(i + 1)))
    }
  })

  test('before each position, descending, the entries before it, newest first', async () => {
    const log = await events.selectLog({ limit: 100 })
    expect(keys(await events.selectLog({ desc: true, limit: 100 }))).toEqual(
      keys([...log].reverse()),
    )
    for (const [i, entry] of log.entries()) {
      const earlier = await events.selectLog({ desc: true, before: entry.position, limit: 100 })
      expect(keys(earlier), `before entry ${i}`).toEqual(keys(log.slice(0, i).reverse()))
      const previous = await events.selectLog({ desc: true, before: entry.position, limit: 1 })
      expect(keys(previous), `just before entry ${i}`).toEqual(keys(log.slice(i - 1, i)))
    }
  })

  test('pages of two, from the start and from the end, cover the log once and in order', async () => {
    const log = await events.selectLog({ limit: 100 })
    const ascending: LogEntry[] = []
    for (let after: string | undefined; ;) {
      const page = await events.selectLog({ ...(after ? { after } : {}), limit: 2 })
      ascending.push(...page)
      if (page.length < 2) break
      after = page[page.length - 1]!.position
    }
    expect(keys(ascending)).toEqual(keys(log))
    const descending: LogEntry[] = []
    for (let before: string | undefined; ;) {
      const page = await events.selectLog({ desc: true, ...(before ? { before } : {}), limit: 2 })
      descending.push(...page)
      if (page.length < 2) break
      before = page[page.length - 1]!.position
    }
    expect(keys(descending)).toEqual(keys([...log].reverse()))
  })

  describe('from a position in an hour with no entries', () => {
    // A position a reader may hold (from another store's clock) whose bucket was never written.
    const inGap = formatPosition(
      first + 2,
      TimeUuid.fromDate(new Date((first + 2) * HOUR_MS + 5)).toString(),
    )

    test('after it: the entries of the later hours', async () => {
      const log = await events.selectLog({ limit: 100 })
      expect(keys(await events.selectLog({ after: inGap, limit: 100 }))).toEqual(keys(log.slice(4)))
    })

    test('before it: the entries of the earlier hours, newest first', async () => {
      const log = await events.selectLog({ limit: 100 })
      expect(keys(await events.selectLog({ desc: true, before: inGap, limit: 100 }))).toEqual(
        keys(log.slice(0, 4).reverse()),
      )
    })
  })
})
