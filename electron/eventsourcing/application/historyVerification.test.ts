import { describe, expect, test } from 'vitest'
import { reconstructEvent, type DomainEvent } from '../domain/events'
import type { StoredRecord } from '../persistence/recorder'
import { createMemoryStore } from '../persistence/recorders/memory'
import { EverythingApplication } from '../../example/everythingApplication'
import { verifyHistory } from './historyVerification'
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
