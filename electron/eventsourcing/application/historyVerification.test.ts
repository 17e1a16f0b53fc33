import { describe, expect, test } from 'vitest'
import { reconstructEvent, type DomainEvent } from '../domain/events'
import type { StoredRecord } from '../persistence/recorder'
import { createMemoryStore } from '../persistence/recorders/memory'
import { EverythingApplication } from '../../example/everythingApplication'
import { aggregateState } from '../domain/aggregate'
import { verifyHistory } from './historyVerification'
import { SnapshotStrategy } from './snapshotStrategy'
import { aggregateIndexOf } from './verification'

function openApp(): EverythingApplication {
  return new EverythingApplication({
    store: createMemoryStore(),
    snapshotPeriod: 2,
  })
}

function partition(app: EverythingApplication, table: 'events' | 'snapshots', id: string) {
  const partitions = (app.store[table] as unknown as { partitions: Map<string, StoredRecord[]> })
    .partitions
  return partitions.get(id)!
}

const sources = (app: EverythingApplication) => ({
  events: app.store.events,
  mapper: app.mapper,
  snapshots: app.snapshotStrategy!,
  index: aggregateIndexOf(app.store.events),
})

async function tenEvents(app: EverythingApplication): Promise<string> {
  const aggregate = app.createExampleAggregate('v0')
  for (let v = 1; v <= 9; v++) aggregate.foo = `v${v}`
  await aggregate.save()
  return aggregate.id
}

describe('verifyHistory', () => {
  test('given an untouched history, then every event and snapshot is checked and nothing is found', async () => {
    await using app = openApp()
    const id = await tenEvents(app)
    const progress: Array<[number, number]> = []

    const result = await verifyHistory(sources(app), id, {
      pageSize: 4,
      onProgress: (done, total) => progress.push([done, total]),
    })

    expect(result).toMatchObject({
      aggregateTopic: 'example#ExampleAggregateRoot',
      lastVersion: 9,
      eventsChecked: 10,
      snapshotsChecked: 5,
      problems: [],
      truncated: false,
    })
    expect(progress).toEqual([
      [4, 10],
      [8, 10],
      [10, 10],
    ])
  })

  test('given several problems, then each is listed with its version and the check goes on after it', async () => {
    await using app = openApp()
    const id = await tenEvents(app)
    const events = partition(app, 'events', id)
    // v5's value forged (old hash kept), then v2 deleted (the indices shift after the splice).
    const five = app.mapper.recordToEvent(events[5]!)
    const forged = reconstructEvent(five.constructor as new () => DomainEvent, {
      ...(five as unknown as Record<string, unknown>),
      value: 'forged',
    })
    events[5] = app.mapper.eventToRecord(forged)
    events.splice(2, 1)

    const result = await verifyHistory(sources(app), id, { pageSize: 3 })

    expect(result.problems.map((p) => [p.version, p.problem])).toEqual([
      [2, 'missing'],
      [5, 'tampered'],
    ])
    expect(result.eventsChecked).toBe(9)
  })

  test('given a cancelled signal, then it stops with an AbortError', async () => {
    await using app = openApp()
    const id = await tenEvents(app)
    const controller = new AbortController()
    controller.abort()

    await expect(verifyHistory(sources(app), id, { signal: controller.signal })).rejects.toThrow(
      /abort/i,
    )
  })

  test('given more problems than the limit, then the list is cut and says so', async () => {
    await using app = openApp()
    const id = await tenEvents(app)
    partition(app, 'snapshots', id).splice(0) // snapshots are optional: nothing to report
    const events = partition(app, 'events', id)
    events.splice(1, 1)
    events.splice(2, 1)
    events.splice(3, 1)

    const result = await verifyHistory(sources(app), id, { maxProblems: 2 })

    expect(result.problems.map((p) => p.version)).toEqual([1, 3])
    expect(result.truncated).toBe(true)
  })
})

