// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AggregateView } from '../../../shared/contract'
import { ExplorerError } from '../../../shared/contract'
import { setApi } from '../api'
import { aggregateView, createFakeApi, deferred, uuid, type FakeApi } from '../testing/fakeApi'
import { useTaskStore } from './taskStore'
import { SLOW_REPLAY_MS, useAggregateViewStore, VIEW_DEBOUNCE_MS } from './aggregateViewStore'

const store = () => useAggregateViewStore.getState()
const A = uuid(1)
const B = uuid(2)
let api: FakeApi

beforeEach(() => {
  vi.useFakeTimers()
  api = createFakeApi()
  setApi(api)
  store().reset()
  useTaskStore.getState().reset()
})
afterEach(() => {
  vi.useRealTimers()
  setApi(null)
})

describe('aggregateViewStore', () => {
  it('loads a newly selected aggregate at once, at its latest version', async () => {
    api.getAggregate.mockResolvedValue(aggregateView(A, 4))
    store().request(A, null)
    expect(api.getAggregate).toHaveBeenCalledWith({ id: A, taskId: expect.any(String) })
    await vi.runAllTimersAsync()
    expect(store().view?.version).toBe(4)
    expect(store().loading).toBe(false)
  })

  it('debounces scrubbing and asks only for the version the user stopped at', async () => {
    api.getAggregate.mockImplementation(async ({ id, at }) => aggregateView(id, at ?? 4, 4))
    store().request(A, null)
    await vi.runAllTimersAsync()
    store().request(A, 1)
    store().request(A, 2)
    store().request(A, 3)
    await vi.advanceTimersByTimeAsync(VIEW_DEBOUNCE_MS + 1)
    expect(api.getAggregate).toHaveBeenCalledTimes(2)
    expect(api.getAggregate).toHaveBeenLastCalledWith({ id: A, at: 3, taskId: expect.any(String) })
    expect(store().view?.version).toBe(3)
  })

  it('while one request runs, queues only the newest wish', async () => {
    const first = deferred<AggregateView>()
    api.getAggregate
      .mockReturnValueOnce(first.promise)
      .mockImplementation(async ({ id, at }) => aggregateView(id, at ?? 9, 9))
    store().request(A, null)
    store().request(A, 1)
    await vi.advanceTimersByTimeAsync(VIEW_DEBOUNCE_MS + 1)
    store().request(A, 2)
    await vi.advanceTimersByTimeAsync(VIEW_DEBOUNCE_MS + 1)
    expect(api.getAggregate).toHaveBeenCalledTimes(1)
    first.resolve(aggregateView(A, 9))
    await vi.runAllTimersAsync()
    expect(api.getAggregate).toHaveBeenCalledTimes(2)
    expect(api.getAggregate).toHaveBeenLastCalledWith({ id: A, at: 2, taskId: expect.any(String) })
    expect(store().view?.version).toBe(2)
    expect(store().loading).toBe(false)
  })

  it('never shows a late answer for a previously selected aggregate', async () => {
    const slowA = deferred<AggregateView>()
    api.getAggregate.mockReturnValueOnce(slowA.promise).mockResolvedValueOnce(aggregateView(B, 1))
    store().request(A, null)
    store().request(B, null)
    slowA.resolve(aggregateView(A, 5))
    await vi.runAllTimersAsync()
    expect(store().view?.id).toBe(B)
  })

  it('keeps a typed error for the current wish, and reload() retries it', async () => {
    api.getAggregate.mockRejectedValueOnce(
      new ExplorerError({ code: 'DataIntegrityError', message: 'bad tag' }),
    )
    store().request(A, 2)
    await vi.runAllTimersAsync()
    expect(store().error).toMatchObject({ code: 'DataIntegrityError' })
    api.getAggregate.mockResolvedValueOnce(aggregateView(A, 2, 4))
    store().reload()
    await vi.runAllTimersAsync()
    expect(api.getAggregate).toHaveBeenLastCalledWith({ id: A, at: 2, taskId: expect.any(String) })
    expect(store().error).toBeNull()
    expect(store().view?.version).toBe(2)
  })

  it('clears when nothing is selected', async () => {
    api.getAggregate.mockResolvedValue(aggregateView(A, 1))
    store().request(A, null)
    await vi.runAllTimersAsync()
    store().request(null, null)
    expect(store()).toMatchObject({ view: null, wanted: null, loading: false })
  })

  it('a quick replay never shows up as a task', async () => {
    api.getAggregate.mockResolvedValue(aggregateView(A, 4))
    store().request(A, null)
    await vi.runAllTimersAsync()
    expect(useTaskStore.getState().tasks).toEqual([])
  })

  it('a slow replay becomes a visible task with progress, and a newer wish cancels it', async () => {
    const slow = deferred<AggregateView>()
    api.getAggregate.mockReturnValueOnce(slow.promise)
    api.cancelTask.mockResolvedValue({ cancelled: true })
    store().request(A, null)
    const taskId = (api.getAggregate.mock.calls[0]![0] as { taskId: string }).taskId
    await vi.advanceTimersByTimeAsync(SLOW_REPLAY_MS + 1)
    expect(useTaskStore.getState().tasks).toMatchObject([{ taskId, status: 'running' }])

    api.getAggregate.mockResolvedValue(aggregateView(B, 1))
    store().request(B, null)
    expect(api.cancelTask).toHaveBeenCalledWith({ taskId })
    slow.reject(new ExplorerError({ code: 'Cancelled', message: 'the task was cancelled' }))
    await vi.runAllTimersAsync()
    expect(useTaskStore.getState().tasks.find((t) => t.taskId === taskId)?.status).toBe('cancelled')
    expect(store().view?.id).toBe(B)
    expect(store().error).toBeNull()
  })
})
