/**
 * What the Cassandra recorder's tests share (recorders/cassandra/*.test.ts): a record to store
 * and a store on this file's test keyspace, closed after the body.
 */
import {
  type CassandraApplicationRecorder,
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
