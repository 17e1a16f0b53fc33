// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setApi } from '../../api'
import { useAggregatesStore } from '../../stores/aggregatesStore'
import { createFakeApi, flush } from '../../testing/fakeApi'
import { AggregateList } from './AggregateList'

beforeEach(() => {
  setApi(createFakeApi())
  useAggregatesStore.getState().reset()
})
afterEach(() => {
  cleanup()
  setApi(null)
})

async function showEmpty(filters: { idPrefix: string; type: string }) {
  useAggregatesStore.setState({ ...filters, items: [], total: 0, loaded: true })
  render(<AggregateList />)
  await act(flush)
}

describe('AggregateList when nothing is listed', () => {
  it('an empty store says it is empty, not that filters hide everything', async () => {
    await showEmpty({ idPrefix: '', type: '' })
    expect(screen.getByText('No aggregates yet')).toBeTruthy()
    expect(screen.getByText(/This store is empty/)).toBeTruthy()
    expect(screen.queryByText(/filters/)).toBeNull()
  })

  it('a filtered list with no match points at the filters', async () => {
    await showEmpty({ idPrefix: 'abc', type: '' })
    expect(screen.getByText('No aggregates match')).toBeTruthy()
    expect(screen.getByText(/Nothing matches these filters/)).toBeTruthy()
  })
})
