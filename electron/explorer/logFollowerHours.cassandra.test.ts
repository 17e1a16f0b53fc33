/**
 * The log follower across Cassandra's hourly buckets without waiting for the clock: the store's
 * recorder clock (CassandraSettings.clock) is set by the test, so writes land in chosen hours —
 * across the turn of an hour, after empty hours, a day later — and the follower, on the same
 * clock, must report each once and in order. This file's keyspace holds these writes only.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { describeWithCassandra, openCassandraTestStore } from '../../test/cassandraTestStore'
import { applicationLogOf, type LogEntry, type Store } from '../eventsourcing'
import { LogFollower, type LogFollowerOptions } from './logFollower'

vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 })

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** Ten days back, clear of the hours other tests of this keyspace could write into. */
const start = (Math.floor(Date.now() / HOUR) - 240) * HOUR
let now = start
const bucketOf = (e: LogEntry): number => Number(e.position.split(':')[0])
const keyOf = (e: LogEntry): string => `${e.originatorId}:${e.toVersion}`

await describeWithCassandra('the log follower across hourly buckets (a set clock)', () => {
  let store: Store
  beforeAll(async () => {
    // A clock days off needs the clock check's limit that far.
    store = await openCassandraTestStore({ clock: () => now, maxClockSkewMs: 30 * DAY })
  })
  afterAll(() => store?.close())

  /** Saves a creation at `at` by the store's clock; its key. */
  async function saveAt(at: number): Promise<string> {
    now = at
    const id = randomUUID()
    await store.events.insert([
      {
        originatorId: id,
        originatorVersion: 0,
        topic: 'test#Hours.Created',
        state: randomBytes(4),
      },
    ])
    return `${id}:0`
  }

  async function follow(options: Partial<LogFollowerOptions>) {
    const emitted: LogEntry[] = []
    const follower = new LogFollower({
      log: applicationLogOf(store.events),
      intervalMs: 1_000_000_000, // polled by hand
      now: () => now,
      onEntries: (entries) => emitted.push(...entries),
      ...options,
    })
    await follower.start()
    const pollAll = async () => {
      for (let i = 0; i < 20; i++) await follower.poll()
    }
    return { follower, emitted, pollAll }
  }

  test('in commit-order mode: across the hour, two empty hours and a day, each once and in order', async () => {
    const first = Math.floor(now / HOUR) + 1
    await saveAt(first * HOUR + 10) // before the follower starts: not reported
    const { follower, emitted, pollAll } = await follow({ reorderWindowMs: 0, pageSize: 2 })
    const written = [
      await saveAt((first + 1) * HOUR - 1), // the hour's last millisecond
      await saveAt((first + 1) * HOUR), // the next hour's first
      await saveAt((first + 1) * HOUR + 1),
      await saveAt((first + 4) * HOUR + 5), // after two empty hours
      await saveAt((first + 4) * HOUR + DAY), // a day later
    ]
    await pollAll()
    expect(emitted.map(keyOf)).toEqual(written)
    expect(emitted.map(bucketOf)).toEqual([first, first + 1, first + 1, first + 4, first + 28])
    await follower.stop()
  })

  test('with a reorder window: an entry behind the turn of the hour, written late, is reported once', async () => {
    const first = Math.floor(now / HOUR) + 1
    await saveAt(first * HOUR + 10)
    const { follower, emitted, pollAll } = await follow({
      reorderWindowMs: 5_000,
      sweepIntervalMs: 0,
      pageSize: 2,
    })
    const written = [
      await saveAt((first + 1) * HOUR - 3_000),
      await saveAt((first + 1) * HOUR + 1_000),
    ]
    await pollAll()
    expect(emitted.map(keyOf)).toEqual(written)
    // Positioned in the earlier hour, behind what the follower has read (within the window).
    const late = await saveAt((first + 1) * HOUR - 1_000)
    written.push(await saveAt((first + 1) * HOUR + 2_000), await saveAt((first + 2) * HOUR + 1))
    await pollAll()
    expect(emitted.map(keyOf).sort()).toEqual([...written, late].sort())
    expect(emitted.filter((e) => keyOf(e) === late).map(bucketOf)).toEqual([first])
    await follower.stop()
  })
})
