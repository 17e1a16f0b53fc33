// @vitest-environment jsdom
import { renderWithQueries } from '../../testing/render'
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useAggregateListStore } from '../../stores/aggregateListStore'
import { aggregateView, createFakeApi, uuid, widgetType, type FakeApi } from '../../testing/fakeApi'
import { AggregateHeader } from './AggregateHeader'
import { NoDefinitionNote } from './NoDefinitionNote'

const A = uuid(3)

let api: FakeApi

beforeEach(() => {
  api = createFakeApi()
  useAggregateListStore.getState().reset()
  api.listAggregateTypes.mockResolvedValue([widgetType()])
})
afterEach(() => {
  cleanup()
})

describe('registered and unregistered types', () => {
  it('the header shows a registered type by its display name', async () => {
    renderWithQueries(
      <AggregateHeader aggregateId={A} view={aggregateView(A, 2)} latestVersion={2} />,
      { api },
    )
    expect(await screen.findByText('Widget')).toBeTruthy()
    expect(screen.queryByText('no definition')).toBeNull()
  })

  it('the header shows an unregistered topic with a marker', async () => {
    renderWithQueries(
      <AggregateHeader
        aggregateId={A}
        view={{ ...aggregateView(A, 2), type: 'gone#Thing' }}
        latestVersion={2}
      />,
      { api },
    )
    expect(await screen.findByText('no definition')).toBeTruthy()
    expect(screen.getByText('gone#Thing')).toBeTruthy()
  })

  it('the header shows a raw topic as written, not in the eyebrow’s capitals', async () => {
    renderWithQueries(
      <AggregateHeader
        aggregateId={A}
        view={{ ...aggregateView(A, 2), type: '__main__:Warehouse' }}
        latestVersion={2}
      />,
      { api },
    )
    await screen.findByText('no definition')
    const topic = screen.getByText('__main__:Warehouse')
    expect(getComputedStyle(topic).textTransform).toBe('none')
  })

  it('the State tab says where the state came from without a definition', () => {
    const view = { ...aggregateView(A, 9), definitionLoaded: false }
    const { rerender } = render(<NoDefinitionNote view={{ ...view, loadedFromSnapshot: 8 }} />)
    expect(screen.getByRole('note').textContent).toBe(
      'No definition loaded: state from snapshots only — the snapshot at version 8; the events after it cannot be applied.',
    )
    rerender(<NoDefinitionNote view={{ ...view, state: null }} />)
    expect(screen.getByRole('note').textContent).toBe(
      'No definition loaded: state from snapshots only — no snapshot: state unknown.',
    )
  })
})
