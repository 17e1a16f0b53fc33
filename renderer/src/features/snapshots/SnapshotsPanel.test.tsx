// @vitest-environment jsdom
/**
 * The Snapshots panel over large snapshots (issue 10): the list holds no states
 * (listSnapshotSummaries); opening one asks for that snapshot alone, its state cut, and pages the
 * rest of the stored snapshot's state (getStateChildren `snapshot: true`).
 */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { JsonValue } from '../../../../shared/contract'
import { childrenPage, pageState } from '../../../../shared/statePages'
import { createFakeApi } from '../../testing/fakeApi'
import { renderWithQueries } from '../../testing/render'
import { treeRow } from '../../testing/treeRows'
import { SnapshotsPanel } from './SnapshotsPanel'

const A = '00000000-0000-4000-8000-000000000001'

afterEach(cleanup)

const whole: JsonValue = {
  foo: 'bar',
  examples: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`e${i}`, i])),
}

const row = treeRow

const summary = (version: number, discarded = false) => ({
  originatorId: A,
  version,
  timestamp: '2026-01-01T00:00:00.000Z',
  type: 'example#ExampleAggregateRoot',
  discarded,
  storedBytes: 300 * 1024,
})

describe('SnapshotsPanel', () => {
  it("lists snapshots without their states, then opens one's cut state and pages the rest", async () => {
    const api = createFakeApi()
    const { state, omitted, shortened } = pageState(whole)
    api.listSnapshotSummaries.mockResolvedValue({ items: [summary(199), summary(99)] })
    api.listSnapshots.mockResolvedValue({
      items: [
        {
          originatorId: A,
          version: 99,
          timestamp: '2026-01-01T00:00:00.000Z',
          type: 'example#ExampleAggregateRoot',
          state,
          stateOmitted: omitted,
          stateShortened: shortened,
        },
      ],
    })
    api.getStateChildren.mockImplementation(async ({ path, offset, limit }) => {
      const page = childrenPage(whole, path, offset, limit ?? 100)
      if (!page) throw new Error('no container there')
      return page
    })
    renderWithQueries(<SnapshotsPanel aggregateId={A} />, { api })

    const open = await screen.findByRole('button', { name: 'Open (snapshot v99)' })
    expect(screen.getByRole('row', { name: /^v199 .* Saved state 300\.0 KiB/ })).toBeTruthy()
    expect(api.listSnapshots).not.toHaveBeenCalled()
    fireEvent.click(open)
    // The one snapshot, asked for when opened.
    await waitFor(() =>
      expect(api.listSnapshots).toHaveBeenCalledWith({
        id: A,
        afterVersion: 98,
        beforeVersion: 100,
        limit: 1,
      }),
    )
    // The container reads its real size, not the part the answer sent.
    fireEvent.click(await screen.findByRole('treeitem', { name: /^examples : \{ 300 keys \}$/ }))
    expect(row('e99: 99')).toBeTruthy()
    expect(() => row('e100: 100')).toThrow()
    fireEvent.click(row('Show 200 more of 200 hidden'))
    await waitFor(() => expect(row('e299: 299')).toBeTruthy(), { timeout: 2000 })
    expect(api.getStateChildren).toHaveBeenCalledWith({
      id: A,
      at: 99,
      path: ['examples'],
      offset: 100,
      limit: 500,
      snapshot: true,
    })
  })

  it('shows a discarded snapshot as such, in the list and opened', async () => {
    const api = createFakeApi()
    api.listSnapshotSummaries.mockResolvedValue({ items: [summary(0, true)] })
    api.listSnapshots.mockResolvedValue({
      items: [{ ...summary(0), state: null, stateOmitted: [], stateShortened: [] }].map(
        ({ discarded: _d, storedBytes: _b, ...snapshot }) => snapshot,
      ),
    })
    renderWithQueries(<SnapshotsPanel aggregateId={A} />, { api })

    expect(await screen.findByText('Discarded (state null)')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Open (snapshot v0)' }))
    expect(
      await screen.findByText(
        'Discarded (state null): the aggregate was discarded at this version.',
      ),
    ).toBeTruthy()
    // Version 0 has no version below it to start the range from.
    expect(api.listSnapshots).toHaveBeenCalledWith({ id: A, beforeVersion: 1, limit: 1 })
  })

  it('lists a record the server could not read with its problem, beside the others', async () => {
    const api = createFakeApi()
    const problem = `record ${A} v5 (eventsourcing#Snapshot): unknown state format 255`
    api.listSnapshotSummaries.mockResolvedValue({
      items: [
        summary(7),
        { ...summary(5), timestamp: null, type: null, storedBytes: 4, problem },
        summary(3),
      ],
    })
    renderWithQueries(<SnapshotsPanel aggregateId={A} />, { api })

    expect(
      await screen.findByRole('row', { name: /^v5 unknown Cannot be read: record .* 4 B/ }),
    ).toBeTruthy()
    expect(screen.getByText(`Cannot be read: ${problem}`)).toBeTruthy()
    expect(screen.getByRole('row', { name: /^v3 .* Saved state/ })).toBeTruthy()
  })

  it('says so when the opened snapshot cannot be read', async () => {
    const api = createFakeApi()
    api.listSnapshotSummaries.mockResolvedValue({ items: [summary(7)] })
    api.listSnapshots.mockResolvedValue({ items: [] })
    renderWithQueries(<SnapshotsPanel aggregateId={A} />, { api })

    fireEvent.click(await screen.findByRole('button', { name: 'Open (snapshot v7)' }))
    expect(await screen.findByText(/There is no snapshot at version 7 any more/)).toBeTruthy()
  })

  describe('given snapshots of the aggregate fail (the view says why)', () => {
    const failure = {
      version: 12,
      at: '2026-01-01T00:00:00.000Z',
      message:
        'cannot transcode an instance of unregistered class Forgotten; register it with a topic',
    }

    it('says why there is none, instead of waiting for a period to end', async () => {
      const api = createFakeApi()
      api.listSnapshotSummaries.mockResolvedValue({ items: [] })
      renderWithQueries(<SnapshotsPanel aggregateId={A} snapshotFailure={failure} />, { api })

      const status = await screen.findByRole('status')
      expect(status.textContent).toContain(
        `Snapshots fail for this aggregate: v12: ${failure.message}`,
      )
      expect(status.textContent).toContain('no load can start from a stored snapshot')
      expect(screen.queryByText(/No snapshots of this aggregate yet/)).toBeNull()
    })

    it('says it above the snapshots taken before', async () => {
      const api = createFakeApi()
      api.listSnapshotSummaries.mockResolvedValue({ items: [summary(9)] })
      renderWithQueries(<SnapshotsPanel aggregateId={A} snapshotFailure={failure} />, { api })

      expect(await screen.findByRole('row', { name: /^v9 / })).toBeTruthy()
      expect(screen.getByRole('status').textContent).toContain(
        'none can start from a snapshot newer than the last one taken',
      )
    })
  })
})
