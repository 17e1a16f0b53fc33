// @vitest-environment jsdom
import { act, cleanup, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useSelectionStore } from '../stores/selectionStore'
import type { AggregateView as View } from '../../../shared/contract'
import { ExplorerError } from '../../../shared/contract'
import {
  aggregateView,
  createFakeApi,
  deferred,
  flush,
  uuid,
  type FakeApi,
} from '../testing/fakeApi'
import { useTaskStore } from '../stores/taskStore'
import { useLayoutEffect } from 'react'
import {
  PREFETCH_MAX_MS,
  PREFETCH_REST_MS,
  SLOW_REPLAY_MS,
  VIEW_DEBOUNCE_MS,
  useAggregateAt,
} from './aggregate'
import { keys } from './keys'
import { renderWithQueries } from '../testing/render'
import { AggregateView } from '../features/workspace/AggregateView'

const A = uuid(1)
let api: FakeApi

beforeEach(() => {
  api = createFakeApi()
  useSelectionStore.getState().reset()
  useTaskStore.getState().reset()
  useSelectionStore.getState().select(A)
  api.getAggregate.mockImplementation(async ({ at }) => aggregateView(A, at ?? 5, 5))
  api.listEvents.mockResolvedValue({ items: [], latestVersion: 5, firstVersion: 0, scanned: 0 })
  api.listSnapshots.mockResolvedValue({ items: [] })
  api.listAggregateTypes.mockResolvedValue([])
})
afterEach(() => {
  cleanup()
  vi.restoreAllMocks()
})

/**
 * Prefetching depends on how long answers took (PREFETCH_MAX_MS). The fake answers are instant,
 * but a loaded machine can stall the test's event loop past that limit: a clock that moves a
 * hundredth of a millisecond per reading makes every answer measure as fast.
 */
function answersMeasureFast(): void {
  let now = 0
  vi.spyOn(performance, 'now').mockImplementation(() => (now += 0.01))
}

