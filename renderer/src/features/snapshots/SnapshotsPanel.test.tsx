// @vitest-environment jsdom
/**
 * The Snapshots panel over a large snapshot (issue 10): the listing sends each state cut, and
 * opening one pages the rest of the stored snapshot's state (getStateChildren `snapshot: true`).
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

describe('SnapshotsPanel', () => {
  it("opens a listed snapshot's cut state and asks for the rest of the stored snapshot", async () => {
    const api = createFakeApi()
    const { state, omitted, shortened } = pageState(whole)
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

    fireEvent.click(await screen.findByRole('button', { name: 'Open (snapshot v99)' }))
    // The container reads its real size, not the part the listing sent.
    fireEvent.click(screen.getByRole('treeitem', { name: /^examples : \{ 300 keys \}$/ }))
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
})
