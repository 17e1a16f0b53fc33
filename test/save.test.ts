import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import {
  ConcurrencyError,
  ConfigurationError,
  createMemoryStore,
  createSqliteStore,
  type DomainEvent,
  type Store,
  WriteRefused,
} from '../electron/eventsourcing'
import { sqliteDriverFromEnv } from '../electron/explorer/storeEnv'
import { EverythingApplication } from '../electron/example/everythingApplication'
import type { ExampleAggregateRoot } from '../electron/example/exampleAggregateRoot'
import { createExampleAggregate } from '../electron/example/factory'
import { SEED_CIPHER_KEY } from '../electron/example/seedSettings'
import { describeWithCassandra, openCassandraTestStore } from './cassandraTestStore'

/**
 * The path of a save, on real stores: collect the pending events of every aggregate given, one
 * atomic insert, the due snapshots after the commit, then the listeners.
 */
const folder = mkdtempSync(join(tmpdir(), 'eventscope-save-'))
let n = 0

function atomicSuite(name: string, openStore: () => Promise<Store>): void {
  const open = async (
    options: Partial<ConstructorParameters<typeof EverythingApplication>[0]> = {},
  ): Promise<EverythingApplication> =>
    new EverythingApplication({ store: await openStore(), cipherKey: SEED_CIPHER_KEY, ...options })

  describe(`${name}: one save of several aggregates`, () => {
    test('stores all of them in one insert, a log entry each, and returns the events in order', async () => {
      await using app = await open()
      const a = createExampleAggregate('a')
      a.foo = 'a1'
      const b = createExampleAggregate('b')
      const [last] = await app.log.read({ desc: true, limit: 1 })

      const events = await app.save(a, b)

      expect(events.map((e) => [e.originatorId, e.originatorVersion])).toEqual([
        [a.id, 0],
        [a.id, 1],
        [b.id, 0],
      ])
      expect(a.pendingEvents).toEqual([])
      expect(b.pendingEvents).toEqual([])
      expect((await app.repository.get<ExampleAggregateRoot>(a.id)).foo).toBe('a1')
      expect((await app.repository.get<ExampleAggregateRoot>(b.id)).foo).toBe('b')
      const log = await app.log.read({
        limit: 10,
        ...(last === undefined ? {} : { after: last.position }),
      })
      expect(log.map((e) => [e.originatorId, e.toVersion])).toEqual([
        [a.id, 1],
        [b.id, 0],
      ])
      // Both were bound by the save: their own save() is stored here from now on.
      b.foo = 'b1'
      await b.save()
      expect((await app.latest(b.id))?.version).toBe(1)
    })

    test('when one of them conflicts, nothing is stored and every aggregate gets its events back as pending', async () => {
      await using app = await open()
      const stored = app.createExampleAggregate('stored')
      await stored.save()
      const stale = await app.repository.get<ExampleAggregateRoot>(stored.id)
      stored.foo = 'winner'
      await stored.save()

      const fresh = createExampleAggregate('fresh')
      stale.foo = 'loser'
      const error = await app.save(fresh, stale).catch((e: unknown) => e)

      expect(error).toBeInstanceOf(ConcurrencyError)
      expect((error as ConcurrencyError).details.originatorId).toBe(stored.id)
      expect(await app.latest(fresh.id)).toBeUndefined()
      expect(fresh.pendingEvents.map((e) => e.originatorVersion)).toEqual([0])
      expect(stale.pendingEvents.map((e) => e.originatorVersion)).toEqual([1])
      // The caller can retry what did not conflict.
      await app.save(fresh)
      expect((await app.latest(fresh.id))?.version).toBe(0)
    })
  })
}

atomicSuite('memory', async () => createMemoryStore())
atomicSuite('sqlite', async () =>
  createSqliteStore(join(folder, `save-${++n}.sqlite`), sqliteDriverFromEnv()),
)

