// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { useState } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { SegmentedRadioGroup } from './SegmentedRadioGroup'

afterEach(cleanup)

const ZONES = [
  { value: 'local', label: 'Local' },
  { value: 'utc', label: 'UTC' },
] as const

function Zones() {
  const [zone, setZone] = useState<'local' | 'utc'>('local')
  return <SegmentedRadioGroup label="Time zone" options={ZONES} value={zone} onChange={setZone} />
}

describe('SegmentedRadioGroup', () => {
  it('is one tab stop, the checked radio; arrows move the choice and the focus, wrapping', () => {
    render(<Zones />)
    const local = screen.getByRole('radio', { name: 'Local' })
    const utc = screen.getByRole('radio', { name: 'UTC' })
    expect(local.tabIndex).toBe(0)
    expect(utc.tabIndex).toBe(-1)

    local.focus()
    fireEvent.keyDown(local, { key: 'ArrowRight' })
    expect(utc.getAttribute('aria-checked')).toBe('true')
    expect(local.getAttribute('aria-checked')).toBe('false')
    expect(document.activeElement).toBe(utc)
    expect([local.tabIndex, utc.tabIndex]).toEqual([-1, 0])

    fireEvent.keyDown(utc, { key: 'ArrowRight' })
    expect(document.activeElement).toBe(local)
    expect(local.getAttribute('aria-checked')).toBe('true')

    fireEvent.keyDown(local, { key: 'End' })
    expect(document.activeElement).toBe(utc)
    fireEvent.keyDown(utc, { key: 'Home' })
    expect(document.activeElement).toBe(local)
    fireEvent.keyDown(local, { key: 'ArrowUp' })
    expect(utc.getAttribute('aria-checked')).toBe('true')
  })
})
