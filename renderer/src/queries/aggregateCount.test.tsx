// @vitest-environment jsdom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react'
import type { ReactNode } from 'react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useAggregateListStore } from '../stores/aggregateListStore'
import { createFakeApi, deferred, pagedAggregates, summary, uuid } from '../testing/fakeApi'
import { TestProviders, fakeService } from '../testing/render'
import { PAGE_SIZE, patchAggregateLists, useAggregateList } from './aggregates'
import { createQueryClient } from './client'
import { keys } from './keys'

const ROWS = Array.from({ length: 250 }, (_, i) => summary(250 - i))

let fake: ReturnType<typeof createFakeApi>
beforeEach(() => {
  fake = createFakeApi()
  useAggregateListStore.getState().reset()
})
afterEach(() => {
  cleanup()
})

function renderList() {
  const client = createQueryClient()
  const wrapper = ({ children }: { children: ReactNode }) => (
    <TestProviders service={fakeService(fake)} client={client}>
      {children}
    </TestProviders>
  )
  return { ...renderHook(() => useAggregateList(), { wrapper }), client }
}

describe('the aggregate count of a store that counts apart from its pages (Python)', () => {
  it('the rows come first; the count is asked once they are in, and unknown until it answers', async () => {
    fake.listAggregates.mockImplementation(pagedAggregates(ROWS, { counted: false }))
    const count = deferred<{ total: number }>()
    fake.countAggregates.mockImplementation(() => count.promise)
    const { result } = renderList()
    await waitFor(() => expect(result.current.items).toHaveLength(PAGE_SIZE))
    expect(result.current).toMatchObject({ total: undefined, countFailed: false })
    await waitFor(() => expect(fake.countAggregates).toHaveBeenCalledTimes(1))
    // Asked after the page, so that the first rows never wait for it.
    expect(fake.countAggregates.mock.invocationCallOrder[0]).toBeGreaterThan(
      fake.listAggregates.mock.invocationCallOrder[0]!,
    )
    count.resolve({ total: 250 })
    await waitFor(() => expect(result.current.total).toBe(250))
  })

  it('what makes the lists stale makes the count stale; a pushed version patches rows only', async () => {
    fake.listAggregates.mockImplementation(pagedAggregates(ROWS, { counted: false }))
    fake.countAggregates.mockResolvedValueOnce({ total: 250 })
    const { result, client } = renderList()
    await waitFor(() => expect(result.current.total).toBe(250))
    const entry = {
      position: '1',
      originatorId: ROWS[0]!.id,
      fromVersion: 1,
      toVersion: 1,
      topics: ['shop:Cart.ItemAdded'],
      discards: false,
      recordedAt: '2026-01-02T00:00:00.000Z',
    }
    act(() => void patchAggregateLists(client, [entry]))
    await waitFor(() => expect(result.current.items[0]!.version).toBe(1))
    expect(client.getQueryData(keys.aggregateCount())).toBe(250)

    // A new aggregate: the lists are invalidated (serverEvents.ts), and the count with them.
    const more = [summary(251, { id: uuid(251) }), ...ROWS]
    fake.listAggregates.mockImplementation(pagedAggregates(more, { counted: false }))
    fake.countAggregates.mockResolvedValueOnce({ total: 251 })
    await act(() => client.invalidateQueries({ queryKey: keys.aggregateLists() }))
    await waitFor(() => expect(result.current.total).toBe(251))
    expect(fake.countAggregates).toHaveBeenCalledTimes(2)
  })

  it('a failed count says so, and the total stays unknown rather than 0', async () => {
    fake.listAggregates.mockImplementation(pagedAggregates(ROWS, { counted: false }))
    fake.countAggregates.mockRejectedValue(new Error('statement timeout'))
    const { result } = renderList()
    await waitFor(() => expect(result.current.countFailed).toBe(true))
    expect(result.current.total).toBeUndefined()
    expect(result.current.items).toHaveLength(PAGE_SIZE)
  })

  it('a store whose pages carry the total (ours: a counter) is not asked to count', async () => {
    fake.listAggregates.mockImplementation(pagedAggregates(ROWS))
    const { result } = renderList()
    await waitFor(() => expect(result.current.total).toBe(250))
    expect(fake.countAggregates).not.toHaveBeenCalled()
  })
})
