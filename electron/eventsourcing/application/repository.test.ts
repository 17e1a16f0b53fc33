import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { Example } from '../../example/example'
import type { ExampleAggregateRoot } from '../../example/exampleAggregateRoot'
import { UUID } from '../domain/uuid'
import { AggregateNotFound, DataIntegrityError } from '../errors'
import {
  aggregateWithHistory,
  openApp,
  rejection,
  snapshotVersions,
  storedPartition,
} from '../../../test/applicationTestKit'

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
      expect(Object.keys(snapshot?.state ?? {})).not.toContain('saver')
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
})
