// @vitest-environment jsdom
import { act, cleanup, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setApi } from '../api'
import { useSelectionStore } from '../stores/selectionStore'
import { aggregateView, createFakeApi, flush, uuid, type FakeApi } from '../testing/fakeApi'
import { renderWithQueries } from '../testing/render'
import { AggregateView } from '../features/workspace/AggregateView'

const A = uuid(1)
let api: FakeApi

beforeEach(() => {
  api = createFakeApi()
  setApi(api)
  useSelectionStore.getState().reset()
  useSelectionStore.getState().select(A)
  api.getAggregate.mockImplementation(async ({ at }) => aggregateView(A, at ?? 5, 5))
  api.listEvents.mockResolvedValue({ items: [], latestVersion: 5, scanned: 0 })
  api.listSnapshots.mockResolvedValue({ items: [] })
  api.listAggregateTypes.mockResolvedValue([])
})
afterEach(() => {
  cleanup()
  setApi(null)
})

describe('the aggregate view', () => {
  it('shows the latest state and prefetches the versions before it', async () => {
    renderWithQueries(<AggregateView aggregateId={A} />)
    await act(flush)
    await act(flush)
    expect(await screen.findByText(/as of version/)).toBeTruthy()
    const asked = api.getAggregate.mock.calls.map(([r]) => r.at ?? 'latest')
    expect(asked).toEqual(expect.arrayContaining(['latest', 4, 3, 2]))
  })
})
