import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { Example } from '../../example/example'
import { EverythingApplication } from '../../example/everythingApplication'
import type { ExampleAggregateRoot } from '../../example/exampleAggregateRoot'
import { createExampleAggregate } from '../../example/factory'
import { SEED_CIPHER_KEY } from '../../example/seedSettings'
import type { EventBatch } from '../domain/aggregate'
import { EventBus } from '../domain/bus'
import { computeEventHash, reconstructEvent, type DomainEvent } from '../domain/events'
import { UUID } from '../domain/uuid'
import {
  AggregateNotFound,
  ConcurrencyError,
  ConfigurationError,
  DataIntegrityError,
} from '../errors'
import { KEY_CHECK_ORIGINATOR_ID } from '../persistence/keyCheck'
import type { Store, StoredRecord } from '../persistence/recorder'
import { createMemoryStore } from '../persistence/recorders/memory'
import type { ApplicationOptions } from './application'

type AppOptions = Partial<ApplicationOptions>

function openApp(options: AppOptions = {}): EverythingApplication {
  return new EverythingApplication({
    store: createMemoryStore(),
    bus: new EventBus<EventBatch>(),
    ...options,
  })
}

/**
 * Creates an aggregate with foo = bar0 at v0 and foo = bar<v> at every later version up to
 * `last`, saved in batches of uneven sizes (1, 3, 2, 1, 2, ...).
 */
async function aggregateWithHistory(
  app: EverythingApplication,
  last = 9,
): Promise<ExampleAggregateRoot> {
  const aggregate = app.createExampleAggregate('bar0')
  await aggregate.save()
  const batchSizes = [1, 3, 2, 1, 2]
  let version = 1
  for (let i = 0; version <= last; i++) {
    const size = batchSizes[i % batchSizes.length]!
    for (let n = 0; n < size && version <= last; n++, version++) aggregate.foo = `bar${version}`
    await aggregate.save()
  }
  return aggregate
}

/** The stored records of one aggregate in the memory recorder, for tests that damage them. */
function storedPartition(store: Store, originatorId: string): StoredRecord[] {
  const partitions = (store.events as unknown as { partitions: Map<string, StoredRecord[]> })
    .partitions
  const partition = partitions.get(originatorId)
  if (!partition) throw new Error(`nothing stored for ${originatorId}`)
  return partition
}

async function snapshotVersions(app: EverythingApplication, id: string): Promise<number[]> {
  return (await app.store.snapshots.select(id)).map((r) => r.originatorVersion)
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection, but the promise resolved')
}

