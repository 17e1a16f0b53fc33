/**
 * Issue 10's lists through `dispatch`: snapshot versions without their states, and the
 * aggregate list paged by keyset from either end (the library's recorder contract checks the
 * same paging on memory, SQLite and Cassandra).
 */
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import type { RequestOf } from '../../shared/contract'
import {
  closeOpenServices,
  connected,
  seededAggregate,
  walkthroughAggregate,
  type Harness,
  dropServiceKeyspaces,
  serviceStores,
} from './serviceTesting'

afterEach(closeOpenServices)
afterAll(dropServiceKeyspaces)

/** Every id of the list, page by page: from the start (`next`) or from the end (`prev`). */
async function allIds(
  h: Harness,
  request: RequestOf<'listAggregates'>,
  way: 'next' | 'prev',
): Promise<string[]> {
  const ids: string[] = []
  let token: string | undefined
  for (let pages = 0; pages < 100; pages++) {
    const page = await h.ok('listAggregates', {
      ...request,
      from: way === 'next' ? 'start' : 'end',
      ...(token === undefined ? {} : { pageToken: token }),
    })
    const got = page.items.map((i) => i.id)
    if (way === 'next') ids.push(...got)
    else ids.unshift(...got)
    token = way === 'next' ? page.nextPageToken : page.prevPageToken
    if (token === undefined) break
  }
  return ids
}

describe.each(await serviceStores())('lists on the %s store', (kind) => {
  test('listSnapshotVersions: the versions with a snapshot, newest first, paged, no states', async () => {
    const h = await connected(kind)
    const id = await walkthroughAggregate(h)
    expect(await h.ok('listSnapshotVersions', { id })).toEqual({ versions: [7, 5, 3, 1] })
    const first = await h.ok('listSnapshotVersions', { id, limit: 2 })
    expect(first).toEqual({ versions: [7, 5], nextBeforeVersion: 5 })
    const second = await h.ok('listSnapshotVersions', { id, limit: 2, beforeVersion: 5 })
    expect(second).toEqual({ versions: [3, 1] })
    expect(await h.ok('listSnapshotVersions', { id, afterVersion: 3 })).toEqual({
      versions: [7, 5],
    })
    // The same versions listSnapshots pages through with the states.
    const { items } = await h.ok('listSnapshots', { id })
    expect(items.map((s) => s.version)).toEqual([7, 5, 3, 1])
    const none = await h.ok('listSnapshotVersions', { id: '00000000-0000-4000-8000-000000000000' })
    expect(none).toEqual({ versions: [] })
  })

  test('listSnapshotVersions pages through a long history in pages of up to 10,000', async () => {
    const h = await connected(kind)
    const id = await seededAggregate(h, 300)
    const { versions } = await h.ok('listSnapshotVersions', { id })
    expect(versions).toHaveLength(150)
    expect(versions[0]).toBe(299)
    expect(versions[149]).toBe(1)
    expect((await h.fail('listSnapshotVersions', { id, limit: 10_001 })).code).toBe(
      'ValidationError',
    )
  })

  test('listAggregates from the end: the last page in list order, and back to the start', async () => {
    const h = await connected(kind)
    await h.ok('seedDemoData', { aggregates: 23, events: 1, taskId: 'seed' })
    for (const order of ['recent', 'id'] as const) {
      const forward = await allIds(h, { limit: 5, order }, 'next')
      expect(forward).toHaveLength(23)
      expect(await allIds(h, { limit: 5, order }, 'prev')).toEqual(forward)

      const end = await h.ok('listAggregates', { limit: 5, order, from: 'end' })
      expect(end.items.map((i) => i.id)).toEqual(forward.slice(-5))
      expect(end.total).toBe(23)
      expect(end.nextPageToken).toBeUndefined()
      const before = await h.ok('listAggregates', {
        limit: 5,
        order,
        pageToken: end.prevPageToken!,
      })
      expect(before.items.map((i) => i.id)).toEqual(forward.slice(-10, -5))
      const back = await h.ok('listAggregates', {
        limit: 5,
        order,
        pageToken: before.nextPageToken!,
      })
      expect(back.items.map((i) => i.id)).toEqual(forward.slice(-5))

      // With an id prefix: the end of the narrowed list.
      const prefix = forward[0]!.slice(0, 1)
      const narrowed = forward.filter((id) => id.startsWith(prefix))
      expect(await allIds(h, { limit: 2, order, idPrefix: prefix }, 'prev')).toEqual(narrowed)
    }
    const start = await h.ok('listAggregates', { limit: 5 })
    expect(start.prevPageToken).toBeUndefined()
  })
})
