// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setApi } from '../api'
import { createFakeApi, deferred, flush, summary, uuid, type FakeApi } from '../testing/fakeApi'
import { PAGE_SIZE, useAggregatesStore } from './aggregatesStore'
import type { AggregateTypeDescriptor } from '../../../shared/contract'
import { startStoreListeners } from './listeners'

const store = () => useAggregatesStore.getState()
let api: FakeApi
let stop: () => void

beforeEach(() => {
  api = createFakeApi()
  setApi(api)
  store().reset()
  stop = startStoreListeners()
})
afterEach(() => {
  stop()
  setApi(null)
  vi.useRealTimers()
})

function descriptor(topic: string): AggregateTypeDescriptor {
  const none = { type: 'object' as const, properties: {} }
  return {
    topic,
    displayName: topic,
    create: { name: 'create', label: 'Create', parameters: none },
    commands: [],
    canSeed: false,
    source: 'built-in',
  }
}

describe('aggregatesStore', () => {
  it('loads one page, with the total and the next page token', async () => {
    api.listAggregates.mockResolvedValue({
      items: [summary(1), summary(2)],
      nextPageToken: 'p2',
      total: 250,
    })
    await store().refresh()
    expect(api.listAggregates).toHaveBeenCalledWith({ limit: PAGE_SIZE, order: 'recent' })
    expect(store().items.map((a) => a.id)).toEqual([uuid(1), uuid(2)])
    expect(store()).toMatchObject({ total: 250, nextPageToken: 'p2', loaded: true, loading: null })
  })

  it('pages on with the token, never twice at once, and stops at the end', async () => {
    api.listAggregates.mockResolvedValueOnce({ items: [summary(1)], nextPageToken: 'p2', total: 3 })
    await store().refresh()
    const page2 = deferred<{
      items: ReturnType<typeof summary>[]
      nextPageToken?: string
      total: number
    }>()
    api.listAggregates.mockReturnValueOnce(page2.promise)
    const first = store().loadMore()
    void store().loadMore() // ignored: a page is already on its way
    page2.resolve({ items: [summary(1), summary(2), summary(3)], total: 3 })
    await first
    expect(api.listAggregates).toHaveBeenCalledTimes(2)
    expect(api.listAggregates).toHaveBeenLastCalledWith({
      limit: PAGE_SIZE,
      order: 'recent',
      pageToken: 'p2',
    })
    // The duplicate of a row that moved between pages is dropped.
    expect(store().items.map((a) => a.id)).toEqual([uuid(1), uuid(2), uuid(3)])
    expect(store().nextPageToken).toBeUndefined()
    await store().loadMore()
    expect(api.listAggregates).toHaveBeenCalledTimes(2)
  })

  it('filters by id prefix and type, orders, and drops the answer to an older query', async () => {
    const slow = deferred<{ items: ReturnType<typeof summary>[]; total: number }>()
    api.listAggregates
      .mockReturnValueOnce(slow.promise)
      .mockResolvedValueOnce({ items: [summary(7)], total: 1 })
    store().setIdPrefix('ABC')
    store().setType('test#Widget')
    await flush()
    slow.resolve({ items: [summary(1), summary(2)], total: 2 })
    await flush()
    expect(api.listAggregates).toHaveBeenLastCalledWith({
      limit: PAGE_SIZE,
      order: 'recent',
      idPrefix: 'abc',
      type: 'test#Widget',
    })
    expect(store().items.map((a) => a.id)).toEqual([uuid(7)])
    expect(store().total).toBe(1)

    api.listAggregates.mockResolvedValueOnce({ items: [], total: 0 })
    store().setOrder('id')
    await flush()
    expect(api.listAggregates).toHaveBeenLastCalledWith(expect.objectContaining({ order: 'id' }))
  })

  it('does not send an id prefix the contract would reject', async () => {
    store().setIdPrefix('xyz')
    await flush()
    expect(api.listAggregates).not.toHaveBeenCalled()
    expect(store()).toMatchObject({ items: [], total: 0, loaded: true })
  })

  it('keeps the error and the rows it had when a page fails', async () => {
    api.listAggregates.mockResolvedValueOnce({ items: [summary(1)], nextPageToken: 'p2', total: 2 })
    await store().refresh()
    api.listAggregates.mockRejectedValueOnce(new Error('socket closed'))
    await store().loadMore()
    expect(store().items).toHaveLength(1)
    expect(store().error?.message).toBe('socket closed')
  })

  it('patches rows from live changes at once, then reloads (throttled)', async () => {
    vi.useFakeTimers()
    api.listAggregates.mockResolvedValueOnce({
      items: [summary(1, { version: 2 }), summary(2)],
      total: 2,
    })
    api.listAggregateTypes.mockResolvedValue([descriptor('test#Widget')])
    await store().refresh()

    const entry = (n: number, from: number, to: number, topics: string[]) => ({
      position: String(to),
      originatorId: uuid(n),
      fromVersion: from,
      toVersion: to,
      topics,
      discards: topics.some((t) => t.endsWith('.Discarded')),
      recordedAt: '2026-02-02T00:00:00.000Z',
    })
    api.listAggregates.mockResolvedValue({
      items: [summary(1, { version: 3, discarded: true }), summary(2)],
      total: 2,
    })
    api.emit('changes', { entries: [entry(1, 3, 3, ['test#Widget.Discarded'])] })
    api.emit('changes', { entries: [entry(9, 0, 0, ['test#Widget.Created'])] })

    expect(store().items[0]).toMatchObject({
      version: 3,
      discarded: true,
      lastModified: '2026-02-02T00:00:00.000Z',
    })
    expect(api.listAggregates).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1000)
    // Two change batches, one reload, sized to what is loaded.
    expect(api.listAggregates).toHaveBeenCalledTimes(2)
    expect(api.listAggregates).toHaveBeenLastCalledWith({ limit: PAGE_SIZE, order: 'recent' })
  })

  it('loads the aggregate types for the filter', async () => {
    api.listAggregateTypes.mockResolvedValue([descriptor('a#A'), descriptor('b#B')])
    await store().loadTypes()
    expect(store().types.map((t) => t.topic)).toEqual(['a#A', 'b#B'])
    expect(store().typesLoaded).toBe(true)
  })

  it('reset() forgets everything, and answers still on their way', async () => {
    const slow = deferred<{ items: ReturnType<typeof summary>[]; total: number }>()
    api.listAggregates.mockReturnValueOnce(slow.promise)
    void store().refresh()
    store().reset()
    slow.resolve({ items: [summary(1)], total: 1 })
    await flush()
    expect(store()).toMatchObject({
      items: [],
      total: 0,
      loaded: false,
      idPrefix: '',
      order: 'recent',
    })
  })
})