describe('Repository (over the memory store)', () => {
  describe('given an aggregate with a history of ten versions', () => {
    test('when it is got, then the latest state comes back with its version, timestamps and children', async () => {
      await using app = openApp()
      const aggregate = await aggregateWithHistory(app)

      const loaded = await app.repository.get<ExampleAggregateRoot>(aggregate.id)

      expect(loaded.id).toBe(aggregate.id)
      expect(loaded.version).toBe(9)
      expect(loaded.foo).toBe('bar9')
      expect(loaded.createdOn.getTime()).toBe(aggregate.createdOn.getTime())
      expect(loaded.lastModified.getTime()).toBe(aggregate.lastModified.getTime())
      expect(loaded.lastHash).toBe(aggregate.lastHash)
      expect(loaded.pendingEvents).toEqual([])
      expect(await app.repository.has(aggregate.id)).toBe(true)
    })

    test('when it is got, then it is bound to the application: changing and saving it is stored', async () => {
      await using app = openApp()
      const aggregate = await aggregateWithHistory(app, 3)

      const loaded = await app.repository.get<ExampleAggregateRoot>(aggregate.id)
      loaded.foo = 'changed after loading'
      await loaded.save()

      const again = await app.repository.get<ExampleAggregateRoot>(aggregate.id)
      expect(again.version).toBe(4)
      expect(again.foo).toBe('changed after loading')
    })

    describe.each([0, 2, 3, 5])('with snapshot period %i', (snapshotPeriod) => {
      test('when getEntity is asked for every version, then each comes back as it was then', async () => {
        await using app = openApp({ snapshotPeriod })
        const aggregate = await aggregateWithHistory(app)

        for (let at = 0; at <= 9; at++) {
          const past = await app.repository.getEntity<ExampleAggregateRoot>(aggregate.id, { at })
          expect(past?.version, `at ${at}`).toBe(at)
          expect(past?.foo, `at ${at}`).toBe(`bar${at}`)
        }
      })

      test('when getEntity is asked without a version or beyond the latest, then the latest comes back', async () => {
        await using app = openApp({ snapshotPeriod })
        const aggregate = await aggregateWithHistory(app)

        expect((await app.repository.getEntity<ExampleAggregateRoot>(aggregate.id))?.foo).toBe(
          'bar9',
        )
        expect(
          (await app.repository.getEntity<ExampleAggregateRoot>(aggregate.id, { at: 100 }))
            ?.version,
        ).toBe(9)
      })
    })
  })

  describe('given attributes that hold undefined', () => {
    test('when foo is set to undefined and saved, then the aggregate loads again with foo undefined', async () => {
      await using app = openApp({ snapshotPeriod: 0 })
      const aggregate = app.createExampleAggregate('bar0')
      ;(aggregate as unknown as { foo: unknown }).foo = undefined
      await aggregate.save()

      const loaded = await app.repository.get<ExampleAggregateRoot>(aggregate.id)

      expect(loaded.version).toBe(1)
      expect(loaded.foo).toBeUndefined()
    })

    test('when a value with undefined fields inside is saved, then it loads again without them', async () => {
      await using app = openApp({ snapshotPeriod: 0 })
      const aggregate = app.createExampleAggregate('bar0')
      ;(aggregate as unknown as { foo: unknown }).foo = {
        kept: 1,
        dropped: undefined,
        escaped: { _t_: 'x', gone: undefined },
      }
      await aggregate.save()

      const loaded = await app.repository.get<ExampleAggregateRoot>(aggregate.id)

      expect(loaded.foo).toStrictEqual({ kept: 1, escaped: { _t_: 'x' } })
    })
  })

  describe('given an id that was never stored', () => {
    test('then get raises AggregateNotFound (missing), has is false and getEntity is null', async () => {
      await using app = openApp()
      const id = UUID.v4().hex

      const error = await rejection(app.repository.get(id))

      expect(error).toBeInstanceOf(AggregateNotFound)
      expect((error as AggregateNotFound).reason).toBe('missing')
      expect((error as AggregateNotFound).originatorId).toBe(id)
      expect(await app.repository.has(id)).toBe(false)
      expect(await app.repository.getEntity(id)).toBeNull()
    })

    test('when an aggregate is created but not saved, then the repository does not know it', async () => {
      await using app = openApp()
      const aggregate = app.createExampleAggregate('unsaved')

      expect(await app.repository.has(aggregate.id)).toBe(false)
      await expect(app.repository.get(aggregate.id)).rejects.toBeInstanceOf(AggregateNotFound)
    })
  })

  describe('given snapshots every 2 versions (the seed)', () => {
    test('then a snapshot is taken at every odd version and getSnapshot(lte) picks the newest at or below', async () => {
      await using app = openApp()
      const aggregate = await aggregateWithHistory(app)
      const snapshots = app.snapshotStrategy!

      expect(await snapshotVersions(app, aggregate.id)).toEqual([1, 3, 5, 7, 9])
      expect(await snapshots.getSnapshot(aggregate.id, { lte: 0 })).toBeUndefined()
      const expected: Array<[number, number]> = [
        [1, 1],
        [2, 1],
        [3, 3],
        [4, 3],
        [5, 5],
        [6, 5],
        [7, 7],
        [8, 7],
        [9, 9],
        [50, 9],
      ]
      for (const [lte, version] of expected) {
        const snapshot = await snapshots.getSnapshot(aggregate.id, { lte })
        expect(snapshot?.originatorVersion, `lte ${lte}`).toBe(version)
        expect(snapshot?.state?.['_version'], `lte ${lte}`).toBe(version)
        expect(snapshot?.state?.['_foo'], `lte ${lte}`).toBe(`bar${version}`)
      }
      expect((await snapshots.getSnapshot(aggregate.id))?.originatorVersion).toBe(9)
    })

    test('then a snapshot names the aggregate class and holds no transient fields', async () => {
      await using app = openApp()
      const aggregate = await aggregateWithHistory(app, 1)

      const snapshot = await app.snapshotStrategy!.getSnapshot(aggregate.id)

      expect(snapshot?.topic).toBe('example#ExampleAggregateRoot')
      expect(snapshot?.state?.['_id']).toBe(aggregate.id)
      expect(Object.keys(snapshot?.state ?? {})).not.toContain('pending')
      expect(Object.keys(snapshot?.state ?? {})).not.toContain('bus')
    })

    test('when one batch passes several snapshot points, then each snapshot holds the state as of its own version', async () => {
      await using app = openApp()
      const aggregate = app.createExampleAggregate('bar0')
      for (let v = 1; v <= 6; v++) aggregate.foo = `bar${v}`

      await aggregate.save()

      const all = await app.snapshotStrategy!.list(aggregate.id)
      expect(all.map((s) => [s.originatorVersion, s.state?.['_foo']])).toEqual([
        [1, 'bar1'],
        [3, 'bar3'],
        [5, 'bar5'],
      ])
    })

    test('when the latest is loaded, then it starts from the newest snapshot and replays only what follows', async () => {
      await using app = openApp()
      const aggregate = await aggregateWithHistory(app, 6)

      const latest = await app.repository.replay(aggregate.id)
      const atFour = await app.repository.replay(aggregate.id, { at: 4 })
      const fromScratch = await app.repository.replay(aggregate.id, { useSnapshots: false })

      expect(latest.snapshot?.originatorVersion).toBe(5)
      expect(latest.eventsApplied).toBe(1)
      expect(atFour.snapshot?.originatorVersion).toBe(3)
      expect(atFour.eventsApplied).toBe(1)
      expect(fromScratch.snapshot).toBeUndefined()
      expect(fromScratch.eventsApplied).toBe(7)
      expect((latest.aggregate as ExampleAggregateRoot).foo).toBe('bar6')
      expect((fromScratch.aggregate as ExampleAggregateRoot).foo).toBe('bar6')
      expect(latest.aggregate?.lastHash).toBe(fromScratch.aggregate?.lastHash)
    })

    test('when events before the snapshot are unreadable, then loading still works because it never reads them', async () => {
      await using app = openApp()
      const aggregate = await aggregateWithHistory(app, 4)
      const partition = storedPartition(app.store, aggregate.id)
      partition[0] = { ...partition[0]!, state: randomBytes(40) }

      const loaded = await app.repository.get<ExampleAggregateRoot>(aggregate.id)

      expect(loaded.foo).toBe('bar4')
      await expect(
        app.repository.replay(aggregate.id, { useSnapshots: false }),
      ).rejects.toBeInstanceOf(DataIntegrityError)
    })

    test('when an aggregate with child entities is restored from a snapshot, then its children come back', async () => {
      await using app = openApp()
      const aggregate = app.createExampleAggregate('bar0')
      aggregate.createNewExample()
      aggregate.createNewExample()
      aggregate.foo = 'bar3'
      await aggregate.save()
      const ids = aggregate.examples.map((e) => e.id.hex).sort()

      const {
        aggregate: restored,
        snapshot,
        eventsApplied,
      } = await app.repository.replay(aggregate.id)

      expect(snapshot?.originatorVersion).toBe(3)
      expect(eventsApplied).toBe(0)
      const root = restored as ExampleAggregateRoot
      expect(root.countExamples()).toBe(2)
      for (const child of root.examples) {
        expect(child).toBeInstanceOf(Example)
        expect(child.id).toBeInstanceOf(UUID)
      }
      expect(root.examples.map((e) => e.id.hex).sort()).toEqual(ids)
      expect(root.createdOn).toBeInstanceOf(Date)
      expect(root.createdOn.getTime()).toBe(aggregate.createdOn.getTime())
    })

    test('when a restored aggregate gets a new child and is saved, then the next load has all children', async () => {
      await using app = openApp()
      const aggregate = app.createExampleAggregate('bar0')
      aggregate.createNewExample()
      await aggregate.save()

      const loaded = await app.repository.get<ExampleAggregateRoot>(aggregate.id)
      loaded.createNewExample()
      await loaded.save()

      expect((await app.repository.get<ExampleAggregateRoot>(aggregate.id)).countExamples()).toBe(2)
    })
  })

  describe('given other snapshot periods', () => {
    test.each([
      [1, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
      [3, [2, 5, 8]],
      [5, [4, 9]],
      [7, [6]],
    ])(
      'when the period is %i, then snapshots are taken at versions %j',
      async (snapshotPeriod, expected) => {
        await using app = openApp({ snapshotPeriod })
        const aggregate = await aggregateWithHistory(app)

        expect(await snapshotVersions(app, aggregate.id)).toEqual(expected)
        for (const version of expected) {
          const snapshot = await app.snapshotStrategy!.getSnapshot(aggregate.id, { lte: version })
          expect(snapshot?.state?.['_foo']).toBe(`bar${version}`)
        }
      },
    )

    test('when the period is 3, then loading the latest replays only the events after version 8', async () => {
      await using app = openApp({ snapshotPeriod: 3 })
      const aggregate = await aggregateWithHistory(app)

      const { snapshot, eventsApplied } = await app.repository.replay(aggregate.id)

      expect(snapshot?.originatorVersion).toBe(8)
      expect(eventsApplied).toBe(1)
    })

    test('when the period is 0, then no snapshot is ever taken and loading replays every event', async () => {
      await using app = openApp({ snapshotPeriod: 0 })
      const aggregate = await aggregateWithHistory(app)

      expect(app.snapshotStrategy).toBeUndefined()
      expect(await app.store.snapshots.select(aggregate.id)).toEqual([])
      const {
        snapshot,
        eventsApplied,
        aggregate: loaded,
      } = await app.repository.replay(aggregate.id)
      expect(snapshot).toBeUndefined()
      expect(eventsApplied).toBe(10)
      expect((loaded as ExampleAggregateRoot).foo).toBe('bar9')
    })
  })

  describe.each([0, 2, 5])(
    'given an aggregate discarded at version 5 (snapshot period %i)',
    (snapshotPeriod) => {
      async function discarded(app: EverythingApplication): Promise<ExampleAggregateRoot> {
        const aggregate = await aggregateWithHistory(app, 4)
        await aggregate.discard()
        return aggregate
      }

      test('then has is false and get raises AggregateNotFound with reason "discarded"', async () => {
        await using app = openApp({ snapshotPeriod })
        const aggregate = await discarded(app)

        const error = await rejection(app.repository.get(aggregate.id))

        expect(aggregate.version).toBe(5)
        expect(await app.repository.has(aggregate.id)).toBe(false)
        expect(error).toBeInstanceOf(AggregateNotFound)
        expect((error as AggregateNotFound).reason).toBe('discarded')
        expect((error as AggregateNotFound).originatorId).toBe(aggregate.id)
      })

      test('then its history before the discard stays readable, and getEntity at or after the discard is null', async () => {
        await using app = openApp({ snapshotPeriod })
        const aggregate = await discarded(app)

        for (let at = 0; at <= 4; at++) {
          const past = await app.repository.getEntity<ExampleAggregateRoot>(aggregate.id, { at })
          expect(past?.foo, `at ${at}`).toBe(`bar${at}`)
        }
        expect(await app.repository.getEntity(aggregate.id, { at: 5 })).toBeNull()
        expect(await app.repository.getEntity(aggregate.id)).toBeNull()
      })

      test('then a stale handle loaded before the discard cannot save over it', async () => {
        await using app = openApp({ snapshotPeriod })
        const aggregate = await aggregateWithHistory(app, 4)
        const stale = await app.repository.get<ExampleAggregateRoot>(aggregate.id)
        await aggregate.discard()

        stale.foo = 'resurrected'

        await expect(stale.save()).rejects.toBeInstanceOf(ConcurrencyError)
        await expect(app.repository.get(aggregate.id)).rejects.toBeInstanceOf(AggregateNotFound)
      })
    },
  )

  describe('given the seed snapshot period and a discard at a snapshot point', () => {
    test('then the snapshot at the discard has state null', async () => {
      await using app = openApp({ snapshotPeriod: 2 })
      const aggregate = await aggregateWithHistory(app, 4)

      await aggregate.discard()

      const snapshot = await app.snapshotStrategy!.getSnapshot(aggregate.id)
      expect(snapshot?.originatorVersion).toBe(5)
      expect(snapshot?.state).toBeNull()
      expect(
        (await app.snapshotStrategy!.getSnapshot(aggregate.id, { lte: 4 }))?.state?.['_foo'],
      ).toBe('bar3')
    })
  })

  describe.each([
    ['plaintext', undefined],
    ['encrypted', SEED_CIPHER_KEY],
  ])('given %s events that were tampered with in the store (no snapshots)', (_name, cipherKey) => {
    const open = (): EverythingApplication => openApp({ snapshotPeriod: 0, cipherKey })

    /** Re-encodes stored event `version` with foo's value replaced, optionally re-hashing it. */
    async function forge(
      app: EverythingApplication,
      id: string,
      version: number,
      rehash: boolean,
    ): Promise<void> {
      const [original] = await app.eventStore.list(id, { gt: version - 1, lte: version })
      const fields = { ...(original as unknown as Record<string, unknown>), value: 'forged' }
      const forged = reconstructEvent(original!.constructor as new () => DomainEvent, fields)
      if (rehash) Object.assign(forged, { hash: computeEventHash(forged) })
      const partition = storedPartition(app.store, id)
      partition[version] = app.mapper.eventToRecord(forged)
    }

    test('when a stored event has a changed field, then loading raises DataIntegrityError naming that version', async () => {
      await using app = open()
      const aggregate = await aggregateWithHistory(app, 4)
      await forge(app, aggregate.id, 2, false)

      const error = await rejection(app.repository.get(aggregate.id))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details).toMatchObject({
        originatorId: aggregate.id,
        originatorVersion: 2,
      })
      expect((error as Error).message).toContain('version 2')
      expect(
        (await app.repository.getEntity<ExampleAggregateRoot>(aggregate.id, { at: 1 }))?.foo,
      ).toBe('bar1')
    })

    test('when the forger also recomputes the hash, then the next event exposes the break', async () => {
      await using app = open()
      const aggregate = await aggregateWithHistory(app, 4)
      await forge(app, aggregate.id, 2, true)

      const error = await rejection(app.repository.get(aggregate.id))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details.originatorVersion).toBe(3)
      expect((error as Error).message).toContain('version 3')
    })

    test('when the states of two records are swapped, then loading raises DataIntegrityError naming the first', async () => {
      await using app = open()
      const aggregate = await aggregateWithHistory(app, 4)
      const partition = storedPartition(app.store, aggregate.id)
      const [two, three] = [partition[2]!, partition[3]!]
      partition[2] = { ...two, state: three.state }
      partition[3] = { ...three, state: two.state }

      const error = await rejection(app.repository.get(aggregate.id))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details.originatorVersion).toBe(2)
    })

    test('when an event in the middle is deleted, then loading raises DataIntegrityError naming the missing version', async () => {
      await using app = open()
      const aggregate = await aggregateWithHistory(app, 4)
      storedPartition(app.store, aggregate.id).splice(2, 1)

      const error = await rejection(app.repository.get(aggregate.id))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details).toMatchObject({
        originatorVersion: 2,
        problem: 'missing',
      })
    })

    test('when hash verification is turned off, then the forged value is read (the hash chain is what catches it)', async () => {
      await using app = openApp({ snapshotPeriod: 0, cipherKey, verifyHashes: false })
      const aggregate = await aggregateWithHistory(app, 2)
      await forge(app, aggregate.id, 2, false)

      expect((await app.repository.get<ExampleAggregateRoot>(aggregate.id)).foo).toBe('forged')
    })
  })

  describe('given snapshots, and a store changed behind them (verification.ts)', () => {
    const open = (): EverythingApplication => openApp({ snapshotPeriod: 2 })

    test('when the event a snapshot stands on is re-forged with a fresh hash, then the snapshot no longer links to it', async () => {
      await using app = open()
      const aggregate = await aggregateWithHistory(app, 4) // snapshots at v1 and v3
      const [original] = await app.eventStore.list(aggregate.id, { gt: 2, lte: 3 })
      const forged = reconstructEvent(original!.constructor as new () => DomainEvent, {
        ...(original as unknown as Record<string, unknown>),
        value: 'forged',
      })
      Object.assign(forged, { hash: computeEventHash(forged) })
      storedPartition(app.store, aggregate.id)[3] = app.mapper.eventToRecord(forged)

      const error = await rejection(app.repository.replay(aggregate.id, { at: 3 }))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details).toMatchObject({
        originatorVersion: 3,
        problem: 'unlinked',
      })
    })

    test('when the newest events are deleted with their snapshot, then the index still knows them and loading the latest fails at the first lost version', async () => {
      await using app = open()
      const aggregate = await aggregateWithHistory(app, 5) // snapshots at v1, v3, v5
      storedPartition(app.store, aggregate.id).splice(4, 2)
      const snapshots = (
        app.store.snapshots as unknown as { partitions: Map<string, StoredRecord[]> }
      ).partitions.get(aggregate.id)!
      snapshots.splice(snapshots.length - 1, 1)

      const error = await rejection(app.repository.get(aggregate.id))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details).toMatchObject({
        originatorVersion: 4,
        problem: 'missing',
      })
      await expect(app.repository.latestVersion(aggregate.id)).rejects.toThrow(/versions 4–5/)
    })

    test('when a version behind the snapshot is missing, then the latest still loads from the snapshot, but asking for that version fails', async () => {
      await using app = open()
      const aggregate = await aggregateWithHistory(app, 5)
      storedPartition(app.store, aggregate.id).splice(2, 1) // v2

      const latest = await app.repository.replay(aggregate.id)
      expect(latest.snapshot?.originatorVersion).toBe(5)
      expect(latest.aggregate?.version).toBe(5)
      const error = await rejection(app.repository.replay(aggregate.id, { at: 2 }))
      expect((error as DataIntegrityError).details).toMatchObject({
        originatorVersion: 2,
        problem: 'missing',
      })
    })

    test('when asked for a version beyond the latest, then the latest comes back (nothing is missing)', async () => {
      await using app = open()
      const aggregate = await aggregateWithHistory(app, 4)

      expect((await app.repository.replay(aggregate.id, { at: 100 })).aggregate?.version).toBe(4)
    })
  })

  describe('given two handles on the same aggregate (the concurrency race)', () => {
    test('when both save, then the first wins, the second raises ConcurrencyError, and a reloaded second can save', async () => {
      await using app = openApp()
      const original = await aggregateWithHistory(app, 1)
      const a = await app.repository.get<ExampleAggregateRoot>(original.id)
      let b = await app.repository.get<ExampleAggregateRoot>(original.id)

      a.foo = 'from a'
      await a.save()
      b.foo = 'from b'
      const error = await rejection(b.save())

      expect(error).toBeInstanceOf(ConcurrencyError)
      expect((error as ConcurrencyError).details.originatorId).toBe(original.id)
      expect((error as ConcurrencyError).details.attempted).toEqual([2])
      expect((await app.repository.get<ExampleAggregateRoot>(original.id)).foo).toBe('from a')

      b = await app.repository.get<ExampleAggregateRoot>(original.id)
      expect(b.foo).toBe('from a')
      b.foo = 'from b'
      await b.save()
      const final = await app.repository.get<ExampleAggregateRoot>(original.id)
      expect(final.foo).toBe('from b')
      expect(final.version).toBe(3)

      a.foo = 'from a again'
      await expect(a.save()).rejects.toBeInstanceOf(ConcurrencyError)
    })

    test('when a batch of several events loses the race, then none of its events are stored', async () => {
      await using app = openApp()
      const original = await aggregateWithHistory(app, 0)
      const a = await app.repository.get<ExampleAggregateRoot>(original.id)
      const b = await app.repository.get<ExampleAggregateRoot>(original.id)
      const logBefore = await app.store.events.selectLog({ limit: 100 })

      for (const v of [1, 2, 3]) a.foo = `a${v}`
      await a.save()
      for (const v of [1, 2, 3]) b.foo = `b${v}`
      await expect(b.save()).rejects.toBeInstanceOf(ConcurrencyError)

      const stored = await app.eventStore.list(original.id)
      expect(stored.map((e) => e.originatorVersion)).toEqual([0, 1, 2, 3])
      for (const v of [1, 2, 3]) {
        expect(
          (await app.repository.getEntity<ExampleAggregateRoot>(original.id, { at: v }))?.foo,
        ).toBe(`a${v}`)
      }
      const logAfter = await app.store.events.selectLog({ limit: 100 })
      expect(logAfter.slice(logBefore.length).map((e) => [e.fromVersion, e.toVersion])).toEqual([
        [1, 3],
      ])
      const snapshots = await app.snapshotStrategy!.list(original.id)
      expect(snapshots.map((s) => s.state?.['_foo'])).toEqual(['a1', 'a3'])
    })

    test('when only the last event of a batch conflicts, then the whole batch is refused and no snapshot is taken', async () => {
      await using app = openApp()
      const aggregate = await aggregateWithHistory(app, 0)
      // Someone else holds version 3 already (written straight to the store).
      await app.store.events.insert([
        app.mapper.toRecord(aggregate.id, 3, 'example#ExampleAggregateRoot.AttributeChanged', {
          name: '_foo',
          value: 'x',
        }),
      ])

      for (const v of [1, 2, 3]) aggregate.foo = `bar${v}`
      const error = await rejection(aggregate.save())

      expect(error).toBeInstanceOf(ConcurrencyError)
      expect((error as ConcurrencyError).details.attempted).toEqual([1, 2, 3])
      expect((await app.store.events.select(aggregate.id)).map((r) => r.originatorVersion)).toEqual(
        [0, 3],
      )
      expect(await app.store.snapshots.select(aggregate.id)).toEqual([])
    })
  })
})

