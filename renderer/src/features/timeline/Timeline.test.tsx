// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useSelectionStore } from '../../stores/selectionStore'
import { createFakeApi, eventDto, uuid, type FakeApi } from '../../testing/fakeApi'
import { renderWithQueries } from '../../testing/render'
import { historyLength, Timeline } from './Timeline'

const A = uuid(7)
let api: FakeApi

beforeEach(() => {
  api = createFakeApi()
  useSelectionStore.getState().reset()
  useSelectionStore.getState().select(A)
  api.listSnapshotVersions.mockResolvedValue({ versions: [] })
})
afterEach(() => {
  cleanup()
})

/** The service's answer for a history of versions first…latest, as the store reports it. */
function history(first: number, latest: number) {
  api.listEvents.mockImplementation(async ({ fromVersion = 0, limit = 200 }) => {
    const from = Math.max(first, fromVersion)
    const to = Math.min(latest, from + limit - 1)
    const items = Array.from({ length: Math.max(0, to - from + 1) }, (_, i) =>
      eventDto(A, from + i),
    )
    return { items, latestVersion: latest, firstVersion: first, scanned: items.length }
  })
}

describe('the timeline count', () => {
  it('counts a history from the first version the store reports: 7 events from v1 to v7', async () => {
    // Python eventsourcing's versions start at 1: v1…v7 is 7 events, not 8.
    history(1, 7)
    renderWithQueries(<Timeline aggregateId={A} />, { api })
    expect(await screen.findByText('7 events')).toBeTruthy()
    // One row per event, plus the header row.
    expect(screen.getByRole('table', { name: 'Events' }).getAttribute('aria-rowcount')).toBe('8')
  })

  it('counts our own histories from v0: v0…v4 is 5 events, and a single event is "1 event"', async () => {
    history(0, 4)
    renderWithQueries(<Timeline aggregateId={A} />, { api })
    expect(await screen.findByText('5 events')).toBeTruthy()
    cleanup()
    history(1, 1)
    renderWithQueries(<Timeline aggregateId={uuid(8)} />, { api })
    expect(await screen.findByText('1 event')).toBeTruthy()
  })

  it('historyLength: latest − first + 1, never negative', () => {
    expect(historyLength({ firstVersion: 1, latestVersion: 7 })).toBe(7)
    expect(historyLength({ firstVersion: 0, latestVersion: 7 })).toBe(8)
    expect(historyLength({ firstVersion: 0, latestVersion: -1 })).toBe(0)
  })
})
