// @vitest-environment jsdom
import { act, cleanup } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ConnectionInfo, LogEntryDto } from '../../../shared/contract'
import { useConnectionStore } from '../stores/connectionStore'
import { useSelectionStore } from '../stores/selectionStore'
import {
  aggregateView,
  connectionInfo,
  createFakeApi,
  summary,
  uuid,
  type FakeApi,
} from '../testing/fakeApi'
import { fakeService, renderWithQueries } from '../testing/render'
import { useConnection } from './connection'
import { aggregateListOptions } from './aggregates'
import { keys } from './keys'
import { LIST_REFRESH_THROTTLE_MS, useServerEvents } from './serverEvents'

const A = uuid(1)
const FILTER = { idPrefix: '', type: '', order: 'recent' as const }
let api: FakeApi

function Events() {
  useServerEvents()
  // The app reads the connection while it runs: a transport that comes back refetches it.
  useConnection()
  return null
}

const entry = (id: string, from: number, to: number): LogEntryDto => ({
  position: String(to),
  originatorId: id,
  fromVersion: from,
  toVersion: to,
  topics: ['t'],
  discards: false,
  recordedAt: '2026-01-02T00:00:00.000Z',
})

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true })
  api = createFakeApi()
  useConnectionStore.getState().reset()
  // Unanswered unless a test answers it: pushed events are what these tests are about.
  api.getConnection.mockReturnValue(new Promise(() => {}))
  useSelectionStore.getState().reset()
})
afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

describe('pushed events', () => {
  it('a change patches the listed row at once, then refetches the list (throttled)', async () => {
    const { client } = renderWithQueries(<Events />, { api })
    api.listAggregates.mockResolvedValue({ items: [summary(1, { version: 2 })], total: 1 })
    await client.fetchInfiniteQuery(aggregateListOptions(api, FILTER))
    expect(api.listAggregates).toHaveBeenCalledTimes(1)

    act(() => api.emit('changes', { entries: [entry(A, 3, 4)] }))
    const pages = client.getQueryData(aggregateListOptions(api, FILTER).queryKey)
    expect(pages?.pages[0]?.items[0]).toMatchObject({ id: A, version: 4 })
    expect(useConnectionStore.getState().changeCount).toBe(1)

    await act(() => vi.advanceTimersByTimeAsync(LIST_REFRESH_THROTTLE_MS + 1))
    expect(client.getQueryState(keys.aggregateList(FILTER))?.isInvalidated).toBe(true)
  })

  it('a change to an aggregate makes its latest state stale, never a past version', async () => {
    const { client } = renderWithQueries(<Events />, { api })
    client.setQueryData(keys.aggregateAt(A, 'latest'), aggregateView(A, 4))
    client.setQueryData(keys.aggregateAt(A, 2), aggregateView(A, 2, 4))
    client.setQueryData(keys.aggregateAt(uuid(2), 'latest'), aggregateView(uuid(2), 1))

    act(() => api.emit('changes', { entries: [entry(A, 5, 5)] }))
    expect(client.getQueryState(keys.aggregateAt(A, 'latest'))?.isInvalidated).toBe(true)
    expect(client.getQueryState(keys.aggregateAt(A, 2))?.isInvalidated).toBe(false)
    expect(client.getQueryState(keys.aggregateAt(uuid(2), 'latest'))?.isInvalidated).toBe(false)
  })

  it('a pushed connection is taken; a different store clears the selection and the cache', () => {
    const { client } = renderWithQueries(<Events />, { api })
    act(() => api.emit('connection', connectionInfo({ description: 'first' })))
    useSelectionStore.getState().select(A)
    client.setQueryData(keys.aggregateAt(A, 'latest'), aggregateView(A, 4))

    act(() => api.emit('connection', connectionInfo({ description: 'second' })))
    expect(client.getQueryData<ConnectionInfo>(keys.connection())?.description).toBe('second')
    expect(useSelectionStore.getState().aggregateId).toBeNull()
    expect(client.getQueryData(keys.aggregateAt(A, 'latest'))).toBeUndefined()
  })

  it('a new session of the same store (a key change) drops what the old one read', () => {
    const { client } = renderWithQueries(<Events />, { api })
    act(() => api.emit('connection', connectionInfo({ sessionId: 's1' })))
    useSelectionStore.getState().select(A)
    client.setQueryData(keys.aggregateAt(A, 2), aggregateView(A, 2))

    act(() => api.emit('connection', connectionInfo({ sessionId: 's2' })))
    expect(useSelectionStore.getState().aggregateId).toBe(A)
    expect(client.getQueryData(keys.aggregateAt(A, 2))).toBeUndefined()
  })

  it('a transport that comes back refetches; its first open does not', async () => {
    api.getConnection.mockResolvedValue(connectionInfo())
    const service = fakeService(api, 'connecting')
    const { client } = renderWithQueries(<Events />, { api, service })
    await vi.waitFor(() => expect(client.getQueryData(keys.connection())).toBeDefined())
    client.setQueryData(keys.aggregateTypes(), [])
    act(() => service.setStatus('open'))
    expect(client.getQueryState(keys.aggregateTypes())?.isInvalidated).toBe(false)
    expect(api.getConnection).toHaveBeenCalledTimes(1)

    act(() => service.setStatus('closed'))
    act(() => service.setStatus('open'))
    expect(client.getQueryState(keys.aggregateTypes())?.isInvalidated).toBe(true)
    // The connection is read again: what changed meanwhile was not pushed.
    await vi.waitFor(() => expect(api.getConnection).toHaveBeenCalledTimes(2))
  })

  it('a different store keeps the connection answer while it resets what was read', () => {
    const { client } = renderWithQueries(<Events />, { api })
    act(() => api.emit('connection', connectionInfo({ description: 'first' })))
    act(() => api.emit('connection', connectionInfo({ description: 'second' })))
    expect(client.getQueryState(keys.connection())?.status).toBe('success')
    expect(api.getConnection).toHaveBeenCalledTimes(1)
  })

  it('unmounting unsubscribes', () => {
    const { unmount } = renderWithQueries(<Events />, { api })
    expect(api.listenerCount('changes')).toBe(1)
    unmount()
    expect(api.listenerCount('changes')).toBe(0)
    expect(api.listenerCount('connection')).toBe(0)
  })
})
