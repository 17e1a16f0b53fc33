import { afterEach, describe, expect, test, vi } from 'vitest'
import type { DomainEvent } from '../domain/events'
import { WriteRefused } from '../errors'
import { createMemoryStore } from '../persistence/recorders/memory'
import {
  aggregateWithHistory,
  openApp,
  rejection,
  snapshotVersions,
} from '../../../test/applicationTestKit'

/** An application whose listener failures are collected instead of warned about. */
function collectingApp(options: Parameters<typeof openApp>[0] = {}) {
  const failures: { error: unknown; events: readonly DomainEvent[] }[] = []
  const app = openApp({
    ...options,
    onSubscriberFailure: (error, events) => failures.push({ error, events }),
  })
  return { app, failures }
}

describe('Application: saves, listeners and defaults', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  test('given no options, then the application writes and compresses large states', async () => {
    await using app = openApp()
    await using plain = openApp({ compress: false })
    const large = 'x'.repeat(4000)
    const compressed = app.createExampleAggregate(large)
    await compressed.save()
    const uncompressed = plain.createExampleAggregate(large)
    await uncompressed.save()

    expect(app.readOnly).toBe(false)
    const [record] = await app.eventRecords(compressed.id)
    const [plainRecord] = await plain.eventRecords(uncompressed.id)
    expect(plainRecord!.state.length).toBeGreaterThan(4000)
    expect(record!.state.length).toBeLessThan(1000)
  })

  test('given a read-only application, when it saves, then the write is refused and nothing is stored', async () => {
    const store = createMemoryStore()
    await using app = openApp({ store, readOnly: true })
    const aggregate = app.createExampleAggregate('refused')

    const error = await rejection(aggregate.save())

    expect(error).toBeInstanceOf(WriteRefused)
    expect((error as WriteRefused).message).toBe(
      'this store is opened read-only: nothing is written',
    )
    expect((error as WriteRefused).reason).toBe('read-only')
    expect(await store.events.select(aggregate.id)).toEqual([])
    expect(aggregate.pendingEvents.length).toBe(1)
  })

  test('given nothing pending, when saved, then no listener is told and nothing is returned', async () => {
    const { app, failures } = collectingApp()
    await using _ = app
    const aggregate = app.createExampleAggregate('once')
    await aggregate.save()
    const told: number[] = []
    app.subscribe((events) => void told.push(events.length))

    expect(await app.save(aggregate)).toEqual([])

    expect(told).toEqual([])
    expect(failures).toEqual([])
  })

  test('given two listeners and one unsubscribed, when saved, then only the other is told', async () => {
    const { app, failures } = collectingApp()
    await using _ = app
    const first: number[] = []
    const second: number[] = []
    const unsubscribe = app.subscribe((events) => void first.push(events.length))
    app.subscribe((events) => void second.push(events.length))
    await app.createExampleAggregate('both').save()

    unsubscribe()
    await app.createExampleAggregate('second only').save()

    expect(first).toEqual([1])
    expect(second).toEqual([1, 1])
    expect(failures).toEqual([])
  })

  test('given a listener that fails, then the save stands and the handler gets the error and the events', async () => {
    const { app, failures } = collectingApp()
    await using _ = app
    const failure = new Error('listener down')
    app.subscribe(() => {
      throw failure
    })
    const aggregate = app.createExampleAggregate('stored anyway')

    const events = await app.save(aggregate)

    expect(events.map((e) => e.originatorVersion)).toEqual([0])
    expect(failures).toEqual([{ error: failure, events }])
    expect(await app.repository.has(aggregate.id)).toBe(true)
  })

  test('given no failure handler, when a listener fails, then a warning names the events stored', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    await using app = openApp()
    app.subscribe(() => {
      throw new Error('listener down')
    })
    const aggregate = app.createExampleAggregate('stored anyway')

    await aggregate.save()

    expect(warn).toHaveBeenCalledWith(
      `a save listener failed after 1 event(s) of ${aggregate.id} were stored: listener down`,
    )
  })

  test('given a closed application, when an aggregate bound to it saves, then no listener is called', async () => {
    const { app, failures } = collectingApp()
    const told: number[] = []
    app.subscribe((events) => void told.push(events.length))
    const aggregate = app.createExampleAggregate('before close')
    await aggregate.save()
    await app.close()

    aggregate.foo = 'after close'
    await aggregate.save()

    expect(told).toEqual([1])
    expect(failures).toEqual([])
  })

  test('given snapshots every two versions, then snapshotVersions lists them within a range and in either order', async () => {
    await using app = openApp({ snapshotPeriod: 2 })
    const aggregate = await aggregateWithHistory(app, 9)

    expect(await app.snapshotVersions(aggregate.id)).toEqual([1, 3, 5, 7, 9])
    expect(await app.snapshotVersions(aggregate.id, { gt: 2, lte: 7 })).toEqual([3, 5, 7])
    expect(await app.snapshotVersions(aggregate.id, { desc: true, limit: 2 })).toEqual([9, 7])
    expect(await snapshotVersions(app, aggregate.id)).toEqual([1, 3, 5, 7, 9])
  })
})
