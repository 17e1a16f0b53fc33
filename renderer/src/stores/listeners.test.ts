// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ExplorerError } from '../../../shared/contract'
import { setApi } from '../api'
import {
  aggregateView,
  connectionInfo,
  createFakeApi,
  eventDto,
  flush,
  summary,
  uuid,
  type FakeApi,
} from '../testing/fakeApi'
import { useAggregateViewStore } from './aggregateViewStore'
import { useAggregatesStore } from './aggregatesStore'
import { useConnectionStore } from './connectionStore'
import { startStoreListeners } from './listeners'
import { useSelectionStore } from './selectionStore'
import { useTimelineStore } from './timelineStore'

const A = uuid(1)
let api: FakeApi
let stop: () => void

beforeEach(() => {
  api = createFakeApi()
  setApi(api)
  for (const s of [
    useConnectionStore,
    useAggregatesStore,
    useSelectionStore,
    useTimelineStore,
    useAggregateViewStore,
  ])
    s.getState().reset()
  api.listSnapshots.mockResolvedValue({ items: [] })
  api.listEvents.mockImplementation(async ({ id }) => ({
    items: [eventDto(id, 0)],
    latestVersion: 0,
    scanned: 1,
  }))
  api.getAggregate.mockImplementation(async ({ id, at }) => aggregateView(id, at ?? 0))
  api.listAggregates.mockResolvedValue({ items: [summary(1)], total: 1 })
  api.listAggregateTypes.mockResolvedValue([])
  stop = startStoreListeners()
})
afterEach(() => {
  stop()
  setApi(null)
})

describe('store listeners', () => {
  it('selecting an aggregate opens its timeline and loads its view', async () => {
    useSelectionStore.getState().select(A)
    await flush()
    expect(useTimelineStore.getState().aggregateId).toBe(A)
    expect(useAggregateViewStore.getState().view?.id).toBe(A)
  })

  it('a change to the selected aggregate reloads its view', async () => {
    useSelectionStore.getState().select(A)
    await flush()
    api.emit('changes', {
      entries: [
        {
          position: '2',
          originatorId: A,
          fromVersion: 1,
          toVersion: 1,
          topics: [],
          discards: false,
          recordedAt: '2026-01-01T00:00:00.000Z',
        },
      ],
    })
    await flush()
    expect(api.getAggregate).toHaveBeenCalledTimes(2)
    expect(useTimelineStore.getState().latestVersion).toBe(1)
  })

  it('a different store clears the selection and reloads the list', async () => {
    useSelectionStore.getState().select(A)
    useConnectionStore.getState().setInfo(connectionInfo())
    await flush()
    expect(useSelectionStore.getState().aggregateId).toBeNull()
    expect(api.listAggregates).toHaveBeenCalledTimes(1)
    expect(useAggregatesStore.getState().items).toHaveLength(1)

    // The same store pushed again changes nothing.
    useConnectionStore.getState().setInfo(connectionInfo())
    await flush()
    expect(api.listAggregates).toHaveBeenCalledTimes(1)
  })

  it('a key change (a new session of the same store) drops what the old key read and reloads', async () => {
    useConnectionStore.getState().setInfo(connectionInfo({ sessionId: 'key-1' }))
    await flush()
    useSelectionStore.getState().select(A)
    await flush()
    expect(useAggregateViewStore.getState().view?.hashChain.status).toBe('verified')
    const lists = api.listAggregates.mock.calls.length

    // Under the new key the records no longer decrypt.
    api.getAggregate.mockRejectedValue(
      new ExplorerError({ code: 'DataIntegrityError', message: 'decryption failed' }),
    )
    api.listEvents.mockRejectedValue(
      new ExplorerError({ code: 'DataIntegrityError', message: 'decryption failed' }),
    )
    useConnectionStore.getState().setInfo(connectionInfo({ sessionId: 'key-2' }))
    // At once, before any reply: nothing read under the old key is left.
    expect(useAggregateViewStore.getState().view).toBeNull()
    expect(useTimelineStore.getState().byVersion).toEqual({})
    await flush()
    expect(useSelectionStore.getState().aggregateId).toBe(A)
    expect(useAggregateViewStore.getState().view).toBeNull()
    expect(useAggregateViewStore.getState().error).toMatchObject({ code: 'DataIntegrityError' })
    expect(api.listAggregates).toHaveBeenCalledTimes(lists + 1)
  })

  it('the first open of the transport is not a reconnect: nothing is fetched twice', async () => {
    useConnectionStore.getState().setTransport('open')
    await flush()
    expect(api.getConnection).not.toHaveBeenCalled()
    expect(api.listAggregates).not.toHaveBeenCalled()
  })

  it('after a dropped transport comes back, what changed meanwhile is fetched again', async () => {
    api.getConnection.mockResolvedValue(connectionInfo())
    useConnectionStore.getState().setTransport('open')
    useConnectionStore.getState().setInfo(connectionInfo())
    useSelectionStore.getState().select(A)
    await flush()
    expect(useTimelineStore.getState().latestVersion).toBe(0)
    const lists = api.listAggregates.mock.calls.length
    const views = api.getAggregate.mock.calls.length

    // While the socket was down, A got versions 1–3; no `changes` event will ever say so.
    api.listEvents.mockImplementation(async ({ id }) => ({
      items: [0, 1, 2, 3].map((v) => eventDto(id, v)),
      latestVersion: 3,
      scanned: 4,
    }))
    for (const status of ['closed', 'connecting', 'open'] as const)
      useConnectionStore.getState().setTransport(status)
    await flush()

    expect(api.getConnection).toHaveBeenCalledTimes(1)
    expect(api.listAggregates).toHaveBeenCalledTimes(lists + 1)
    expect(api.getAggregate).toHaveBeenCalledTimes(views + 1)
    expect(useTimelineStore.getState().latestVersion).toBe(3)
    expect(useSelectionStore.getState().aggregateId).toBe(A)
  })

  it('stop() unsubscribes from the API', () => {
    stop()
    expect(api.listenerCount('changes')).toBe(0)
    expect(api.listenerCount('connection')).toBe(0)
  })
})