describe('the aggregate view', () => {
  it('shows the latest state and, once it has rested, prefetches the versions before it', async () => {
    answersMeasureFast()
    renderWithQueries(<AggregateView aggregateId={A} />, { api })
    expect(await screen.findByText(/as of version/)).toBeTruthy()
    // Nothing is prefetched the moment a version shows (the user may be jumping on).
    expect(api.getAggregate.mock.calls.map(([r]) => r.at ?? 'latest')).toEqual(['latest'])
    await waitFor(() =>
      expect(api.getAggregate.mock.calls.map(([r]) => r.at ?? 'latest')).toEqual([
        'latest',
        4,
        3,
        2,
      ]),
    )
  })

  it('asks at once when nothing is loading, then only for where a drag rests, keeping the shown state', async () => {
    const { client } = renderWithQueries(<AggregateView aggregateId={A} />, { api })
    expect(await screen.findByText(/as of version/)).toBeTruthy()
    await act(() => new Promise((r) => setTimeout(r, VIEW_DEBOUNCE_MS * 2)))
    await act(flush)
    api.getAggregate.mockClear()
    // A drag across uncached versions: its first step is asked for at once, then where it rests.
    const slow = deferred<View>()
    api.cancelTask.mockResolvedValue({ cancelled: true })
    api.getAggregate.mockImplementation(({ at }) =>
      at === 0 ? slow.promise : Promise.resolve(aggregateView(A, at ?? 5, 5)),
    )
    for (const version of [0, 1]) act(() => useSelectionStore.getState().setVersion(version))
    // v0 is still loading: v1 waits for the slider to rest.
    expect(api.getAggregate.mock.calls.map(([r]) => r.at)).toEqual([0])
    // The state tree stays (no loading skeleton) while the next version loads.
    expect(screen.getByRole('tree', { name: 'State' })).toBeTruthy()
    expect(screen.queryByLabelText('Loading')).toBeNull()
    slow.resolve(aggregateView(A, 0, 5))
    await waitFor(() => expect(client.getQueryData(keys.aggregateAt(A, 1))).toBeDefined())
    expect(api.getAggregate.mock.calls.map(([r]) => r.at).slice(0, 2)).toEqual([0, 1])
    expect(client.getQueryData(keys.aggregateAt(A, 1))).toMatchObject({ version: 1 })
  })

  it('asks for a version in the render that brings it, before that render reaches the screen', async () => {
    // What had been asked for when each version's render was committed (layout effects run
    // before the browser paints; passive effects, where useQuery starts a fetch, after it).
    const askedAtCommit: Array<Array<number | 'latest'>> = []
    function Probe() {
      const version = useSelectionStore((s) => s.version)
      useAggregateAt(A, version)
      useLayoutEffect(() => {
        askedAtCommit.push(api.getAggregate.mock.calls.map(([r]) => r.at ?? 'latest'))
      }, [version])
      return null
    }
    const { client } = renderWithQueries(<Probe />, { api })
    await waitFor(() => expect(client.getQueryData(keys.aggregateAt(A, 'latest'))).toBeDefined())
    act(() => useSelectionStore.getState().setVersion(2))
    expect(askedAtCommit.at(-1)).toEqual(['latest', 2])
  })

  it('an abandoned replay is cancelled on the server, and a slow one shows as a task', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    try {
      const slow = deferred<View>()
      api.getAggregate.mockImplementation(({ at }) =>
        at === 2 ? slow.promise : Promise.resolve(aggregateView(A, at ?? 5, 5)),
      )
      api.cancelTask.mockResolvedValue({ cancelled: true })
      useSelectionStore.getState().setVersion(2)
      renderWithQueries(<AggregateView aggregateId={A} />, { api })
      await act(() => vi.advanceTimersByTimeAsync(SLOW_REPLAY_MS + 1))
      const call = api.getAggregate.mock.calls.find(([r]) => r.at === 2)
      const taskId = call?.[0].taskId
      expect(taskId).toBeDefined()
      expect(useTaskStore.getState().tasks).toMatchObject([{ taskId, status: 'running' }])

      // The user moves on: the query for v2 loses its last observer and is aborted.
      act(() => useSelectionStore.getState().setVersion(null))
      await act(() => vi.advanceTimersByTimeAsync(VIEW_DEBOUNCE_MS + 1))
      expect(api.cancelTask).toHaveBeenCalledWith({ taskId })
      slow.reject(new ExplorerError({ code: 'Cancelled', message: 'the task was cancelled' }))
      await act(() => vi.runOnlyPendingTimersAsync())
      expect(useTaskStore.getState().tasks.find((t) => t.taskId === taskId)?.status).toBe(
        'cancelled',
      )
      expect(await screen.findByText(/as of version/)).toBeTruthy()
    } finally {
      vi.useRealTimers()
    }
  })

  it('prefetches one version at a time, and cancels the prefetch when the user asks for another', async () => {
    answersMeasureFast()
    const pending = deferred<View>()
    api.cancelTask.mockResolvedValue({ cancelled: true })
    api.getAggregate.mockImplementation(({ at }) =>
      at === undefined || at === 1
        ? Promise.resolve(aggregateView(A, at ?? 5, 5))
        : pending.promise,
    )
    const { client } = renderWithQueries(<AggregateView aggregateId={A} />, { api })
    expect(await screen.findByText(/as of version/)).toBeTruthy()
    await waitFor(() => expect(api.getAggregate.mock.calls.some(([r]) => r.at === 4)).toBe(true))
    await act(flush)
    // v4 is still loading: v3 waits its turn (v6 is beyond the latest).
    expect(api.getAggregate.mock.calls.map(([r]) => r.at ?? 'latest')).toEqual(['latest', 4])
    const prefetchTask = api.getAggregate.mock.calls[1]![0].taskId
    act(() => useSelectionStore.getState().setVersion(1))
    await waitFor(() => expect(api.cancelTask).toHaveBeenCalledWith({ taskId: prefetchTask }))
    await waitFor(() => expect(client.getQueryData(keys.aggregateAt(A, 1))).toBeDefined())
  })

  it('after a slow answer, a few fast ones do not start prefetching yet', async () => {
    const C = uuid(3)
    useSelectionStore.getState().select(C)
    let slow = true
    api.getAggregate.mockImplementation(async ({ at }) => {
      if (slow) await new Promise((r) => setTimeout(r, PREFETCH_MAX_MS * 2))
      return aggregateView(C, at ?? 5, 5)
    })
    const { client } = renderWithQueries(<AggregateView aggregateId={C} />, { api })
    expect(await screen.findByText(/as of version/)).toBeTruthy()
    // The next answer is fast (as one from the last answer's live state is).
    slow = false
    act(() => useSelectionStore.getState().setVersion(2))
    await waitFor(() => expect(client.getQueryData(keys.aggregateAt(C, 2))).toBeDefined())
    await act(() => new Promise((r) => setTimeout(r, PREFETCH_REST_MS * 2)))
    expect(api.getAggregate.mock.calls.map(([r]) => r.at ?? 'latest')).toEqual(['latest', 2])
  })

  it('does not prefetch around an aggregate whose answers are slow', async () => {
    const B = uuid(2)
    useSelectionStore.getState().select(B)
    api.getAggregate.mockImplementation(async ({ at }) => {
      await new Promise((r) => setTimeout(r, PREFETCH_MAX_MS + 40))
      return aggregateView(B, at ?? 5, 5)
    })
    renderWithQueries(<AggregateView aggregateId={B} />, { api })
    expect(await screen.findByText(/as of version/)).toBeTruthy()
    await act(() => new Promise((r) => setTimeout(r, PREFETCH_REST_MS * 2)))
    expect(api.getAggregate.mock.calls.map(([r]) => r.at ?? 'latest')).toEqual(['latest'])
  })
})
