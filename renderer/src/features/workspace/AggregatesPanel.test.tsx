// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useAggregateListStore } from '../../stores/aggregateListStore'
import {
  connectionInfo,
  createFakeApi,
  deferred,
  pagedAggregates,
  summary,
  type FakeApi,
} from '../../testing/fakeApi'
import { renderWithQueries } from '../../testing/render'
import { AggregatesPanel } from './AggregatesPanel'

const ROWS = Array.from({ length: 250 }, (_, i) => summary(250 - i))

let api: FakeApi
beforeEach(() => {
  api = createFakeApi()
  useAggregateListStore.getState().reset()
  api.getConnection.mockResolvedValue(connectionInfo())
  api.listAggregateTypes.mockResolvedValue([])
})
afterEach(() => {
  cleanup()
})

/** The heading's count: a live region, so what it says is announced. */
const count = () => screen.getByRole('heading', { name: 'Aggregates' }).nextElementSibling!

describe('the list heading while a store counts its aggregates', () => {
  it('says "counting…" (announced) until the count arrives, then the count', async () => {
    api.listAggregates.mockImplementation(pagedAggregates(ROWS, { counted: false }))
    const counted = deferred<{ total: number }>()
    api.countAggregates.mockImplementation(() => counted.promise)
    renderWithQueries(<AggregatesPanel />, { api })
    await waitFor(() => expect(count().textContent).toBe('100+ shown · counting…'))
    expect(count().getAttribute('aria-live')).toBe('polite')
    counted.resolve({ total: 250 })
    await waitFor(() => expect(count().textContent).toBe('250 aggregates'))
  })

  it('filtered, it says how many match; a failed count says so rather than 0', async () => {
    api.listAggregates.mockImplementation(pagedAggregates(ROWS, { counted: false }))
    api.countAggregates.mockRejectedValue(new Error('statement timeout'))
    // ids 0xf0…0xfa: 11 rows.
    useAggregateListStore.getState().setIdPrefix('00000000-0000-4000-8000-0000000000f')
    renderWithQueries(<AggregatesPanel />, { api })
    await waitFor(() => expect(count().textContent).toBe('11 matching · could not count them all'))
  })
})
