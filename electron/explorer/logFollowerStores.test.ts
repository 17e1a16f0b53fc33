/**
 * The log follower on real stores, SQLite and Cassandra (which, as the other Cassandra tests,
 * fails in CI when no node answers): a burst beyond its page cap, its overlap mode's re-reads,
 * a store failing under its timer (onError, then recovery), and the explorer's "live updates
 * paused" report of it. logFollower.test.ts covers the same logic on a fake log.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import Database from 'better-sqlite3'
import {
  cassandraTestSettings,
  describeWithCassandra,
  dropCassandraTestKeyspace,
  openCassandraTestStore,
  testKeyspace,
} from '../../test/cassandraTestStore'
import type { ConnectionSettings } from '../../shared/contract'
import {
  applicationLogOf,
  openStore,
  type ApplicationLog,
  type LogEntry,
  type Store,
} from '../eventsourcing'
import { LogFollower, type LogFollowerOptions } from './logFollower'
import { closeOpenServices, harness, newSqlitePath, until } from './serviceTesting'

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 })

interface Subject {
  /** A store on which the follower's store can be broken and repaired. */
  open(): Promise<Store>
  /** The connection settings of that store, for the explorer. */
  readonly settings: ConnectionSettings
  /** Makes the store's log unreadable (its table, or its keyspace, is gone). */
  break(): Promise<void>
  /** Makes it readable again (an empty log for Cassandra, the same one for SQLite). */
  repair(): Promise<void>
  /** A store whose clock runs `behindMs` slow (Cassandra only: SQLite's log is in commit order). */
  openBehind?(behindMs: number): Promise<Store>
}

const keyOf = (e: Pick<LogEntry, 'originatorId' | 'toVersion'>) =>
  `${e.originatorId}:${e.toVersion}`

/** Saves `n` one-event creations in turn; their keys in order. */
async function burst(store: Store, n: number): Promise<string[]> {
  const keys: string[] = []
  for (let i = 0; i < n; i++) {
    const id = randomUUID()
    await store.events.insert([
      {
        originatorId: id,
        originatorVersion: 0,
        topic: 'test#Burst.Created',
        state: randomBytes(4),
      },
    ])
    keys.push(`${id}:0`)
  }
  return keys
}

/** A follower polled by hand (its timer far off), counting what each read returned. */
async function manualFollower(store: Store, options: Partial<LogFollowerOptions>) {
  const emitted: LogEntry[] = []
  const reads: number[] = []
  const base = applicationLogOf(store.events)
  const log: ApplicationLog = {
    get reorderWindowMs() {
      return base.reorderWindowMs
    },
    read: async (query) => {
      const page = await base.read(query)
      reads.push(page.length)
      return page
    },
  }
  const follower = new LogFollower({
    log,
    intervalMs: 1_000_000_000,
    onEntries: (entries) => emitted.push(...entries),
    ...options,
  })
  await follower.start()
  reads.length = 0
  return { follower, emitted, reads }
}

