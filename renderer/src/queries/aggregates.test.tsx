// @vitest-environment jsdom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react'
import type { ReactNode } from 'react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ExplorerApi, RequestOf } from '../../../shared/contract'
import { useAggregateListStore } from '../stores/aggregateListStore'
import {
  connectionInfo,
  createFakeApi,
  deferred,
  pagedAggregates,
  summary,
} from '../testing/fakeApi'
import { TestProviders, fakeService } from '../testing/render'
import { PAGE_SIZE, useAggregateList } from './aggregates'
import { createQueryClient } from './client'
import { EARLY_ORDER, withFirstPageEarly } from './earlyPage'
import { keys } from './keys'

// 250 aggregates, created newest last: order=id lists them 1..250.
const ROWS = Array.from({ length: 250 }, (_, i) => summary(250 - i))
const ids = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => summary(from + i).id)

let fake: ReturnType<typeof createFakeApi>
beforeEach(() => {
  fake = createFakeApi()
  fake.listAggregates.mockImplementation(pagedAggregates(ROWS))
  useAggregateListStore.getState().reset()
  useAggregateListStore.getState().setOrder('id')
})
afterEach(() => {
  cleanup()
})

function renderList(api: ExplorerApi = fake) {
  const client = createQueryClient()
  const wrapper = ({ children }: { children: ReactNode }) => (
    <TestProviders service={fakeService(api)} client={client}>
      {children}
    </TestProviders>
  )
  return { ...renderHook(() => useAggregateList(), { wrapper }), client }
}

describe('useAggregateList paging from either end', () => {
  it('reads the first page from the start, and pages forward', async () => {
    const { result } = renderList()
    await waitFor(() => expect(result.current.items).toHaveLength(PAGE_SIZE))
    expect(result.current.items.map((a) => a.id)).toEqual(ids(1, 100))
    expect(result.current).toMatchObject({ anchor: 'start', hasBefore: false, hasAfter: true })
    act(() => result.current.loadMore())
    await waitFor(() => expect(result.current.items).toHaveLength(200))
    expect(result.current.total).toBe(250)
  })

  it('End reads the last page from the end, then earlier pages with prevPageToken', async () => {
    const { result } = renderList()
    await waitFor(() => expect(result.current.loaded).toBe(true))
    act(() => useAggregateListStore.getState().setAnchor('end'))
    await waitFor(() => expect(result.current.anchor).toBe('end'))
    expect(fake.listAggregates).toHaveBeenLastCalledWith(
      expect.objectContaining({ from: 'end', order: 'id' }),
    )
    expect(result.current.items.map((a) => a.id)).toEqual(ids(151, 250))
    expect(result.current).toMatchObject({ hasBefore: true, hasAfter: false })

    act(() => result.current.loadPrevious())
    await waitFor(() => expect(result.current.items).toHaveLength(200))
    expect(result.current.items.map((a) => a.id)).toEqual(ids(51, 250))
    act(() => result.current.loadPrevious())
    await waitFor(() => expect(result.current.hasBefore).toBe(false))
    expect(result.current.items.map((a) => a.id)).toEqual(ids(1, 250))
    const tokens = fake.listAggregates.mock.calls.map(([r]: [RequestOf<'listAggregates'>]) =>
      r.pageToken ? JSON.parse(r.pageToken) : null,
    )
    expect(tokens.slice(-2)).toEqual([
      { k: summary(151).id, b: true },
      { k: summary(51).id, b: true },
    ])
  })

  it('a new filter keeps the previous rows until its answer, and abandons a superseded read', async () => {
    const { result, client } = renderList()
    await waitFor(() => expect(result.current.items).toHaveLength(PAGE_SIZE))
    const slow = deferred<Awaited<ReturnType<typeof fake.listAggregates>>>()
    fake.listAggregates.mockImplementationOnce(() => slow.promise)
    act(() => useAggregateListStore.getState().setIdPrefix('00000000-0000-4000-8000-0000000000'))
    await waitFor(() => expect(result.current.previous).toBe(true))
    // Still the unfiltered rows while the filter's read is out.
    expect(result.current.items.map((a) => a.id)).toEqual(ids(1, 100))

    // The next keystroke: the slow read is superseded, its late answer never shows.
    act(() => useAggregateListStore.getState().setIdPrefix('00000000-0000-4000-8000-00000000000f'))
    await waitFor(() => expect(result.current.previous).toBe(false))
    expect(result.current.items.map((a) => a.id)).toEqual([summary(15).id])
    expect(result.current.filtered).toBe(true)
    slow.resolve({ items: ROWS.slice(0, 3), total: 250 })
    await act(() => Promise.resolve())
    expect(result.current.items.map((a) => a.id)).toEqual([summary(15).id])
    // The superseded read was cancelled: its answer did not even reach its own cache entry.
    const abandoned = client.getQueryState(
      keys.aggregateList({ idPrefix: '00000000-0000-4000-8000-0000000000', type: '', order: 'id' }),
    )
    expect(abandoned?.data).toBeUndefined()
    expect(abandoned?.fetchStatus).toBe('idle')
  })

  it('a new filter starts from the start again', () => {
    const store = useAggregateListStore.getState()
    store.setAnchor('end')
    store.setIdPrefix('ab')
    expect(useAggregateListStore.getState().anchor).toBe('start')
    useAggregateListStore.getState().setAnchor('end')
    useAggregateListStore.getState().setIdPrefix('ab')
    expect(useAggregateListStore.getState().anchor).toBe('end')
  })
})