/** The message a decode of `record` fails with (the text verifyHistory passes on). */
function failure(decode: () => unknown): string {
  try {
    decode()
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('expected the decode to fail')
}

describe('verifyHistory: what each check finds', () => {
  test('given no index, then the total is the newest stored version and the creation event names the topic', async () => {
    await using app = openApp()
    const id = await tenEvents(app)
    const totals: number[] = []

    const result = await verifyHistory({ events: app.store.events, mapper: app.mapper }, id, {
      pageSize: 4,
      onProgress: (_done, total) => totals.push(total),
    })

    expect(totals).toEqual([10, 10, 10])
    expect(result).toEqual({
      originatorId: id,
      aggregateTopic: 'example#ExampleAggregateRoot',
      lastVersion: 9,
      eventsChecked: 10,
      snapshotsChecked: 0,
      problems: [],
      truncated: false,
    })
  })

  test('given nothing stored, then nothing is checked', async () => {
    await using app = openApp()
    const progress: Array<[number, number]> = []

    const result = await verifyHistory({ events: app.store.events, mapper: app.mapper }, 'none', {
      onProgress: (done, total) => progress.push([done, total]),
    })

    expect(progress).toEqual([[0, 0]])
    expect(result).toEqual({
      originatorId: 'none',
      aggregateTopic: undefined,
      lastVersion: -1,
      eventsChecked: 0,
      snapshotsChecked: 0,
      problems: [],
      truncated: false,
    })
  })

  test('given a lost tail, then the snapshots past the newest event and the versions the index records are missing', async () => {
    await using app = openApp()
    const id = await tenEvents(app)
    partition(app, 'events', id).splice(6) // versions 6–9; snapshots at 7 and 9 stay
    const totals: number[] = []

    const result = await verifyHistory(sources(app), id, {
      pageSize: 2,
      onProgress: (_done, total) => totals.push(total),
    })

    const orphan = (v: number) =>
      `version ${v} of ${id} is missing from the store: the snapshot at that version has no event to link to`
    expect(result.problems).toEqual([
      { originatorId: id, version: 7, problem: 'missing', message: orphan(7) },
      { originatorId: id, version: 9, problem: 'missing', message: orphan(9) },
      {
        originatorId: id,
        version: 6,
        problem: 'missing',
        message: `versions 6–9 of ${id} are missing: the aggregate index records version 9, but the newest stored event is version 5`,
      },
    ])
    expect(totals.at(-1)).toBe(10)
    expect(result.snapshotsChecked).toBe(5)
  })

  test('given an undecodable event a snapshot stands on, then it is listed once, as undecodable, and the next event is not unlinked', async () => {
    await using app = openApp()
    const id = await tenEvents(app)
    const events = partition(app, 'events', id)
    events[3] = { ...events[3]!, state: Buffer.from([0x80]) }
    const message = failure(() => app.mapper.recordToEvent(events[3]!))

    const result = await verifyHistory(sources(app), id)

    expect(message).toContain('unknown state format 128')
    expect(result.problems).toEqual([
      { originatorId: id, version: 3, problem: 'undecodable', message },
    ])
    expect(result.eventsChecked).toBe(10)
  })

  test('given an undecodable snapshot, then it is listed with why it cannot be read', async () => {
    await using app = openApp()
    const id = await tenEvents(app)
    const snapshots = partition(app, 'snapshots', id)
    snapshots[1] = { ...snapshots[1]!, state: Buffer.from([0x80]) } // the snapshot at version 3
    const why = failure(() => app.snapshotStrategy!.decode(snapshots[1]!))

    const result = await verifyHistory(sources(app), id)

    expect(result.problems).toEqual([
      {
        originatorId: id,
        version: 3,
        problem: 'undecodable',
        message: `the snapshot at version 3 of ${id} cannot be read: ${why}`,
      },
    ])
  })

  test('given the creation event lost and no index, then the topic is unknown', async () => {
    await using app = openApp()
    const id = await tenEvents(app)
    partition(app, 'events', id).splice(0, 1)

    const result = await verifyHistory({ events: app.store.events, mapper: app.mapper }, id)

    expect(result.aggregateTopic).toBeUndefined()
    expect(result.problems.map((p) => [p.version, p.problem])).toEqual([[0, 'missing']])
  })

  test('given an index, then its topic is the aggregate topic whatever the creation record says', async () => {
    await using app = openApp()
    const id = await tenEvents(app)
    const events = partition(app, 'events', id)
    events[0] = { ...events[0]!, topic: 'elsewhere#Thing.Created' }

    const result = await verifyHistory(sources(app), id)

    expect(result.aggregateTopic).toBe('example#ExampleAggregateRoot')
  })

  test('given a snapshot that says discarded, then there is no hash to link, but the replay says it was not; a snapshot of an unloaded class without a hash cannot be linked', async () => {
    await using app = new EverythingApplication({ store: createMemoryStore(), snapshotPeriod: 0 })
    const id = await tenEvents(app)
    const snapshots = new SnapshotStrategy(app.store.snapshots, app.mapper)
    const put = (version: number, topic: string, state: Record<string, unknown> | null) =>
      snapshots.put({
        originatorId: id,
        originatorVersion: version,
        timestamp: new Date(0),
        topic,
        state,
      })
    await put(4, 'example#ExampleAggregateRoot', null)
    await put(6, 'elsewhere#Thing', { _id: id })

    const result = await verifyHistory({ ...sources(app), snapshots }, id)

    expect(result.snapshotsChecked).toBe(2)
    expect(result.problems).toEqual([
      {
        originatorId: id,
        version: 4,
        problem: 'tampered',
        message: `the snapshot at version 4 of ${id} does not hold what a replay of its events gives (it says discarded, the replay is not): its state was changed after it was taken`,
      },
      {
        originatorId: id,
        version: 6,
        problem: 'unlinked',
        message: `the snapshot at version 6 of ${id} holds no hash of its last event, so it cannot be linked to the stored event at that version`,
      },
    ])
  })

  test('given a snapshot whose state was edited (its link kept), then a replay of the events shows it; an untouched one passes', async () => {
    await using app = new EverythingApplication({ store: createMemoryStore(), snapshotPeriod: 0 })
    const id = await tenEvents(app)
    const snapshots = new SnapshotStrategy(app.store.snapshots, app.mapper)
    for (const at of [3, 7]) {
      const { aggregate } = await app.repository.replay(id, { at })
      const state = aggregateState(aggregate!)
      // Version 7's is edited as an intruder would: the hash it records, its link, kept.
      if (at === 7) state['_foo'] = 'TAMPERED'
      await snapshots.put({
        originatorId: id,
        originatorVersion: at,
        timestamp: new Date(0),
        topic: 'example#ExampleAggregateRoot',
        state,
      })
    }

    const result = await verifyHistory({ ...sources(app), snapshots }, id)

    expect(result.snapshotsChecked).toBe(2)
    expect(result.problems).toEqual([
      {
        originatorId: id,
        version: 7,
        problem: 'tampered',
        message: `the snapshot at version 7 of ${id} does not hold what a replay of its events gives (another value of _foo): its state was changed after it was taken`,
      },
    ])
  })

  test('given a value the stored form cannot hold (an undefined field), then the replay is compared after the same round trip', async () => {
    await using app = new EverythingApplication({ store: createMemoryStore(), snapshotPeriod: 1 })
    const aggregate = app.createExampleAggregate('v0')
    // Applied, the event leaves the field undefined; stored, the snapshot has no such field.
    aggregate.foo = undefined as unknown as string
    await aggregate.save()

    const result = await verifyHistory(sources(app), aggregate.id)

    expect(result.snapshotsChecked).toBe(2)
    expect(result.problems).toEqual([])
  })
})
