// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useSelectionStore } from '../../stores/selectionStore'
import { uuid, type FakeApi } from '../../testing/fakeApi'
import { renderWithQueries } from '../../testing/render'
import { aggregateViewApi } from '../../testing/viewApi'
import { AggregateView } from './AggregateView'
import { panelReady } from './lazyPanels'

const A = uuid(8)

let api: FakeApi
beforeEach(() => {
  api = aggregateViewApi(A, 3)
})
afterEach(() => {
  cleanup()
})

const tab = (name: string) => screen.getByRole('tab', { name })
const selected = (name: string) => tab(name).getAttribute('aria-selected') === 'true'

// Each test opens tabs whose chunks no earlier test loaded (a loaded chunk stays loaded).
describe('switching to a tab whose code has not loaded yet', () => {
  it('waits for the code, then shows the panel without a loading fallback in between', async () => {
    // The module compiled beforehand (the panel's own loader has not run): vitest's first
    // import of it can take longer than the switch waits.
    await import('../activity/ActivityPanel')
    renderWithQueries(<AggregateView aggregateId={A} />, { api })
    fireEvent.click(tab('Activity'))
    // Not switched in the click's turn: the chunk is on its way.
    expect(selected('State')).toBe(true)
    await waitFor(() => expect(selected('Activity')).toBe(true))
    expect(screen.queryByText('Loading the Activity tab…')).toBeNull()
  })

  it('a later choice wins over a tab still waiting for its code', async () => {
    await panelReady('commands')
    await import('../diff/DiffPanel')
    renderWithQueries(<AggregateView aggregateId={A} />, { api })
    fireEvent.click(tab('Diff'))
    fireEvent.click(tab('Commands'))
    expect(selected('Commands')).toBe(true)
    // Diff's chunk arriving afterwards does not take the selection back.
    await act(async () => {
      await panelReady('diff')
    })
    expect(selected('Commands')).toBe(true)
    expect(selected('Diff')).toBe(false)
  })

  it('arrow keys select at once as focus moves, code loaded or not (automatic activation)', () => {
    renderWithQueries(<AggregateView aggregateId={A} />, { api })
    const tablist = screen.getByRole('tablist', { name: 'Aggregate views' })
    expect(panelReady('timeline')).not.toBe(true)
    fireEvent.keyDown(tablist, { key: 'ArrowRight' })
    expect(selected('Timeline')).toBe(true)
    expect(document.activeElement).toBe(tab('Timeline'))
    fireEvent.keyDown(tablist, { key: 'ArrowRight' })
    expect(selected('Diff')).toBe(true)
  })

  it('State needs no chunk: selected in the same turn', () => {
    useSelectionStore.getState().setTab('timeline')
    renderWithQueries(<AggregateView aggregateId={A} />, { api })
    fireEvent.click(tab('State'))
    expect(selected('State')).toBe(true)
    expect(panelReady('state')).toBe(true)
  })

  it('asks for the Snapshots list at the click, while the panel code is still loading', async () => {
    api.listSnapshotSummaries.mockResolvedValue({ items: [] })
    renderWithQueries(<AggregateView aggregateId={A} />, { api })
    fireEvent.click(tab('Snapshots'))
    await waitFor(() =>
      expect(api.listSnapshotSummaries).toHaveBeenCalledWith(
        expect.objectContaining({ id: A, limit: 100 }),
      ),
    )
    // Asked before the panel mounted (the tab is not switched yet): once, the panel's query
    // taking the prefetched page.
    expect(selected('State')).toBe(true)
    await waitFor(() => expect(selected('Snapshots')).toBe(true))
    await screen.findByText('No snapshots of this aggregate yet.', { exact: false })
    expect(api.listSnapshotSummaries).toHaveBeenCalledTimes(1)
  })
})
