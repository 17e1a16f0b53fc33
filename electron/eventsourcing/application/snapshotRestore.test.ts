import { describe, expect, test } from 'vitest'
import { EverythingApplication } from '../../example/everythingApplication'
import { aggregateState, restoreAggregate } from '../domain/aggregate'
import { DataIntegrityError } from '../errors'
import { createMemoryStore } from '../persistence/recorders/memory'
import { SnapshotStrategy } from './snapshotStrategy'

// Snapshots edited in the store, their link to their event kept: what a replay from them says.
async function withSnapshotAt7(
  edit: (state: Record<string, unknown>) => Record<string, unknown> | null,
) {
  // A period past the history: snapshots are read, but only the one put here exists.
  const app = new EverythingApplication({ store: createMemoryStore(), snapshotPeriod: 100 })
  const aggregate = app.createExampleAggregate('v0')
  for (let v = 1; v <= 9; v++) aggregate.foo = `v${v}`
  await aggregate.save()
  const { aggregate: at7 } = await app.repository.replay(aggregate.id, { at: 7 })
  await new SnapshotStrategy(app.store.snapshots, app.mapper).put({
    originatorId: aggregate.id,
    originatorVersion: 7,
    timestamp: new Date(0),
    topic: 'example#ExampleAggregateRoot',
    state: edit(aggregateState(at7!)),
  })
  return { app, id: aggregate.id }
}

describe('a replay from an edited snapshot', () => {
  test('a state of another version is refused, not shown under this one', async () => {
    const { app, id } = await withSnapshotAt7((state) => ({ ...state, _version: 3 }))
    await using _ = app
    const failure = await app.repository.replay(id, { at: 8 }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(DataIntegrityError)
    expect((failure as Error).message).toBe(
      `the snapshot at version 7 of ${id} holds the state of version 3`,
    )
  })

  test('a state that sets __proto__ (as JSON.parse of a stored text makes one) is refused', () => {
    // (Our encoder never writes the key: put() cannot store it, an editor of the store can.)
    const state = JSON.parse('{"__proto__":{"polluted":true},"_id":"x","_version":1}') as Record<
      string,
      unknown
    >
    expect(() => restoreAggregate('example#ExampleAggregateRoot', state)).toThrow(
      'a stored example#ExampleAggregateRoot state sets __proto__',
    )
  })

  test('a snapshot that says discarded while later versions are stored is refused', async () => {
    const { app, id } = await withSnapshotAt7(() => null)
    await using _ = app
    await expect(app.repository.replay(id)).rejects.toThrow(
      `the snapshot at version 7 of ${id} says the aggregate was discarded, but version 8 is stored after it`,
    )
  })
})
