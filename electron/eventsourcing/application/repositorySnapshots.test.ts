import { describe, expect, test, vi } from 'vitest'
import type { EverythingApplication } from '../../example/everythingApplication'
import type { ExampleAggregateRoot } from '../../example/exampleAggregateRoot'
import { AggregateNotFound, ConcurrencyError } from '../errors'
import { KEY_CHECK_ORIGINATOR_ID } from '../persistence/keyCheck'
import type { Store } from '../persistence/recorder'
import { createMemoryStore } from '../persistence/recorders/memory'
import {
  aggregateWithHistory,
  openApp,
  rejection,
  snapshotVersions,
} from '../../../test/applicationTestKit'

describe('Repository: snapshot periods and discards', () => {
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

/** A memory store whose snapshot table refuses every snapshot (the key check still passes). */
function storeFailingSnapshots(): Store {
  const store = createMemoryStore()
  return {
    ...store,
    snapshots: {
      insert: async (records) => {
        if (records[0]?.originatorId === KEY_CHECK_ORIGINATOR_ID)
          return store.snapshots.insert(records)
        throw new Error('snapshot table timed out')
      },
      select: (id, query) => store.snapshots.select(id, query),
    },
  }
}

describe('a snapshot that cannot be taken', () => {
  test('with a failure handler that throws, the save still resolves and the listeners are told', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      await using app = openApp({
        store: storeFailingSnapshots(),
        snapshotPeriod: 2,
        onSnapshotFailure: () => {
          throw new Error('handler broke')
        },
      })
      const told: number[] = []
      app.subscribe((events) => void told.push(events.length))
      const aggregate = app.createExampleAggregate('bar0')
      aggregate.foo = 'bar1'

      await expect(aggregate.save()).resolves.toBeUndefined()

      expect(told).toEqual([2])
      expect(warn).toHaveBeenCalled()
      expect((await app.latest(aggregate.id))?.version).toBe(1)
    } finally {
      warn.mockRestore()
    }
  })

  test('does not fail a save whose events are stored; the failure is reported and loads still work', async () => {
    const failing = storeFailingSnapshots()
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