describe('Application', () => {
  test('given an open application on a bus, when a second one is opened on that bus, then it is refused', async () => {
    const bus = new EventBus<EventBatch>()
    await using _first = new EverythingApplication({ store: createMemoryStore(), bus })

    expect(() => new EverythingApplication({ store: createMemoryStore(), bus })).toThrow(
      ConfigurationError,
    )
  })

  test('given two applications on their own buses, then each stores only its own aggregates', async () => {
    await using one = openApp()
    await using two = openApp()

    const aggregate = one.createExampleAggregate('only in one')
    await aggregate.save()

    expect(await one.repository.has(aggregate.id)).toBe(true)
    expect(await two.repository.has(aggregate.id)).toBe(false)
  })

  test('given `await using`, when the block ends, then the application is closed and its bus is free again', async () => {
    const bus = new EventBus<EventBatch>()
    const store = createMemoryStore()
    let storeClosed = 0
    const tracked: Store = { ...store, close: async () => void storeClosed++ }

    {
      await using app = new EverythingApplication({ store: tracked, bus })
      expect(bus.size).toBe(2)
      expect(storeClosed).toBe(0)
      await app.createExampleAggregate('inside').save()
    }

    expect(storeClosed).toBe(1)
    expect(bus.size).toBe(0)
    await using reopened = new EverythingApplication({ store: createMemoryStore(), bus })
    expect(reopened.bus).toBe(bus)
  })

  test('given a closed application, when it is closed again, then the store is not closed twice', async () => {
    let storeClosed = 0
    const app = new EverythingApplication({
      store: { ...createMemoryStore(), close: async () => void storeClosed++ },
      bus: new EventBus<EventBatch>(),
    })

    await app.close()
    await app.close()

    expect(storeClosed).toBe(1)
  })

  test('given a snapshot period that cannot work, when the application is opened, then it fails and leaves the bus free', async () => {
    const bus = new EventBus<EventBatch>()

    expect(
      () => new EverythingApplication({ store: createMemoryStore(), bus, snapshotPeriod: 1.5 }),
    ).toThrow(RangeError)

    expect(bus.size).toBe(0)
    await using app = new EverythingApplication({ store: createMemoryStore(), bus })
    expect(app.snapshotPeriod).toBe(2)
  })

  test('given a cipher key of a wrong length, when the application is opened, then ConfigurationError is raised and the bus stays free', async () => {
    const bus = new EventBus<EventBatch>()

    expect(
      () =>
        new EverythingApplication({
          store: createMemoryStore(),
          bus,
          cipherKey: new Uint8Array(10),
        }),
    ).toThrow(ConfigurationError)

    await using app = new EverythingApplication({ store: createMemoryStore(), bus })
    expect(app.encrypted).toBe(false)
  })

  test('given a cipher key, then events are stored encrypted and read back in clear', async () => {
    await using app = openApp({ cipherKey: SEED_CIPHER_KEY })
    const aggregate = app.createExampleAggregate('secret info')
    await aggregate.save()

    const [record] = await app.store.events.select(aggregate.id)

    expect(app.encrypted).toBe(true)
    expect(Buffer.from(record!.state).includes(Buffer.from('secret info'))).toBe(false)
    expect((await app.repository.get<ExampleAggregateRoot>(aggregate.id)).foo).toBe('secret info')
  })

  test('given an aggregate created on another bus, when the application adopts it, then its save is stored there', async () => {
    await using app = openApp()
    const aggregate = createExampleAggregate('adopted', { bus: new EventBus<EventBatch>() })

    app.adopt(aggregate)
    await aggregate.save()

    expect((await app.repository.get<ExampleAggregateRoot>(aggregate.id)).foo).toBe('adopted')
  })

  test('given an aggregate on a bus no application listens to, when it is saved, then nothing is stored', async () => {
    await using app = openApp()
    const aggregate = createExampleAggregate('lost', { bus: new EventBus<EventBatch>() })

    await aggregate.save()

    expect(await app.repository.has(aggregate.id)).toBe(false)
  })
})

