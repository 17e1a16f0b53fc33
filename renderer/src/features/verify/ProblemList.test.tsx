// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { useSelectionStore } from '../../stores/selectionStore'
import { ProblemList } from './ProblemList'

afterEach(() => {
  cleanup()
})

const A = '0a1b2c3d-0000-4000-8000-000000000001'

describe('ProblemList', () => {
  it('opens an aggregate from its row; an id that is no aggregate id is shown as text', () => {
    useSelectionStore.getState().reset()
    render(
      <ProblemList
        label="Problems found"
        showAggregate
        problems={[
          { aggregateId: A, version: 3, kind: 'tampered', message: 'contents changed' },
          {
            aggregateId: '<img src=x onerror=alert(1)>\u202e',
            version: 0,
            kind: 'missing',
            message: 'version 0 is missing',
          },
        ]}
      />,
    )
    const rows = within(screen.getByRole('table', { name: 'Problems found' })).getAllByRole('row')
    fireEvent.click(within(rows[1]!).getByRole('button', { name: `Open aggregate ${A}` }))
    expect(useSelectionStore.getState().aggregateId).toBe(A)
    // No button to open what cannot be opened; the text as stored, its invisible mark shown.
    expect(within(rows[2]!).queryByRole('button')).toBeNull()
    expect(rows[2]!.textContent).toContain('<img src=x onerror=alert(1)>⟨U+202E⟩')
    expect(rows[2]!.textContent).toContain('(no aggregate id)')
  })
})
