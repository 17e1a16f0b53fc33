import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { ConfigurationError } from '../errors'
import type { AggregateRecorder, Store } from '../persistence/recorder'
import { createMemoryStore } from '../persistence/recorders/memory'
import { createSqliteStore } from '../persistence/recorders/sqlite'
import { EventStore } from './eventStore'
import { aggregateWithHistory, openApp, rejection } from '../../../test/applicationTestKit'

const folder = mkdtempSync(join(tmpdir(), 'eventscope-eventstore-'))
let files = 0
afterAll(() => rmSync(folder, { recursive: true, force: true }))

/** The store's event recorder as a recorder without `insertBatches` (as on Cassandra). */
function oneAggregatePerInsert(recorder: AggregateRecorder): AggregateRecorder {
  return Object.assign(Object.create(recorder) as AggregateRecorder, { insertBatches: undefined })
}

/** The recorder, counting its selects (round trips). */
function counting(recorder: AggregateRecorder): {
  recorder: AggregateRecorder
  selects: () => number
} {
  let selects = 0
  const counted = Object.assign(Object.create(recorder) as AggregateRecorder, {
    select: (...args: Parameters<AggregateRecorder['select']>) => {
      selects++
      return recorder.select(...args)
    },
  })
  return { recorder: counted, selects: () => selects }
}

async function versionsOfPages(pages: AsyncIterable<{ originatorVersion: number }[]>) {
  const out: number[][] = []
  for await (const page of pages) out.push(page.map((e) => e.originatorVersion))
  return out
}

describe('EventStore', () => {
  test('given events of two aggregates, when put, then both are stored, in one insert of batches', async () => {
    await using app = openApp()
    const one = app.createExampleAggregate('one')
    const two = app.createExampleAggregate('two')
    const events = [...one.collectEvents(), ...two.collectEvents()]

    expect(app.eventStore.savesSeveralAtomically).toBe(true)
    await app.eventStore.put(events)

    expect(await app.repository.has(one.id)).toBe(true)
    expect(await app.repository.has(two.id)).toBe(true)
  })

  test('given a recorder without batches, then one aggregate saves and two are refused before anything is written', async () => {
    await using app = openApp()
    const store = new EventStore(oneAggregatePerInsert(app.store.events), app.mapper)
    const alone = app.createExampleAggregate('alone')
    const one = app.createExampleAggregate('one')
    const two = app.createExampleAggregate('two')

    expect(store.savesSeveralAtomically).toBe(false)
    await store.put(alone.collectEvents())
    const error = await rejection(store.put([...one.collectEvents(), ...two.collectEvents()]))

    expect(await app.repository.has(alone.id)).toBe(true)
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as Error).message).toBe(
      'this store cannot save 2 aggregates atomically (on Cassandra a conditional batch cannot span partitions): save them one at a time',
    )
    expect(await app.repository.has(one.id)).toBe(false)
    expect(await app.repository.has(two.id)).toBe(false)
    await store.put([])
  })

  test('given pages of three, then pages() reads within (gt, lte] and stops after a short page', async () => {
    await using app = openApp()
    const aggregate = await aggregateWithHistory(app, 6)
    const { recorder, selects } = counting(app.store.events)
    const store = new EventStore(recorder, app.mapper)

    expect(await versionsOfPages(store.pages(aggregate.id, { pageSize: 3 }))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6],
    ])
    expect(selects()).toBe(3)
    expect(
      await versionsOfPages(store.pages(aggregate.id, { gt: 1, lte: 4, pageSize: 2 })),
    ).toEqual([[2, 3], [4]])
    expect((await store.latest(aggregate.id, 4))?.originatorVersion).toBe(4)
    expect((await store.latest(aggregate.id))?.originatorVersion).toBe(6)
    expect(await store.latest('never-stored')).toBeUndefined()
  })

  describe('given SQLite, which reads rows split', () => {
    async function sqlite(): Promise<Store> {
      return createSqliteStore(join(folder, `pages-${++files}.sqlite`))
    }

    test('then checkedPages pages within (gt, lte], checks each hash, and yields no empty page', async () => {
      await using app = openApp({ store: await sqlite() })
      const aggregate = await aggregateWithHistory(app, 7)
      const pages: { versions: number[]; checks: number | undefined }[] = []
      const recorder = app.store.events
      let reads = 0
      const counted = Object.assign(Object.create(recorder) as AggregateRecorder, {
        selectSplit: (...args: Parameters<NonNullable<AggregateRecorder['selectSplit']>>) => {
          reads++
          return recorder.selectSplit!(...args)
        },
      })

      for await (const { events, checks } of new EventStore(counted, app.mapper).checkedPages(
        aggregate.id,
        true,
        {
          pageSize: 3,
        },
      ))
        pages.push({ versions: events.map((e) => e.originatorVersion), checks: checks?.length })

      expect(pages).toEqual([
        { versions: [0, 1, 2], checks: 3 },
        { versions: [3, 4, 5], checks: 3 },
        { versions: [6, 7], checks: 2 },
      ])
      // The short last page ends the read: no fourth round trip.
      expect(reads).toBe(3)
      const bounded = []
      for await (const { events, checks } of app.eventStore.checkedPages(aggregate.id, false, {
        gt: 2,
        lte: 5,
        pageSize: 3,
      })) {
        bounded.push(events.map((e) => e.originatorVersion))
        expect(checks).toBeUndefined()
      }
      expect(bounded).toEqual([[3, 4, 5]])
      const beyond = []
      for await (const page of app.eventStore.checkedPages(aggregate.id, true, { gt: 7 }))
        beyond.push(page)
      expect(beyond).toEqual([])
    })

    test('then by default a short history comes in one page, and replays from it', async () => {
      await using app = openApp({ store: await sqlite() })
      const aggregate = await aggregateWithHistory(app, 7)
      const all = []
      for await (const { events } of app.eventStore.checkedPages(aggregate.id, true))
        all.push(events.length)

      expect(all).toEqual([8])
      expect((await app.repository.replay(aggregate.id)).aggregate?.version).toBe(7)
    })
  })

  test('given a memory store, then checkedPages is pages() with no checks', async () => {
    const store = createMemoryStore()
    await using app = openApp({ store })
    const aggregate = await aggregateWithHistory(app, 4)
    const pages = []
    for await (const { events, checks } of app.eventStore.checkedPages(aggregate.id, true, {
      gt: 0,
      lte: 3,
      pageSize: 2,
    }))
      pages.push({ versions: events.map((e) => e.originatorVersion), checks })

    expect(pages).toEqual([
      { versions: [1, 2], checks: undefined },
      { versions: [3], checks: undefined },
    ])
  })
})
