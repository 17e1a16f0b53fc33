import { describe, expect, test } from 'vitest'
import { ids, insertFourAggregates, rec } from '../../../../test/recorderListTesting'
import { aggregateTopicOf, encodeToken } from './common'
import { createMemoryStore } from './memory'

// Edges of the memory recorders: log positions, the index's first change, filters and keyset
// pages from both ends, with keys that match no row.
async function filled() {
  const store = createMemoryStore()
  await insertFourAggregates(store.events)
  return store
}

describe('the memory log and index', () => {
  test('log positions are zero-padded so that they sort as text', async () => {
    const store = await filled()
    const log = await store.events.selectLog({ limit: 10 })
    expect(log.map((e) => e.position)).toEqual([
      '000000000001',
      '000000000002',
      '000000000003',
      '000000000004',
    ])
  })

  test('an aggregate keeps the time of its first change', async () => {
    const store = createMemoryStore()
    await store.events.insert([rec('a', 1)])
    const created = (await store.events.listAggregates({ limit: 1 })).items[0]!.createdAt
    await new Promise((resolve) => setTimeout(resolve, 5))
    await store.events.insert([rec('a', 2, 'shop:Cart.Removed')])
    const item = (await store.events.listAggregates({ limit: 1 })).items[0]!
    expect(item.createdAt).toEqual(created)
    expect(item.lastModified.getTime()).toBeGreaterThan(created.getTime())
    expect(item.lastTopic).toBe('shop:Cart.Removed')
    expect(item.version).toBe(2)
  })

  test('lists by id in id order whatever the insertion order, from either end', async () => {
    const store = await filled()
    expect(ids(await store.events.listAggregates({ limit: 10, order: 'id' }))).toEqual([
      'a',
      'b',
      'c',
      'd',
    ])
    expect(ids(await store.events.listAggregates({ limit: 2, order: 'id', from: 'end' }))).toEqual([
      'c',
      'd',
    ])
    expect(ids(await store.events.listAggregates({ limit: 10 }))).toEqual(['b', 'd', 'a', 'c'])
    expect(await store.events.countAggregates()).toBe(4)
  })

  test('filters by aggregate topic', async () => {
    const store = await filled()
    const orders = aggregateTopicOf([rec('x', 1, 'shop:Order.Placed')])
    const page = await store.events.listAggregates({ limit: 10, aggregateTopic: orders })
    expect(ids(page)).toEqual(['b', 'd'])
  })

  test('a token past the last row gives an empty page with a way back', async () => {
    const store = await filled()
    const page = await store.events.listAggregates({
      limit: 2,
      order: 'id',
      pageToken: encodeToken({ k: 'z' }),
    })
    expect(page.items).toEqual([])
    expect(page.nextPageToken).toBeUndefined()
    const at = await store.events.listAggregates({
      limit: 2,
      order: 'id',
      pageToken: encodeToken({ k: 'a' }),
    })
    expect(ids(at)).toEqual(['b', 'c'])
  })

  test('a backward token past the last row reads the last page', async () => {
    const store = await filled()
    const page = await store.events.listAggregates({
      limit: 2,
      order: 'id',
      pageToken: encodeToken({ k: 'z', b: true }),
    })
    expect(ids(page)).toEqual(['c', 'd'])
    expect(page.nextPageToken).toBeUndefined()
    expect(page.prevPageToken).toBeDefined()
  })

  test('reading backward from a key that matches no row keeps the row before it', async () => {
    const store = await filled()
    const page = await store.events.listAggregates({
      limit: 2,
      order: 'id',
      pageToken: encodeToken({ k: 'bb', b: true }),
    })
    expect(ids(page)).toEqual(['a', 'b'])
    const fromStart = await store.events.listAggregates({
      limit: 2,
      order: 'id',
      pageToken: encodeToken({ k: '0', b: true }),
    })
    expect(fromStart.items).toEqual([])
    const fromKey = await store.events.listAggregates({
      limit: 2,
      order: 'id',
      pageToken: encodeToken({ k: 'c', b: true }),
    })
    expect(ids(fromKey)).toEqual(['a', 'b'])
    expect(fromKey.nextPageToken).toBeDefined()
  })

  test('refuses tokens that are not listing keys', async () => {
    const store = await filled()
    for (const value of [null, 'k', 5, {}, { j: 1 }]) {
      await expect(
        store.events.listAggregates({ limit: 2, pageToken: encodeToken(value) }),
      ).rejects.toThrow(new TypeError('invalid page token'))
    }
  })
})