function followerSuite(subject: () => Subject): void {
  let store: Store
  beforeAll(async () => {
    store = await subject().open()
  })
  afterAll(async () => {
    await store?.close()
    await closeOpenServices()
  })

  test('a burst beyond the page cap arrives over several polls, complete, in order, once', async () => {
    const { follower, emitted } = await manualFollower(store, {
      reorderWindowMs: 0,
      pageSize: 5,
      maxPagesPerPoll: 2,
    })
    const written = await burst(store, 23)
    const counts = [await follower.poll(), await follower.poll(), await follower.poll()]
    expect(counts).toEqual([10, 10, 3])
    expect(await follower.poll()).toBe(0)
    expect(emitted.map(keyOf)).toEqual(written)
    await follower.stop()
  })

  test('in overlap mode every poll re-reads the window, and reports each entry once', async () => {
    const { follower, emitted, reads } = await manualFollower(store, {
      reorderWindowMs: 60_000,
      sweepIntervalMs: 0,
      pageSize: 5,
      maxPagesPerPoll: 2,
    })
    const written = await burst(store, 12)
    for (let i = 0; i < 6; i++) {
      const before = reads.length
      await follower.poll()
      // Head, sweep and a look past a batch in flight: each at most two pages per poll.
      expect(reads.length - before).toBeLessThanOrEqual(6)
    }
    expect(emitted.map(keyOf).sort()).toEqual([...written].sort())
    // Re-read, not just read once: the sweeps went over the window again and again.
    expect(reads.reduce((a, b) => a + b, 0)).toBeGreaterThan(2 * written.length)
    // No read went past the page size.
    expect(Math.max(...reads)).toBeLessThanOrEqual(5)
    const late = subject().openBehind
    if (late) {
      // An entry positioned behind those already reported (its writer's clock is 10 s slow).
      const newest = Math.max(...emitted.map((e) => e.recordedAt.getTime()))
      const behind = await late(10_000)
      try {
        const [key] = await burst(behind, 1)
        for (let i = 0; i < 3; i++) await follower.poll()
        const found = emitted.filter((e) => keyOf(e) === key)
        expect(found).toHaveLength(1)
        expect(found[0]!.recordedAt.getTime()).toBeLessThan(newest)
      } finally {
        await behind.close()
      }
    }
    expect(new Set(emitted.map(keyOf)).size).toBe(emitted.length)
    await follower.stop()
  })

  test('a store failing under the timer: onError hears it, polling goes on, and it resumes', async () => {
    const s = subject()
    const own = await s.open()
    const emitted: LogEntry[] = []
    const errors: unknown[] = []
    let broken = false
    const follower = new LogFollower({
      log: applicationLogOf(own.events),
      intervalMs: 50,
      sweepIntervalMs: 100,
      onEntries: (entries) => emitted.push(...entries),
      onError: (error) => errors.push(error),
    })
    try {
      await follower.start()
      const [before] = await burst(own, 1)
      await until(() => emitted.some((e) => keyOf(e) === before), 20_000)
      await s.break()
      broken = true
      // Twice: the timer went on after the first failure.
      await until(() => errors.length >= 2, 30_000)
      expect(errors[0]).toBeInstanceOf(Error)
      await s.repair()
      broken = false
      const writer = await s.open()
      try {
        const [after] = await burst(writer, 1)
        await until(() => emitted.some((e) => keyOf(e) === after), 30_000)
      } finally {
        await writer.close()
      }
    } finally {
      await follower.stop()
      await own.close()
      // So that a failure here does not leave the next test a broken store.
      if (broken) await s.repair()
    }
  })

  test('the explorer reports "live updates paused" while the log is unreadable, and clears it', async () => {
    const s = subject()
    const seeded = await s.open() // the schema, for the explorer to connect to
    await seeded.close()
    const h = harness({ pollIntervalMs: 50 })
    await h.ok('connect', s.settings)
    const errorsSeen = () =>
      h.emitted
        .filter((e) => e.event === 'connection')
        .map((e) => (e.payload as { error?: string }).error)
    await s.break()
    await until(() => errorsSeen().some((m) => m?.startsWith('live updates paused: ')), 30_000)
    const paused = errorsSeen().length
    await s.repair()
    const writer = await s.open()
    try {
      await burst(writer, 1)
    } finally {
      await writer.close()
    }
    // Recovered: the report is withdrawn (a connection event without the error).
    await until(
      () =>
        errorsSeen()
          .slice(paused)
          .some((m) => m === undefined),
      30_000,
    )
    expect((await h.ok('getConnection', {})).error).toBeUndefined()
    await h.service.close()
  })
}

describe('the log follower on SQLite', () => {
  const path = newSqlitePath()
  followerSuite(() => ({
    settings: { kind: 'sqlite', path },
    open: () => openStore({ kind: 'sqlite', path }),
    // From another connection, as another process would: the store's statements then fail.
    break: async () => {
      const db = new Database(path)
      db.exec('ALTER TABLE event_log RENAME TO event_log_away')
      db.close()
    },
    repair: async () => {
      const db = new Database(path)
      db.exec('ALTER TABLE event_log_away RENAME TO event_log')
      db.close()
    },
  }))
})

await describeWithCassandra('the log follower on Cassandra', () => {
  // The failures drop a keyspace of their own; the rest of this file's keyspace stays.
  const broken = `${testKeyspace}_f`
  afterAll(() => dropCassandraTestKeyspace(broken), 120_000)
  followerSuite(() => ({
    settings: { kind: 'cassandra', ...pick(cassandraTestSettings()), keyspace: broken },
    open: () => openCassandraTestStore({ keyspace: broken }),
    break: () => dropCassandraTestKeyspace(broken),
    repair: async () => {
      const store = await openCassandraTestStore({ keyspace: broken })
      await store.close()
    },
    openBehind: (behindMs) =>
      openCassandraTestStore({ keyspace: broken, clock: () => Date.now() - behindMs }),
  }))
})

function pick(settings: ReturnType<typeof cassandraTestSettings>) {
  return {
    contactPoints: settings.contactPoints,
    localDataCenter: settings.localDataCenter,
    tls: settings.tls ?? false,
  }
}
