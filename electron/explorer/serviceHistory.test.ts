/**
 * History reads on both stores through `dispatch`: diffs, snapshots, activity and export.
 */
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import type { EventOf, ResponseOf } from '../../shared/contract'
import {
  closeOpenServices,
  connected,
  seededAggregate,
  stateOf,
  UUID_A,
  walkthroughAggregate,
  dropServiceKeyspaces,
  type Harness,
  serviceStores,
} from './serviceTesting'

afterEach(closeOpenServices)
afterAll(dropServiceKeyspaces)

/**
 * Every page of a snapshot list from the newest, `limit` at a time, each next page asked below
 * the last version listed (which nextBeforeVersion must be): the versions, and each page's size.
 */
async function pagedVersions(
  h: Harness,
  method: 'listSnapshots' | 'listSnapshotSummaries',
  id: string,
  limit: number,
): Promise<{ seen: number[]; pages: number[] }> {
  const seen: number[] = []
  const pages: number[] = []
  let beforeVersion: number | undefined
  do {
    const page = await h.ok(method, {
      id,
      limit,
      ...(beforeVersion === undefined ? {} : { beforeVersion }),
    })
    pages.push(page.items.length)
    seen.push(...page.items.map((s) => s.version))
    beforeVersion = page.nextBeforeVersion
    if (beforeVersion !== undefined) expect(beforeVersion).toBe(seen.at(-1))
  } while (beforeVersion !== undefined)
  return { seen, pages }
}

