import { describe, expect, test } from 'vitest'
import type { EverythingApplication } from '../../example/everythingApplication'
import type { ExampleAggregateRoot } from '../../example/exampleAggregateRoot'
import { reconstructEvent, type DomainEvent } from '../domain/events'
import { DataIntegrityError } from '../errors'
import { Repository } from './repository'
import { SnapshotStrategy } from './snapshotStrategy'
import {
  aggregateWithHistory,
  openApp,
  rejection,
  snapshotVersions,
  storedPartition,
} from '../../../test/applicationTestKit'

/** Replaces stored event `version` by one whose foo differs but whose hash is the original's. */
async function forge(app: EverythingApplication, id: string, version: number): Promise<void> {
  const [original] = await app.eventStore.list(id, { gt: version - 1, lte: version })
  const fields = { ...(original as unknown as Record<string, unknown>), value: 'forged' }
  const forged = reconstructEvent(original!.constructor as new () => DomainEvent, fields)
  storedPartition(app.store, id)[version] = app.mapper.eventToRecord(forged)
}

/** A repository over the application's event store with no options: the library defaults. */
function bareRepository(app: EverythingApplication, snapshots = false): Repository {
  return new Repository(
    app.eventStore,
    snapshots ? new SnapshotStrategy(app.store.snapshots, app.mapper) : undefined,
  )
}

