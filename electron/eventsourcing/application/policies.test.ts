import { afterEach, describe, expect, test, vi } from 'vitest'
import type { EverythingApplication } from '../../example/everythingApplication'
import type { Aggregate } from '../domain/aggregate'
import { reconstructEvent, type DomainEvent } from '../domain/events'
import { DataIntegrityError } from '../errors'
import type { Store, StoredRecord } from '../persistence/recorder'
import { createMemoryStore } from '../persistence/recorders/memory'
import { MAX_MISSED_PER_REPLAY, SnapshottingPolicy } from './policies'
import { Repository, type ReplayResult } from './repository'
import { SnapshotStrategy } from './snapshotStrategy'
import {
  aggregateWithHistory,
  openApp,
  snapshotVersions,
  storedPartition,
} from '../../../test/applicationTestKit'

type Failure = { error: unknown; originatorId: string; versions: readonly number[] }

/** A store written with no snapshots, and a repository over it with a snapshot store. */
async function unsnapshotted(last = 9) {
  const store = createMemoryStore()
  const writer = openApp({ store, snapshotPeriod: 0 })
  const aggregate = await aggregateWithHistory(writer, last)
  const repository = new Repository(
    writer.eventStore,
    new SnapshotStrategy(store.snapshots, writer.mapper),
  )
  return { store, writer, aggregate, repository }
}

function reachedAt(version: number | undefined, snapshotVersion?: number): ReplayResult {
  return {
    aggregate: version === undefined ? undefined : ({ version } as Aggregate),
    snapshot:
      snapshotVersion === undefined
        ? undefined
        : {
            originatorId: 'a',
            originatorVersion: snapshotVersion,
            timestamp: new Date(0),
            topic: 't',
            state: {},
          },
    eventsApplied: 0,
  }
}

