/**
 * What the Cassandra recorder's tests share (recorders/cassandra/*.test.ts): a record to store,
 * a store on this file's test keyspace, closed after the body, and the crash tests' check of
 * what readers see after repair.
 */
import { expect } from 'vitest'
import {
  type CassandraApplicationRecorder,
  type LogEntry,
  type Store,
  type StoredRecord,
} from '../electron/eventsourcing'
import { openCassandraTestStore } from './cassandraTestStore'

export function record(
  originatorId: string,
  originatorVersion: number,
  topic: string,
): StoredRecord {
  return {
    originatorId,
    originatorVersion,
    topic,
    state: Buffer.from(`state ${originatorVersion}`),
  }
}

export async function withStore(
  body: (store: Store, events: CassandraApplicationRecorder) => Promise<void>,
  overrides: Parameters<typeof openCassandraTestStore>[0] = {},
): Promise<void> {
  const store = await openCassandraTestStore(overrides)
  try {
    await body(store, store.events as CassandraApplicationRecorder)
  } finally {
    await store.close()
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The log's hourly buckets from the one of `startMs` to the current one: where writes made since
 * `startMs` (on this clock) went, even when the hour turned meanwhile.
 */
export function bucketsSince(startMs: number): number[] {
  const hour = 3_600_000
  const first = Math.floor(startMs / hour)
  return Array.from({ length: Math.floor(Date.now() / hour) - first + 1 }, (_, i) => first + i)
}

/** A CQL `IN (?, ?, …)` over these values, with its parameters. */
export function inList(values: readonly number[]): { sql: string; params: number[] } {
  return { sql: `IN (${values.map(() => '?').join(', ')})`, params: [...values] }
}

/** What a crash test expects readers to see once they have repaired what the crashes left. */
export interface RepairedState {
  /** The log's last position before the test wrote (undefined: it was empty). */
  readonly start: LogEntry['position'] | undefined
  /** The aggregate topic every aggregate of the test has. */
  readonly type: string
  readonly ids: ReadonlySet<string>
  /** Each stored batch of those aggregates as "id from..to". */
  readonly expected: readonly string[]
  /** Each aggregate with stored events, at its last stored version. */
  readonly lastVersion: ReadonlyMap<string, number>
  /** The aggregate count before the test wrote. */
  readonly countBefore: number
  /** Page size of the follower's ascending read. */
  readonly pageSize: number
}

/**
 * Readers after repair, on the aggregates of `state.ids`: the log oldest first (as a follower
 * pages it) and newest first lists each stored batch once and nothing else; the index lists each
 * aggregate with stored events once, at its last version, by id and by recency; the count grew by
 * their number; and every log row of theirs left is CONFIRMED (repaired for good).
 */
export async function expectRepairedReaders(
  events: CassandraApplicationRecorder,
  keyspace: string,
  state: RepairedState,
): Promise<void> {
  const ascending: LogEntry[] = []
  let mark = state.start
  for (;;) {
    const page = await events.selectLog({
      ...(mark === undefined ? {} : { after: mark }),
      limit: state.pageSize,
    })
    if (page.length === 0) break
    ascending.push(...page)
    mark = page[page.length - 1]!.position
  }
  const limit = 5000
  const descending = await events.selectLog({ desc: true, limit })
  const byId = await events.listAggregates({ limit, aggregateTopic: state.type, order: 'id' })
  const recent = await events.listAggregates({ limit, aggregateTopic: state.type })

  const batchesOf = (entries: LogEntry[]) =>
    entries
      .filter((e) => state.ids.has(e.originatorId))
      .map((e) => `${e.originatorId} ${e.fromVersion}..${e.toVersion}`)
      .sort()
  const expected = [...state.expected].sort()
  expect(batchesOf(ascending)).toEqual(expected)
  expect(batchesOf(descending)).toEqual(expected)
  const listed = (items: { originatorId: string; version: number }[]) =>
    items.map((i) => `${i.originatorId} ${i.version}`).sort()
  const want = [...state.lastVersion].map(([id, v]) => `${id} ${v}`).sort()
  expect(listed(byId.items)).toEqual(want)
  expect(listed(recent.items)).toEqual(want)
  expect(await events.countAggregates()).toBe(state.countBefore + state.lastVersion.size)

  const bucket = Math.floor(Date.now() / 3_600_000)
  const rows = await events.session.execute(
    `SELECT originator_id, status FROM ${keyspace}.event_log WHERE bucket IN (?, ?)`,
    [bucket - 1, bucket],
  )
  const theirs = rows.rows.filter((r) => state.ids.has(String(r['originator_id'])))
  expect(theirs).toHaveLength(expected.length)
  expect(theirs.every((r) => r['status'] === 1)).toBe(true)
}