describe('snapshots of a large batch', () => {
  test('one batch crossing several snapshot versions stores each snapshot with the state of its own version', async () => {
    await using app = openApp({ snapshotPeriod: 2 })
    const aggregate = app.createExampleAggregate('v0')
    // One batch, versions 0..9: snapshots are due at 1, 3, 5, 7, 9. Examples are added at 4
    // and 8, so a snapshot sharing the live Map with a later version would show too many.
    for (let v = 1; v <= 9; v++) {
      if (v === 4 || v === 8) aggregate.createNewExample()
      else aggregate.foo = `v${v}`
    }
    await aggregate.save()
    expect(await snapshotVersions(app, aggregate.id)).toEqual([1, 3, 5, 7, 9])
    const expectedFoo: Record<number, string> = { 1: 'v1', 3: 'v3', 5: 'v5', 7: 'v7', 9: 'v9' }
    const expectedExamples: Record<number, number> = { 1: 0, 3: 0, 5: 1, 7: 1, 9: 2 }
    for (const version of [1, 3, 5, 7, 9]) {
      const snapshot = await app.snapshotStrategy!.getSnapshot(aggregate.id, { lte: version })
      expect(snapshot?.originatorVersion).toBe(version)
      expect(snapshot?.state?.['_foo']).toBe(expectedFoo[version])
      expect((snapshot?.state?.['_examples'] as Map<string, unknown>).size).toBe(
        expectedExamples[version],
      )
    }
  })

  test('takeSnapshots at versions out of order and repeated takes each once, as of that version', async () => {
    await using app = openApp({ snapshotPeriod: 100 })
    const aggregate = await aggregateWithHistory(app, 9)
    const taken = await app.repository.takeSnapshots(aggregate.id, [7, 2, 7, 4])
    expect(taken).toEqual([2, 4, 7])
    for (const version of taken) {
      const snapshot = await app.snapshotStrategy!.getSnapshot(aggregate.id, { lte: version })
      expect(snapshot?.state?.['_foo']).toBe(`bar${version}`)
    }
  })
})