describe('the first page asked for at boot', () => {
  const FIRST = { limit: PAGE_SIZE, order: EARLY_ORDER } as const

  it('is what the default list shows first, without asking again; once', async () => {
    useAggregateListStore.getState().setOrder('recent')
    const api = withFirstPageEarly(fake, FIRST)
    expect(fake.listAggregates).toHaveBeenCalledTimes(1)
    const { result, client } = renderList(api)
    await waitFor(() => expect(result.current.items).toHaveLength(PAGE_SIZE))
    expect(fake.listAggregates).toHaveBeenCalledTimes(1)
    expect(fake.listAggregates).toHaveBeenCalledWith(FIRST)
    // Taken: a refetch of the same list asks the service.
    await act(() => client.refetchQueries())
    expect(fake.listAggregates).toHaveBeenCalledTimes(2)
  })

  it('once dropped (as connect, disconnect and key changes do) is not used; a failed one is asked for again', async () => {
    useAggregateListStore.getState().setOrder('recent')
    fake.disconnect.mockResolvedValue(connectionInfo({ status: 'disconnected' }))
    const dropped = withFirstPageEarly(fake, FIRST)
    await dropped.disconnect({})
    const first = renderList(dropped)
    await waitFor(() => expect(first.result.current.items).toHaveLength(PAGE_SIZE))
    expect(fake.listAggregates).toHaveBeenCalledTimes(2)
    first.unmount()

    fake.listAggregates.mockRejectedValueOnce(new Error('not connected yet'))
    const failed = withFirstPageEarly(fake, FIRST)
    const second = renderList(failed)
    await waitFor(() => expect(second.result.current.items).toHaveLength(PAGE_SIZE))
    expect(second.result.current.error).toBeNull()
    expect(fake.listAggregates).toHaveBeenCalledTimes(4)
  })

  it('is not used for another list (another order): that list asks for its own', async () => {
    useAggregateListStore.getState().setOrder('id')
    const api = withFirstPageEarly(fake, FIRST)
    const { result } = renderList(api)
    await waitFor(() => expect(result.current.items).toHaveLength(PAGE_SIZE))
    expect(result.current.items.map((a) => a.id)).toEqual(ids(1, 100))
    expect(fake.listAggregates).toHaveBeenCalledTimes(2)
    expect(fake.listAggregates).toHaveBeenLastCalledWith({ limit: PAGE_SIZE, order: 'id' })
  })
})