describe('SnapshottingPolicy', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  test.each([0, -2, 1.5])('given period %s, then it is refused with a message', async (period) => {
    const { repository } = await unsnapshotted(0)

    expect(() => new SnapshottingPolicy(repository, period)).toThrow(
      new RangeError(`snapshot period must be a positive integer, not ${period}`),
    )
  })

  test('given replay results, then the missed versions are the due ones after the snapshot, oldest first, at most the newest few', async () => {
    const { repository } = await unsnapshotted(0)
    const policy = new SnapshottingPolicy(repository, 2, {}, false)

    expect(policy.missedVersions(reachedAt(undefined))).toEqual([])
    expect(policy.missedVersions(reachedAt(9))).toEqual([1, 3, 5, 7, 9])
    expect(policy.missedVersions(reachedAt(10, 5))).toEqual([7, 9])
    const many = policy.missedVersions(reachedAt(40))
    expect(many).toHaveLength(MAX_MISSED_PER_REPLAY)
    expect(many).toEqual([25, 27, 29, 31, 33, 35, 37, 39])
  })

  test('given the defaults, when a replay passes due versions without snapshots, then they are taken; not when snapshots are not used', async () => {
    const { store, aggregate, repository } = await unsnapshotted(9)
    new SnapshottingPolicy(repository, 2)

    await repository.replay(aggregate.id, { useSnapshots: false })
    expect(await store.snapshots.select(aggregate.id)).toEqual([])

    await repository.replay(aggregate.id)
    expect((await store.snapshots.select(aggregate.id)).map((r) => r.originatorVersion)).toEqual([
      1, 3, 5, 7, 9,
    ])
  })

  test('given a policy closed, when replayed, then nothing is taken', async () => {
    const { store, aggregate, repository } = await unsnapshotted(5)
    new SnapshottingPolicy(repository, 2).close()

    await repository.replay(aggregate.id)

    expect(await store.snapshots.select(aggregate.id)).toEqual([])
  })

  test('given a catch-up done, when more versions are missed later, then the next replay takes them too', async () => {
    const { store, writer, aggregate, repository } = await unsnapshotted(5)
    new SnapshottingPolicy(repository, 2)
    await repository.replay(aggregate.id)
    aggregate.foo = 'bar6'
    aggregate.foo = 'bar7'
    await writer.save(aggregate)

    await repository.replay(aggregate.id)

    expect((await store.snapshots.select(aggregate.id)).map((r) => r.originatorVersion)).toEqual([
      1, 3, 5, 7,
    ])
  })

  test('given a read-only application that takes missed snapshots, then the refused writes are not reported', async () => {
    const { store, aggregate } = await unsnapshotted(5)
    const failures: Failure[] = []
    await using app = openApp({
      store,
      readOnly: true,
      snapshotPeriod: 2,
      takeMissedSnapshots: true,
      onSnapshotFailure: (error, failed) => failures.push({ error, ...failed }),
    })

    expect((await app.repository.replay(aggregate.id)).aggregate?.version).toBe(5)

    expect(failures).toEqual([])
    expect(await store.snapshots.select(aggregate.id)).toEqual([])
  })

  test('given a snapshot store that fails, when a replay catches up, then the failure is reported and the replay stands', async () => {
    const { store, aggregate } = await unsnapshotted(5)
    const failure = new Error('snapshot disk full')
    const refuse = async (): Promise<void> => {
      throw failure
    }
    // The real memory store, its snapshot writes failing as a full disk would.
    const failing: Store = {
      ...store,
      snapshots: Object.assign(Object.create(store.snapshots) as Store['snapshots'], {
        insert: refuse,
        insertIfAbsent: refuse,
      }),
    }
    const failures: Failure[] = []
    await using app = openApp({
      store: failing,
      snapshotPeriod: 2,
      onSnapshotFailure: (error, failed) => failures.push({ error, ...failed }),
    })

    expect((await app.repository.replay(aggregate.id)).aggregate?.version).toBe(5)

    expect(failures).toEqual([{ error: failure, originatorId: aggregate.id, versions: [1, 3, 5] }])
  })

  describe('given a save whose snapshot cannot be made (an earlier event is tampered with)', () => {
    async function tamperedThenSaved(app: EverythingApplication): Promise<string> {
      const aggregate = await aggregateWithHistory(app, 2)
      const [original] = await app.eventStore.list(aggregate.id, { gt: 0, lte: 1 })
      const fields = { ...(original as unknown as Record<string, unknown>), value: 'forged' }
      const forged = reconstructEvent(original!.constructor as new () => DomainEvent, fields)
      const partition: StoredRecord[] = storedPartition(app.store, aggregate.id)
      partition[1] = app.mapper.eventToRecord(forged)
      aggregate.foo = 'bar3'
      await aggregate.save()
      return aggregate.id
    }

    test('then the save stands and the handler gets the error, the aggregate and the version', async () => {
      const failures: Failure[] = []
      await using app = openApp({
        snapshotPeriod: 4,
        onSnapshotFailure: (error, failed) => failures.push({ error, ...failed }),
      })
      const id = await tamperedThenSaved(app)

      expect(failures).toHaveLength(1)
      expect(failures[0]).toMatchObject({ originatorId: id, versions: [3] })
      expect(failures[0]!.error).toBeInstanceOf(DataIntegrityError)
      expect(await snapshotVersions(app, id)).toEqual([])
      expect((await app.latest(id))?.version).toBe(3)
    })

    test('with no handler, then a warning names the snapshot not taken', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
      await using app = openApp({ snapshotPeriod: 4 })
      const id = await tamperedThenSaved(app)

      expect(warn).toHaveBeenCalledTimes(1)
      expect(warn.mock.calls[0]![0]).toMatch(
        new RegExp(`^snapshot of ${id} at version 3 not taken \\(the events are stored\\): .+`),
      )
    })

    test('with a handler that throws, then both are warned about and the save stands', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
      const handlerError = new Error('handler down')
      await using app = openApp({
        snapshotPeriod: 4,
        onSnapshotFailure: () => {
          throw handlerError
        },
      })
      const id = await tamperedThenSaved(app)

      expect(warn).toHaveBeenCalledTimes(2)
      expect(warn.mock.calls[0]![0]).toContain(`snapshot of ${id} at version 3 not taken`)
      expect(warn.mock.calls[1]).toEqual(['the snapshot failure handler failed too:', handlerError])
    })
  })
})
