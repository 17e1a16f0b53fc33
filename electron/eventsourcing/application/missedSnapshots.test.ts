/**
 * A due snapshot that was not taken (its write failed, the store closed between the batch and
 * its snapshot, the store was written without snapshotting) is taken by the next load.
 * Real memory and SQLite stores; failures are injected around the real snapshot recorder.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { EverythingApplication } from '../../example/everythingApplication'
import { StoreUnavailable } from '../errors'
import { KEY_CHECK_ORIGINATOR_ID } from '../persistence/keyCheck'
import type { Store } from '../persistence/recorder'
import { createMemoryStore } from '../persistence/recorders/memory'
import { createSqliteStore } from '../persistence/recorders/sqlite'
import { MAX_MISSED_PER_REPLAY } from './policies'

const folder = mkdtempSync(join(tmpdir(), 'eventscope-missed-'))
let files = 0

/** The same store whose snapshot writes fail while `failing.on` is true. */
function withFailingSnapshots(store: Store, failing: { on: boolean }): Store {
  const snapshots = store.snapshots
  return {
    ...store,
    snapshots: {
      select: (id, query) => snapshots.select(id, query),
      insert: async (records) => {
        // The store's key check (a reserved record in this table) is not a snapshot.
        const keyCheck = records[0]?.originatorId === KEY_CHECK_ORIGINATOR_ID
        if (failing.on && !keyCheck)
          throw new StoreUnavailable('snapshot table unreachable (injected)')
        return snapshots.insert(records)
      },
    },
  }
}

const stores: Array<[string, () => Store]> = [
  ['memory', () => createMemoryStore()],
  ['SQLite', () => createSqliteStore(join(folder, `missed-${++files}.sqlite`))],
]

describe.each(stores)('missed snapshots on %s', (_, openStore) => {
  test('a snapshot whose write failed after its batch was stored is taken by the next load', async () => {
    const failing = { on: false }
    const failures: Array<{ originatorId: string; versions: readonly number[] }> = []
    const app = new EverythingApplication({
      store: withFailingSnapshots(openStore(), failing),
      snapshotPeriod: 2,
      onSnapshotFailure: (_error, failed) => failures.push(failed),
    })
    try {
      const aggregate = app.createExampleAggregate('bar0')
      await aggregate.save()
      aggregate.foo = 'bar1'
      failing.on = true
      await aggregate.save() // v1 is stored; its snapshot is not
      failing.on = false
      expect(failures).toEqual([{ originatorId: aggregate.id, versions: [1] }])
      expect(await app.snapshotStrategy!.list(aggregate.id)).toEqual([])

      const loaded = await app.repository.get(aggregate.id)

      expect(loaded.version).toBe(1)
      const taken = await app.snapshotStrategy!.list(aggregate.id)
      expect(taken.map((s) => s.originatorVersion)).toEqual([1])
      expect(taken[0]!.state).toMatchObject({ _foo: 'bar1' })
      // The next load starts from it.
      expect((await app.repository.replay(aggregate.id)).snapshot?.originatorVersion).toBe(1)
    } finally {
      await app.close()
    }
  })

  test('a later batch takes the snapshots an earlier one missed, with its own', async () => {
    const failing = { on: false }
    const app = new EverythingApplication({
      store: withFailingSnapshots(openStore(), failing),
      snapshotPeriod: 2,
      onSnapshotFailure: () => undefined,
    })
    try {
      const aggregate = app.createExampleAggregate('bar0')
      aggregate.foo = 'bar1'
      failing.on = true
      await aggregate.save() // v0, v1: the v1 snapshot fails
      failing.on = false
      aggregate.foo = 'bar2'
      await aggregate.save() // v2: nothing due; a load of the latest finds v1 missing
      await app.repository.get(aggregate.id)
      aggregate.foo = 'bar3'
      await aggregate.save() // v3: due

      const versions = (await app.snapshotStrategy!.list(aggregate.id)).map(
        (s) => s.originatorVersion,
      )
      expect(versions).toEqual([1, 3])
    } finally {
      await app.close()
    }
  })

  test('a store written without snapshots gets the newest due ones, a bounded number per load', async () => {
    const store = openStore()
    const writer = new EverythingApplication({
      store,
      snapshotPeriod: 0,
    })
    const aggregate = writer.createExampleAggregate('bar0')
    for (let v = 1; v < 40; v++) aggregate.foo = `bar${v}`
    await aggregate.save()
    // Same store, now with period 2 (the writer is not closed: closing would close the store).
    const reader = new EverythingApplication({
      store,
      snapshotPeriod: 2,
    })
    try {
      await reader.repository.get(aggregate.id)
      const versions = (await reader.snapshotStrategy!.list(aggregate.id)).map(
        (s) => s.originatorVersion,
      )
      expect(versions).toHaveLength(MAX_MISSED_PER_REPLAY)
      expect(versions[versions.length - 1]).toBe(39)
      expect(versions[0]).toBe(39 - 2 * (MAX_MISSED_PER_REPLAY - 1))
      // The next load starts from v39: nothing is missing after it.
      await reader.repository.get(aggregate.id)
      expect(await reader.snapshotStrategy!.list(aggregate.id)).toHaveLength(MAX_MISSED_PER_REPLAY)
    } finally {
      await reader.close()
    }
  })

  test('no extra snapshots in the seed walk-through, and none when takeMissedSnapshots is off', async () => {
    const on = new EverythingApplication({
      store: openStore(),
      snapshotPeriod: 2,
    })
    try {
      const a = on.createExampleAggregate('bar1')
      await a.save()
      a.foo = 'bar2'
      await a.save()
      for (const foo of ['bar3', 'bar4', 'bar5']) a.foo = foo
      await a.save()
      await on.repository.get(a.id)
      expect((await on.snapshotStrategy!.list(a.id)).map((s) => s.originatorVersion)).toEqual([
        1, 3,
      ])

      // Off: a load leaves the store as it is (read-only use).
      const failing = { on: true }
      const readOnly = new EverythingApplication({
        store: withFailingSnapshots(openStore(), failing),
        snapshotPeriod: 2,
        takeMissedSnapshots: false,
        onSnapshotFailure: () => undefined,
      })
      const b = readOnly.createExampleAggregate('x')
      b.foo = 'y'
      await b.save() // its v1 snapshot fails
      failing.on = false
      await readOnly.repository.get(b.id)
      expect(await readOnly.snapshotStrategy!.list(b.id)).toEqual([])
      await readOnly.close()
    } finally {
      await on.close()
    }
  })
})
