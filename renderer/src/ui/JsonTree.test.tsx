// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { useSelectionStore } from '../stores/selectionStore'
import { JsonTree } from './JsonTree'

afterEach(() => {
  cleanup()
  useSelectionStore.getState().setTimezone('local')
})

describe('JsonTree dates', () => {
  it('shows an ISO instant (a Date value) per the Local/UTC choice, the raw value in its title', () => {
    useSelectionStore.getState().setTimezone('utc')
    render(<JsonTree label="State" value={{ at: '2026-11-26T15:00:02.045Z', name: 'x' }} />)
    const time = screen.getByText('2026-11-26 15:00:02 UTC')
    expect(time.tagName).toBe('TIME')
    expect(time.getAttribute('dateTime')).toBe('2026-11-26T15:00:02.045Z')
    // Other strings stay JSON strings.
    expect(screen.getByText('"x"')).toBeTruthy()

    act(() => useSelectionStore.getState().setTimezone('local'))
    expect(screen.queryByText('2026-11-26 15:00:02 UTC')).toBeNull()
    expect(screen.getByText(/^2026-11-26 \d\d:\d\d:02$/)).toBeTruthy()
  })
})
