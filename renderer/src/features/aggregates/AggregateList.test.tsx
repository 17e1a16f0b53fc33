// @vitest-environment jsdom
import { act, cleanup, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useAggregateListStore } from '../../stores/aggregateListStore'
import { renderWithQueries } from '../../testing/render'
import { createFakeApi, flush } from '../../testing/fakeApi'
import { AggregateList } from './AggregateList'

let fake: ReturnType<typeof createFakeApi>
beforeEach(() => {
  fake = createFakeApi()
  useAggregateListStore.getState().reset()
})
afterEach(() => {
  cleanup()
})

async function showEmpty(filters: { idPrefix: string; type: string }) {
  useAggregateListStore.setState(filters)
  fake.listAggregates.mockResolvedValue({ items: [], total: 0 })
  renderWithQueries(<AggregateList />, { api: fake })
  await act(flush)
}

describe('AggregateList when nothing is listed', () => {
  it('an empty store says it is empty, not that filters hide everything', async () => {
    await showEmpty({ idPrefix: '', type: '' })
    expect(await screen.findByText('No aggregates yet')).toBeTruthy()
    expect(screen.getByText(/This store is empty/)).toBeTruthy()
    expect(screen.queryByText(/filters/)).toBeNull()
  })

  it('a filtered list with no match points at the filters', async () => {
    await showEmpty({ idPrefix: 'abc', type: '' })
    expect(await screen.findByText('No aggregates match')).toBeTruthy()
    expect(screen.getByText(/Nothing matches these filters/)).toBeTruthy()
  })
})
