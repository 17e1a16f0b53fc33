/**
 * Long tasks on both stores through `dispatch`: progress and cancelling of replays, verifying
 * and seeding, and the follower's live changes.
 */
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import type { EventOf } from '../../shared/contract'
import { dispatch } from './dispatch'
import {
  closeOpenServices,
  connected,
  createExample,
  seededAggregate,
  until,
  dropServiceKeyspaces,
  serviceStores,
} from './serviceTesting'

afterEach(closeOpenServices)
afterAll(dropServiceKeyspaces)

describe.each(await serviceStores())('queries on the %s store', (kind) => {
  test('a long replay reports progress and can be cancelled', async () => {
    const h = await connected(kind, { snapshotPeriod: 0 })
    const id = await seededAggregate(h, 12_000)
    h.onEmit = (e) => {
      if (e.event === 'progress' && (e.payload as EventOf<'progress'>).taskId === 'view') {
        void dispatch(h.service, 'cancelTask', { taskId: 'view' })
      }
    }

    const error = await h.fail('getAggregate', { id, taskId: 'view' })

    expect(error.code).toBe('Cancelled')
    const progress = h.emitted.filter(
      (e) => e.event === 'progress' && (e.payload as EventOf<'progress'>).taskId === 'view',
    )
    // Reported after each page read (the recorder's page size), well before the end.
    const first = progress[0]!.payload as EventOf<'progress'>
    expect(first).toMatchObject({ total: 12_000 })
    expect(first.done).toBeGreaterThan(0)
    expect(first.done).toBeLessThan(12_000)
    h.onEmit = () => {}
    const view = await h.ok('getAggregate', { id, taskId: 'view' })
    expect(view.version).toBe(11_999)
    expect(view.loadedFromSnapshot).toBeUndefined()
    // The cancelled replay may have left verified checkpoints behind: the answer replays the
    // rest from the newest one, and together they cover every event.
    const resumedAfter = view.fromCheckpoint ? view.fromCheckpoint.version + 1 : 0
    expect(resumedAfter + view.eventsReplayed).toBe(12_000)
    expect((await h.ok('cancelTask', { taskId: 'view' })).cancelled).toBe(false)
  })

  test('an answer read in one page reports no progress: the answer itself follows at once', async () => {
    const h = await connected(kind, { snapshotPeriod: 0 })
    const id = await seededAggregate(h, 300)

    const view = await h.ok('getAggregate', { id, at: 150, taskId: 'short' })

    expect(view.version).toBe(150)
    expect(view.eventsReplayed).toBe(151)
    const progress = h.emitted.filter(
      (e) => e.event === 'progress' && (e.payload as EventOf<'progress'>).taskId === 'short',
    )
    expect(progress).toEqual([])
  })

  test('Verify whole history and Verify store report progress and can be cancelled', async () => {
    const h = await connected(kind, { snapshotPeriod: 0 })
    await h.ok('seedDemoData', { aggregates: 30, events: 20, taskId: 'seed' })
    const id = await seededAggregate(h, 3000)
    for (const [method, taskId] of [
      ['verifyHistory', 'whole'],
      ['verifyStore', 'store'],
    ] as const) {
      // Cancelled at its first report: the history's after its first page (3,000 events in
      // pages of 1,000); the store's at its start (0 of 31), because its 31 aggregates fit in
      // one page and its next report is its last.
      h.onEmit = (e) => {
        const p = e.payload as EventOf<'progress'>
        const first = method === 'verifyStore' || p.done > 0
        if (e.event === 'progress' && p.taskId === taskId && first)
          void h.service.cancelTask({ taskId })
      }
      const request = method === 'verifyHistory' ? { id, taskId } : { taskId }
      expect((await h.fail(method, request)).code).toBe('Cancelled')
      expect(
        h.emitted.some(
          (e) => e.event === 'progress' && (e.payload as EventOf<'progress'>).taskId === taskId,
        ),
      ).toBe(true)
    }
    h.onEmit = () => {}
    expect(await h.ok('verifyHistory', { id, taskId: 'whole' })).toMatchObject({
      lastVersion: 2999,
      eventsChecked: 3000,
      problems: [],
    })
    expect(await h.ok('verifyStore', { taskId: 'store' })).toMatchObject({
      aggregatesChecked: 31,
      eventsChecked: 30 * 20 + 3000,
      problems: [],
    })
  })

  test('seeding reports progress, and a cancelled seed stops after the current batch', async () => {
    const h = await connected(kind)

    const done = await h.ok('seedDemoData', { aggregates: 3, events: 10, taskId: 'small' })
    expect(done).toEqual({ aggregates: 3, events: 30, cancelled: false })
    const progress = h.emitted
      .filter((e) => e.event === 'progress')
      .map((e) => e.payload as EventOf<'progress'>)
    expect(progress[0]).toMatchObject({ taskId: 'small', done: 0, total: 30 })
    expect(progress.at(-1)).toMatchObject({ taskId: 'small', done: 30, total: 30 })

    let cancels = 0
    h.onEmit = (e) => {
      const p = e.payload as EventOf<'progress'>
      if (e.event === 'progress' && p.taskId === 'big' && p.done > 0 && cancels++ === 0)
        void h.service.cancelTask({ taskId: 'big' })
    }
    const stopped = await h.ok('seedDemoData', { aggregates: 800, events: 1200, taskId: 'big' })
    expect(stopped.cancelled).toBe(true)
    expect(stopped.events).toBeGreaterThan(0)
    expect(stopped.events).toBeLessThan(800 * 1200)
    // What was stored is whole batches, and the index agrees with it.
    const listed = await h.ok('listAggregates', { limit: 500 })
    expect(listed.total).toBe(3 + stopped.aggregates)
    expect(listed.items.reduce((n, a) => n + a.version + 1, 0)).toBe(30 + stopped.events)
    expect(listed.items.every((a) => [10, 500, 1000, 1200].includes(a.version + 1))).toBe(true)
  })

  test('the follower emits changes for every stored batch', async () => {
    const h = await connected(kind)
    const id = await createExample(h, 'watched')

    await until(() => h.emitted.some((e) => e.event === 'changes'))

    const entries = h.emitted
      .filter((e) => e.event === 'changes')
      .flatMap((e) => (e.payload as EventOf<'changes'>).entries)
    expect(entries).toEqual([
      expect.objectContaining({
        originatorId: id,
        fromVersion: 0,
        toVersion: 0,
        topics: ['example#ExampleAggregateRoot.Created'],
      }),
    ])
  })
})