describe.each(await serviceStores())('queries on the %s store', (kind) => {
  test('getEventDiff and diffVersions show what changed', async () => {
    const h = await connected(kind)
    const id = await walkthroughAggregate(h)

    const created = await h.ok('getEventDiff', { id, version: 0 })
    expect(created.every((d) => d.kind === 'added')).toBe(true)
    expect(created).toContainEqual({ path: ['_foo'], kind: 'added', after: 'bar1' })

    const changed = await h.ok('getEventDiff', { id, version: 3 })
    expect(changed).toContainEqual({
      path: ['_foo'],
      kind: 'changed',
      before: 'bar3',
      after: 'bar4',
    })
    expect(changed).toContainEqual({ path: ['_version'], kind: 'changed', before: 2, after: 3 })

    const discarded = await h.ok('getEventDiff', { id, version: 7 })
    expect(discarded.every((d) => d.kind === 'removed')).toBe(true)
    expect(discarded).toContainEqual({ path: ['_foo'], kind: 'removed', before: 'bar7' })

    const range = await h.ok('diffVersions', { id, from: 0, to: 3 })
    expect(stateOf(range.from)['_foo']).toBe('bar1')
    expect(stateOf(range.to)['_foo']).toBe('bar4')
    expect(range.diff).toContainEqual({
      path: ['_foo'],
      kind: 'changed',
      before: 'bar1',
      after: 'bar4',
    })
    expect((await h.ok('diffVersions', { id, from: 2, to: 2 })).diff).toEqual([])
    // The Diff tab asks for the diff alone.
    expect(await h.ok('diffVersions', { id, from: 0, to: 3, states: false })).toEqual({
      diff: range.diff,
    })
    expect((await h.fail('getEventDiff', { id, version: 8 })).code).toBe('AggregateNotFound')
  })

  test('listSnapshots and compareSnapshot agree with a replay from events', async () => {
    const h = await connected(kind)
    const id = await walkthroughAggregate(h)

    const { items: snapshots, nextBeforeVersion } = await h.ok('listSnapshots', { id })
    expect(snapshots.map((s) => s.version)).toEqual([7, 5, 3, 1])
    expect(nextBeforeVersion).toBeUndefined()
    expect(stateOf(snapshots[2]!.state)['_foo']).toBe('bar4')
    expect(snapshots[0]!.state).toBeNull()
    expect(snapshots[3]!.type).toBe('example#ExampleAggregateRoot')

    for (const version of [1, 3, 5, 7]) {
      const comparison = await h.ok('compareSnapshot', { id, version })
      expect(comparison.matches, `v${version}`).toBe(true)
      expect(comparison.differences).toEqual([])
      expect(comparison.replayed).toEqual(comparison.snapshot.state)
      // The Snapshots panel's: the verdict, the snapshot as listed, no replayed state.
      const slim = await h.ok('compareSnapshot', { id, version, states: false })
      expect(slim).toEqual({
        snapshot: snapshots.find((s) => s.version === version),
        matches: true,
        differences: [],
      })
    }
    expect((await h.fail('compareSnapshot', { id, version: 2 })).code).toBe('AggregateNotFound')
  })

  test('listSnapshotSummaries: each snapshot as listSnapshots shows it, without its state', async () => {
    const h = await connected(kind)
    const walked = await walkthroughAggregate(h)
    const { items: listed } = await h.ok('listSnapshots', { id: walked })
    const { items: summaries } = await h.ok('listSnapshotSummaries', { id: walked })
    expect(summaries.map(({ discarded: _d, storedBytes: _b, ...s }) => s)).toEqual(
      listed.map(({ state: _s, stateOmitted: _o, stateShortened: _h, ...s }) => s),
    )
    expect(summaries.map((s) => s.discarded)).toEqual([true, false, false, false])
    expect(summaries.every((s) => s.storedBytes > 0)).toBe(true)

    // Paged as listSnapshots is, by count (no state is decoded for it).
    const id = await seededAggregate(h, 500) // period 2: snapshots at 1, 3, … 499
    const { seen } = await pagedVersions(h, 'listSnapshotSummaries', id, 100)
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => 499 - 2 * i))
    const range = await h.ok('listSnapshotSummaries', { id, afterVersion: 199, beforeVersion: 206 })
    expect(range.items.map((s) => s.version)).toEqual([205, 203, 201])
    // The newest states are stored large enough for their heads to be read apart.
    const whole = await h.ok('listSnapshots', { id, limit: 250 })
    const summed = await h.ok('listSnapshotSummaries', { id, limit: 250 })
    expect(summed.items.map((s) => [s.version, s.timestamp, s.type])).toEqual(
      whole.items.map((s) => [s.version, s.timestamp, s.type]),
    )
  })

  test('getActivity buckets the log store-wide and an aggregate’s events', async () => {
    const h = await connected(kind)
    await h.ok('seedDemoData', { aggregates: 5, events: 7, taskId: 'seed' })
    const id = (await h.ok('listAggregates', { limit: 1 })).items[0]!.id

    const all = await h.ok('getActivity', { buckets: 20 })
    expect(all.total).toBe(35)
    expect(all.sampled).toBe(false)
    expect(all.buckets.length).toBeGreaterThan(0)
    expect(all.buckets.length).toBeLessThanOrEqual(20)
    expect(all.buckets.reduce((n, b) => n + b.events, 0)).toBe(35)

    const one = await h.ok('getActivity', { id, buckets: 5 })
    expect(one.total).toBe(7)
    expect(one.buckets.reduce((n, b) => n + b.events, 0)).toBe(7)

    const empty = await connected(kind)
    expect(await empty.ok('getActivity', {})).toEqual({ buckets: [], total: 0, sampled: false })
  })

  test('listSnapshots pages newest first, and bounds a version range', async () => {
    const h = await connected(kind) // period 2: snapshots at 1, 3, … 499
    const id = await seededAggregate(h, 500)
    const all = Array.from({ length: 250 }, (_, i) => 499 - 2 * i)

    const { seen, pages } = await pagedVersions(h, 'listSnapshots', id, 100)
    expect(pages).toEqual([100, 100, 50])
    expect(seen).toEqual(all)
    // The default page is 200; a page that holds exactly the rest says there is no more.
    expect((await h.ok('listSnapshots', { id })).items).toHaveLength(200)
    expect(await h.ok('listSnapshots', { id, limit: 250 })).not.toHaveProperty('nextBeforeVersion')

    // Bounds are exclusive: the rows a timeline shows, e.g. versions 200 to 219.
    const range = await h.ok('listSnapshots', { id, afterVersion: 199, beforeVersion: 220 })
    expect(range.items.map((s) => s.version)).toEqual([
      219, 217, 215, 213, 211, 209, 207, 205, 203, 201,
    ])
    expect(range.nextBeforeVersion).toBeUndefined()
    const paged = await h.ok('listSnapshots', {
      id,
      afterVersion: 199,
      beforeVersion: 220,
      limit: 4,
    })
    expect(paged.items.map((s) => s.version)).toEqual([219, 217, 215, 213])
    expect(paged.nextBeforeVersion).toBe(213)
    const rest = await h.ok('listSnapshots', {
      id,
      afterVersion: 199,
      beforeVersion: 213,
      limit: 10,
    })
    expect(rest.items.map((s) => s.version)).toEqual([211, 209, 207, 205, 203, 201])
    expect((await h.ok('listSnapshots', { id, afterVersion: 499 })).items).toEqual([])
    expect(
      (await h.ok('listSnapshots', { id, afterVersion: 300, beforeVersion: 301 })).items,
    ).toEqual([])
    expect((await h.ok('listSnapshots', { id: UUID_A })).items).toEqual([])

    for (const limit of [0, 1001, 2.5]) {
      expect((await h.fail('listSnapshots', { id, limit })).code, `limit ${limit}`).toBe(
        'ValidationError',
      )
    }
    expect((await h.fail('listSnapshots', { id, beforeVersion: -1 })).code).toBe('ValidationError')
  })

  test('exportHistory pages the whole history in version order, with progress over all of it', async () => {
    const h = await connected(kind)
    const id = await seededAggregate(h, 1200)

    const pages: Array<ResponseOf<'exportHistory'>> = []
    let fromVersion: number | undefined = 0
    while (fromVersion !== undefined) {
      const page: ResponseOf<'exportHistory'> = await h.ok('exportHistory', {
        id,
        fromVersion,
        limit: 500,
        taskId: 'export',
      })
      pages.push(page)
      fromVersion = page.nextFromVersion
    }

    expect(pages.map((p) => p.events.length)).toEqual([500, 500, 200])
    expect(pages.map((p) => p.nextFromVersion)).toEqual([500, 1000, undefined])
    expect(pages.every((p) => p.latestVersion === 1199)).toBe(true)
    expect(pages[0]).toMatchObject({ aggregateId: id, type: 'example#ExampleAggregateRoot' })
    expect(pages.flatMap((p) => p.events.map((e) => e.version))).toEqual(
      Array.from({ length: 1200 }, (_, i) => i),
    )
    const progress = h.emitted
      .filter((e) => e.event === 'progress')
      .map((e) => e.payload as EventOf<'progress'>)
      .filter((p) => p.taskId === 'export')
    expect(progress.every((p) => p.total === 1200)).toBe(true)
    expect(progress.map((p) => p.done)).toContain(500)
    expect(progress.at(-1)).toMatchObject({ done: 1200, total: 1200 })

    // The default page holds 2,000 events; past the end there is nothing, and no next page.
    const whole = await h.ok('exportHistory', { id })
    expect(whole.events).toHaveLength(1200)
    expect(whole.nextFromVersion).toBeUndefined()
    expect(await h.ok('exportHistory', { id, fromVersion: 1199, limit: 1 })).toMatchObject({
      events: [expect.objectContaining({ version: 1199 })],
    })
    const beyond = await h.ok('exportHistory', { id, fromVersion: 5000 })
    expect(beyond).toMatchObject({ events: [], latestVersion: 1199 })
    expect(beyond.nextFromVersion).toBeUndefined()
    expect((await h.fail('exportHistory', { id: UUID_A })).code).toBe('AggregateNotFound')
  })

  test('exportHistory pages stop at the version that was latest, not at what is stored meanwhile', async () => {
    const h = await connected(kind)
    const id = await walkthroughAggregate(h) // versions 0..7, the last a discard
    const first = await h.ok('exportHistory', { id, limit: 3 })
    expect(first).toMatchObject({ latestVersion: 7, nextFromVersion: 3 })
    const last = await h.ok('exportHistory', { id, fromVersion: 6, limit: 5 })
    expect(last.events.map((e) => e.version)).toEqual([6, 7])
    expect(last.nextFromVersion).toBeUndefined()
  })
})