describe('Application.save (memory store)', () => {
  test('given a conflict, the events go back as pending before any triggered since, and a retry after reloading succeeds', async () => {
    await using app = new EverythingApplication({ store: createMemoryStore() })
    const first = app.createExampleAggregate('v0')
    await first.save()
    const second = await app.repository.get<ExampleAggregateRoot>(first.id)
    first.foo = 'first'
    await first.save()

    second.foo = 'second'
    await expect(app.save(second)).rejects.toBeInstanceOf(ConcurrencyError)
    expect(second.pendingEvents.map((e) => e.originatorVersion)).toEqual([1])

    const reloaded = await app.repository.get<ExampleAggregateRoot>(first.id)
    reloaded.foo = 'second, again'
    await expect(app.save(reloaded)).resolves.toHaveLength(1)
    expect((await app.repository.get<ExampleAggregateRoot>(first.id)).foo).toBe('second, again')
  })

  test('given nothing pending, save stores nothing and tells no listener', async () => {
    await using app = new EverythingApplication({ store: createMemoryStore() })
    const told: number[] = []
    app.subscribe((events) => void told.push(events.length))
    const aggregate = app.createExampleAggregate('once')
    await aggregate.save()

    await expect(app.save(aggregate)).resolves.toEqual([])
    await expect(app.save()).resolves.toEqual([])
    expect(told).toEqual([1])
  })

  test('listeners are told after the snapshots are taken, in subscription order, until they unsubscribe', async () => {
    await using app = new EverythingApplication({ store: createMemoryStore(), snapshotPeriod: 2 })
    const calls: string[] = []
    app.subscribe(async (events) => {
      const last = events[events.length - 1]!
      const [snapshot] = await app.snapshots(last.originatorId, { desc: true, limit: 1 })
      calls.push(`first: v${last.originatorVersion}, snapshot v${snapshot?.originatorVersion}`)
    })
    const unsubscribe = app.subscribe((events) => void calls.push(`second: ${events.length}`))
    const aggregate = app.createExampleAggregate('v0')
    aggregate.foo = 'v1'

    await aggregate.save()
    unsubscribe()
    aggregate.foo = 'v2'
    await aggregate.save()

    expect(calls).toEqual(['first: v1, snapshot v1', 'second: 2', 'first: v2, snapshot v1'])
  })

  test('a failing listener does not fail the save; it is reported and the other listeners are told', async () => {
    const failures: Array<{ message: string; events: readonly DomainEvent[] }> = []
    await using app = new EverythingApplication({
      store: createMemoryStore(),
      onSubscriberFailure: (error, events) =>
        failures.push({ message: (error as Error).message, events }),
    })
    const told: number[] = []
    app.subscribe(() => {
      throw new Error('listener broke')
    })
    app.subscribe((events) => void told.push(events.length))
    const aggregate = app.createExampleAggregate('v0')

    await expect(aggregate.save()).resolves.toBeUndefined()

    expect(failures.map((f) => f.message)).toEqual(['listener broke'])
    expect(failures[0]!.events.map((e) => e.originatorId)).toEqual([aggregate.id])
    expect(told).toEqual([1])
    expect((await app.latest(aggregate.id))?.version).toBe(0)
  })

  test('a read-only application refuses the save with WriteRefused and leaves the events pending', async () => {
    await using app = new EverythingApplication({ store: createMemoryStore(), readOnly: true })
    const aggregate = app.createExampleAggregate('v0')

    await expect(aggregate.save()).rejects.toBeInstanceOf(WriteRefused)

    expect(aggregate.pendingEvents).toHaveLength(1)
    expect(await app.latest(aggregate.id)).toBeUndefined()
  })
})

await describeWithCassandra('Application.save on Cassandra', () => {
  test('a save of several aggregates is refused with ConfigurationError before anything is written; one at a time works', async () => {
    await using app = new EverythingApplication({
      store: await openCassandraTestStore(),
      cipherKey: SEED_CIPHER_KEY,
    })
    const a = createExampleAggregate('a')
    const b = createExampleAggregate('b')

    const error = await app.save(a, b).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as Error).message).toMatch(/cannot save 2 aggregates atomically/)
    expect(await app.latest(a.id)).toBeUndefined()
    expect(await app.latest(b.id)).toBeUndefined()
    expect(a.pendingEvents).toHaveLength(1)
    expect(b.pendingEvents).toHaveLength(1)

    await app.save(a)
    await b.save()
    expect((await app.latest(a.id))?.version).toBe(0)
    expect((await app.latest(b.id))?.version).toBe(0)
  })
})
