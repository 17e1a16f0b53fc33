// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useSelectionStore } from '../../stores/selectionStore'
import { eventDto, uuid, type FakeApi } from '../../testing/fakeApi'
import { renderWithQueries } from '../../testing/render'
import { aggregateViewApi } from '../../testing/viewApi'
import { AggregateView } from './AggregateView'

const A = uuid(7)
const LATEST = 5

let api: FakeApi
beforeEach(() => {
  api = aggregateViewApi(A, LATEST)
})
afterEach(() => {
  cleanup()
})

/** A store whose histories start at `first` (Python eventsourcing's: 1), as listEvents says. */
function historyFrom(first: number) {
  api.listEvents.mockResolvedValue({
    items: Array.from({ length: LATEST - first + 1 }, (_, i) => eventDto(A, first + i)),
    latestVersion: LATEST,
    firstVersion: first,
    scanned: LATEST - first + 1,
  })
}

const slider = () => screen.getByRole('slider', { name: 'Version' })

describe('the scrubber starts where the store says the history starts', () => {
  it('from version 1 when the store reports 1: no version 0 to step or play to', async () => {
    historyFrom(1)
    renderWithQueries(<AggregateView aggregateId={A} />, { api })
    await waitFor(() => expect(slider().getAttribute('min')).toBe('1'))
    expect(slider().getAttribute('max')).toBe(String(LATEST))

    // Play from the latest version starts again at the first one, not at 0.
    fireEvent.click(screen.getByRole('button', { name: 'Play' }))
    expect(useSelectionStore.getState().version).toBe(1)
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }))
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Previous version' })).toHaveProperty(
        'disabled',
        true,
      ),
    )
    expect(api.getAggregate).not.toHaveBeenCalledWith(expect.objectContaining({ at: 0 }))
  })

  it('from version 0 in our stores', async () => {
    historyFrom(0)
    renderWithQueries(<AggregateView aggregateId={A} />, { api })
    await waitFor(() => expect(slider().getAttribute('max')).toBe(String(LATEST)))
    expect(slider().getAttribute('min')).toBe('0')
  })
})