describe('Repository: defaults, bounds and the reads a replay makes', () => {
  test('given no options, when a tampered event is replayed, then the hash is checked by default', async () => {
    await using app = openApp()
    const aggregate = await aggregateWithHistory(app, 4)
    await forge(app, aggregate.id, 2)

    const error = await rejection(bareRepository(app).get(aggregate.id))

    expect(error).toBeInstanceOf(DataIntegrityError)
    expect((error as DataIntegrityError).details.originatorVersion).toBe(2)
  })

  test('given no aggregate index, when latest is asked, then the topic comes from the creation event', async () => {
    await using app = openApp()
    const aggregate = await aggregateWithHistory(app, 3)
    const indexed = await app.repository.latest(aggregate.id)

    expect(await bareRepository(app).latest(aggregate.id)).toEqual({
      version: 3,
      aggregateTopic: indexed!.aggregateTopic,
    })
    expect(await bareRepository(app).latestVersion(aggregate.id)).toBe(3)
    expect(await bareRepository(app).latestVersion('never-stored')).toBeUndefined()
    expect(await app.repository.latestVersion('never-stored')).toBeUndefined()
  })

  test('given the creation event lost, when latest is asked, then the index answers and without it the loss is named', async () => {
    await using app = openApp()
    const aggregate = await aggregateWithHistory(app, 3)
    const topic = (await app.repository.latest(aggregate.id))!.aggregateTopic
    storedPartition(app.store, aggregate.id).shift()

    // The index knows the topic: no read of version 0.
    expect(await app.repository.latest(aggregate.id)).toEqual({ version: 3, aggregateTopic: topic })
    const error = await rejection(bareRepository(app).latest(aggregate.id))
    expect(error).toBeInstanceOf(DataIntegrityError)
    expect((error as Error).message).toBe(
      `version 0 of ${aggregate.id} (its creation event) is missing from the store`,
    )
    expect((error as DataIntegrityError).details).toMatchObject({
      originatorId: aggregate.id,
      originatorVersion: 0,
      problem: 'missing',
    })
  })

  test('given an aborted signal, when a replay starts, then it is aborted before any read', async () => {
    await using app = openApp()
    const aggregate = await aggregateWithHistory(app, 3)
    const controller = new AbortController()
    controller.abort(new Error('stopped by the caller'))

    const error = await rejection(
      app.repository.replay(aggregate.id, { signal: controller.signal }),
    )

    expect((error as Error).message).toBe('stopped by the caller')
  })

  test('given a replay with onProgress, then it is told the version reached', async () => {
    await using app = openApp()
    const aggregate = await aggregateWithHistory(app, 6)
    const told: number[] = []

    await app.repository.replay(aggregate.id, { at: 4, onProgress: (v) => void told.push(v) })

    expect(told).toEqual([4])
  })

  test('given a snapshot whose own event is lost, when replayed to that version, then the missing link is named', async () => {
    await using app = openApp({ snapshotPeriod: 2 })
    const aggregate = await aggregateWithHistory(app, 9)
    expect(await snapshotVersions(app, aggregate.id)).toContain(5)
    const partition = storedPartition(app.store, aggregate.id)
    partition.splice(5, 1)

    const error = await rejection(app.repository.replay(aggregate.id, { at: 5 }))

    expect(error).toBeInstanceOf(DataIntegrityError)
    expect((error as Error).message).toBe(
      `version 5 of ${aggregate.id} is missing from the store: the snapshot at that version has no event to link to`,
    )
  })

  test('given every event lost but the index entry, when loaded, then all the versions the index records are named', async () => {
    await using app = openApp({ snapshotPeriod: 0 })
    const aggregate = await aggregateWithHistory(app, 3)
    storedPartition(app.store, aggregate.id).splice(0)
    const message = `versions 0–3 of ${aggregate.id} are missing: the aggregate index records version 3, but the newest stored event is none`

    expect(((await rejection(app.repository.get(aggregate.id))) as Error).message).toBe(message)
    expect(((await rejection(app.latest(aggregate.id))) as Error).message).toBe(message)
  })

  test('given events lost in the middle and no index, when replayed to a version among them, then the gap is named', async () => {
    await using app = openApp()
    const aggregate = await aggregateWithHistory(app, 8)
    storedPartition(app.store, aggregate.id).splice(4, 2)

    const error = await rejection(bareRepository(app).replay(aggregate.id, { at: 5 }))

    expect(error).toBeInstanceOf(DataIntegrityError)
    expect((error as Error).message).toBe(
      `versions 4–5 of ${aggregate.id} are missing from the store (the next stored event is version 6)`,
    )
  })

  describe('given a discarded aggregate with a snapshot of its discarding', () => {
    async function discarded(app: EverythingApplication): Promise<ExampleAggregateRoot> {
      const aggregate = await aggregateWithHistory(app, 2)
      await aggregate.discard()
      await app.repository.takeSnapshot(aggregate.id)
      expect(await snapshotVersions(app, aggregate.id)).toEqual([3])
      return aggregate
    }

    test('when replayed, then a discarded placeholder comes back from the snapshot alone', async () => {
      await using app = openApp({ snapshotPeriod: 10 })
      const aggregate = await discarded(app)

      const result = await app.repository.replay(aggregate.id)

      expect(result.eventsApplied).toBe(0)
      expect(result.snapshot?.state).toBeNull()
      expect(result.aggregate?.isDiscarded).toBe(true)
      expect(result.aggregate?.version).toBe(3)
      expect(result.aggregate?.lastHash).toBe('')
      expect(await app.repository.getEntity(aggregate.id)).toBeNull()
    })

    test('when the discarding event is lost, then the snapshot is not trusted alone', async () => {
      await using app = openApp({ snapshotPeriod: 10 })
      const aggregate = await discarded(app)
      storedPartition(app.store, aggregate.id).pop()

      const error = await rejection(app.repository.replay(aggregate.id))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as Error).message).toContain(`version 3 of ${aggregate.id} is missing`)
    })
  })

  describe('taking snapshots', () => {
    test('given a version, when takeSnapshot is asked, then the snapshot is of that version and stored', async () => {
      await using app = openApp({ snapshotPeriod: 100 })
      const aggregate = await aggregateWithHistory(app, 6)

      const taken = await app.repository.takeSnapshot(aggregate.id, { lte: 4 })
      const latest = await app.repository.takeSnapshot(aggregate.id)

      expect(taken?.originatorVersion).toBe(4)
      expect(latest?.originatorVersion).toBe(6)
      expect(await snapshotVersions(app, aggregate.id)).toEqual([4, 6])
      const [at4] = await app.snapshots(aggregate.id, { lte: 4 })
      expect((at4?.state as { _foo?: string })._foo).toBe('bar4')
      expect(await app.repository.takeSnapshot('never-stored')).toBeUndefined()
      expect(await app.repository.takeSnapshot(aggregate.id, { lte: -1 })).toBeUndefined()
    })

    test('given several versions, when takeSnapshots is asked, then each holds the state of its version', async () => {
      await using app = openApp({ snapshotPeriod: 100 })
      const aggregate = await aggregateWithHistory(app, 9)

      expect(await app.repository.takeSnapshots(aggregate.id, [7, 3, 5, 3])).toEqual([3, 5, 7])
      const states = await app.snapshots(aggregate.id)
      expect(states.map((s) => (s.state as { _foo?: string })._foo)).toEqual([
        'bar3',
        'bar5',
        'bar7',
      ])
      expect(await app.repository.takeSnapshots(aggregate.id, [])).toEqual([])
      expect(await app.repository.takeSnapshots('never-stored', [1, 2])).toEqual([])
      expect(await snapshotVersions(app, aggregate.id)).toEqual([3, 5, 7])
    })

    test('given a new aggregate, then snapshotRecordsOfNew makes the due records, and leaves other saves to snapshotRecordsAt', async () => {
      await using app = openApp({ snapshotPeriod: 100 })
      const aggregate = await aggregateWithHistory(app, 5)

      const records = await app.repository.snapshotRecordsOfNew(aggregate.id, 0, [1, 4])
      expect(records?.map((r) => r.originatorVersion)).toEqual([1, 4])
      expect(await app.repository.snapshotRecordsOfNew(aggregate.id, 2, [4])).toBeUndefined()
      expect(await app.repository.snapshotRecordsOfNew(aggregate.id, 0, [])).toBeUndefined()
    })

    test('given no snapshot store, when a snapshot is asked for, then the error says so', async () => {
      await using app = openApp()
      const aggregate = await aggregateWithHistory(app, 1)

      const error = await rejection(bareRepository(app).takeSnapshot(aggregate.id))

      expect((error as Error).message).toBe('this repository has no snapshot store')
    })
  })
})
