// @vitest-environment jsdom
import { act, cleanup, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ExplorerError, type RequestOf } from '../../../../shared/contract'
import { useSelectionStore } from '../../stores/selectionStore'
import { aggregateView, uuid, type FakeApi } from '../../testing/fakeApi'
import { renderWithQueries } from '../../testing/render'
import { aggregateViewApi } from '../../testing/viewApi'
import { AggregateView } from './AggregateView'

const A = uuid(9)
const LATEST = 5

let api: FakeApi
beforeEach(() => {
  api = aggregateViewApi(A, LATEST)
  // Version 2 cannot be replayed (say, a module's changed event class throws in apply).
  api.getAggregate.mockImplementation(async ({ at }: RequestOf<'getAggregate'>) => {
    if (at === 2)
      throw new ExplorerError({
        code: 'InternalError',
        message: 'applying Assigned v2 failed: Cannot read properties of undefined',
      })
    return aggregateView(A, at ?? LATEST, LATEST)
  })
})
afterEach(() => {
  cleanup()
})

describe('a version that cannot be shown while another one is', () => {
  it('says so above the version still shown, and which version that is', async () => {
    renderWithQueries(<AggregateView aggregateId={A} />, { api })
    act(() => useSelectionStore.getState().setVersion(1))
    // Version 1 shown (the header's Version fact: "1 of 5").
    await screen.findAllByText((_, element) => element?.textContent === '1 of 5')
    act(() => useSelectionStore.getState().setVersion(2))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('Version 2 could not be shown.')
    expect(alert.textContent).toContain('applying Assigned v2 failed')
    expect(alert.textContent).toContain('Still shown: version 1.')
    // A version that loads takes the message away.
    act(() => useSelectionStore.getState().setVersion(3))
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull())
  })
})