describe('a snapshot that cannot be taken', () => {
  test('does not fail a save whose events are stored; the failure is reported and loads still work', async () => {
    const store = createMemoryStore()
    const failing: Store = {
      ...store,
      snapshots: {
        insert: async (records) => {
          // The store's key check lives in this table too; only snapshots fail here.
          if (records[0]?.originatorId === KEY_CHECK_ORIGINATOR_ID)
            return store.snapshots.insert(records)
          throw new Error('snapshot table timed out')
        },
        select: (id, query) => store.snapshots.select(id, query),
      },
    }
    const failures: Array<{ originatorId: string; versions: readonly number[]; message: string }> =
      []
    await using app = openApp({
      store: failing,
      snapshotPeriod: 2,
      onSnapshotFailure: (error, failed) =>
        failures.push({ ...failed, message: (error as Error).message }),
    })
    const aggregate = app.createExampleAggregate('bar0')
    aggregate.foo = 'bar1' // version 1: a snapshot is due
    await expect(aggregate.save()).resolves.toBeUndefined()
    expect(failures).toEqual([
      { originatorId: aggregate.id, versions: [1], message: 'snapshot table timed out' },
    ])
    const loaded = await app.repository.get<ExampleAggregateRoot>(aggregate.id)
    expect(loaded.foo).toBe('bar1')
    expect(loaded.version).toBe(1)
  })
})
