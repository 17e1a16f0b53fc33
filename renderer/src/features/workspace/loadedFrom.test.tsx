// @vitest-environment jsdom
import { renderWithQueries } from '../../testing/render'
import { act, cleanup, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { aggregateView, createFakeApi, uuid, widgetType, type FakeApi } from '../../testing/fakeApi'
import { formatDateTime } from '../../lib/format'
import { useSelectionStore } from '../../stores/selectionStore'
import { AggregateHeader } from './AggregateHeader'

const A = uuid(4)

let api: FakeApi

beforeEach(() => {
  api = createFakeApi()
  useSelectionStore.getState().setTimezone('utc')
  api.listAggregateTypes.mockResolvedValue([widgetType()])
})
afterEach(() => {
  cleanup()
})

/** The header of version 150, loaded from `snapshot` and an in-memory checkpoint at v99. */
function renderFromCheckpoint(snapshot: number): void {
  const view = {
    ...aggregateView(A, 150),
    loadedFromSnapshot: snapshot,
    eventsReplayed: 51,
    fromCheckpoint: { version: 99, verifiedAt: '2026-01-01T00:00:00.000Z' },
  }
  renderWithQueries(<AggregateHeader aggregateId={A} view={view} latestVersion={150} />, { api })
}

describe('where the shown state came from', () => {
  it('names the in-memory checkpoint and the events replayed after it', async () => {
    renderFromCheckpoint(100)
    const fact = await screen.findByText('checkpoint v99 + 51 events')
    // When, per the Local/UTC choice like every other time (UTC here), not the raw ISO text.
    expect(fact.getAttribute('title')).toBe('Checkpoint verified at 2026-01-01 00:00:00 UTC')
    act(() => useSelectionStore.getState().setTimezone('local'))
    expect(fact.getAttribute('title')).toBe(
      `Checkpoint verified at ${formatDateTime('2026-01-01T00:00:00.000Z', 'local')}`,
    )
  })

  it('names a stored snapshot an earlier answer decoded and kept in memory', async () => {
    renderFromCheckpoint(99)
    expect(await screen.findByText('snapshot v99 (kept in memory) + 51 events')).toBeTruthy()
  })

  it('without a checkpoint, names the snapshot', async () => {
    const view = { ...aggregateView(A, 150), loadedFromSnapshot: 100, eventsReplayed: 50 }
    renderWithQueries(<AggregateHeader aggregateId={A} view={view} latestVersion={150} />, { api })
    expect(await screen.findByText('snapshot v100 + 50 events')).toBeTruthy()
  })

  it('with no definition loaded, says the events after the snapshot are not applied', async () => {
    // A Python store's aggregate at v5003: its state is the v5000 snapshot's.
    const view = {
      ...aggregateView(A, 5003),
      loadedFromSnapshot: 5000,
      eventsReplayed: 0,
      definitionLoaded: false,
    }
    renderWithQueries(<AggregateHeader aggregateId={A} view={view} latestVersion={5003} />, {
      api,
    })
    expect(await screen.findByText('snapshot v5000; 3 events after it not applied')).toBeTruthy()
  })

  it('says "of" the newest version known now, not the one a cached past answer carried', async () => {
    // Fetched when v6 was the newest; the aggregate has reached v9 since.
    const view = { ...aggregateView(A, 6), version: 4 }
    renderWithQueries(<AggregateHeader aggregateId={A} view={view} latestVersion={9} />, { api })
    expect(await screen.findByText('of 9', { exact: false })).toBeTruthy()
    expect(screen.queryByText('of 6', { exact: false })).toBeNull()
  })

  it('warns when snapshots of the aggregate fail, naming the version and the reason', async () => {
    const message =
      'cannot transcode an instance of unregistered class Forgotten; register it with a topic'
    const view = {
      ...aggregateView(A, 12),
      snapshotFailure: { version: 12, at: '2026-01-01T00:00:00.000Z', message },
    }
    renderWithQueries(<AggregateHeader aggregateId={A} view={view} latestVersion={12} />, { api })

    const badge = await screen.findByRole('status', {
      name: `Snapshots fail for this aggregate: v12: ${message}`,
    })
    expect(badge.textContent).toBe('⚠ snapshots fail')
  })

  it('a time that cannot be read says unknown, not a date', async () => {
    const view = {
      ...aggregateView(A, 3),
      createdOn: null,
      lastModified: '2026-01-01T00:00:00.000Z',
    }
    renderWithQueries(<AggregateHeader aggregateId={A} view={view} latestVersion={3} />, { api })
    const created = (await screen.findByText('Created')).nextElementSibling!
    expect(created.textContent).toBe('unknown')
    const modified = screen.getByText('Last modified').nextElementSibling!
    expect(modified.textContent).toBe('2026-01-01 00:00:00 UTC')
  })
})
