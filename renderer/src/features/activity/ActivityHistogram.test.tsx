// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { formatDateTime } from '../../lib/format'
import { ActivityHistogram } from './ActivityHistogram'

afterEach(cleanup)

const BUCKETS = [
  { start: '2026-11-28T10:00:00.000Z', events: 1 },
  { start: '2026-11-28T10:01:00.000Z', events: 0 },
  { start: '2026-11-28T10:02:00.000Z', events: 4 },
  { start: '2026-11-28T10:03:00.000Z', events: 3 },
]

function renderChart() {
  return render(
    <ActivityHistogram buckets={BUCKETS} summary="Activity of the test: 8 events" timezone="utc" />,
  )
}

describe('ActivityHistogram', () => {
  it('is a picture named by its summary, one bar per bucket, scaled to the top tick', () => {
    const { container } = renderChart()
    expect(screen.getByRole('img', { name: 'Activity of the test: 8 events' })).toBeTruthy()
    const bars = container.querySelectorAll('.activity-histogram__bar')
    // Ticks 0, 2, 4: the busiest bucket (4) fills the plot, the empty one has no height.
    expect([...bars].map((bar) => bar.getAttribute('height'))).toEqual(['25%', '0%', '100%', '75%'])
  })

  it('a slider picks a bucket by keyboard and reads out its start and count', () => {
    renderChart()
    const slider = screen.getByRole('slider', { name: 'Time bucket' })
    const text = (i: number, count: string) =>
      `${formatDateTime(BUCKETS[i]!.start, 'utc')}: ${count}`
    // Starts at the newest bucket.
    expect(slider.getAttribute('aria-valuetext')).toBe(text(3, '3 events'))
    fireEvent.focus(slider)
    fireEvent.keyDown(slider, { key: 'Home' })
    expect(slider.getAttribute('aria-valuenow')).toBe('0')
    expect(slider.getAttribute('aria-valuetext')).toBe(text(0, '1 event'))
    fireEvent.keyDown(slider, { key: 'ArrowLeft' })
    expect(slider.getAttribute('aria-valuenow')).toBe('0')
    fireEvent.keyDown(slider, { key: 'ArrowRight' })
    expect(slider.getAttribute('aria-valuetext')).toBe(text(1, '0 events'))
    fireEvent.keyDown(slider, { key: 'PageUp' })
    expect(slider.getAttribute('aria-valuenow')).toBe('3')
    // The same reading for the eyes while the slider has the focus, and the bar stands out.
    expect(document.querySelector('.activity-histogram__readout')?.textContent).toBe(
      text(3, '3 events'),
    )
    expect(document.querySelectorAll('.activity-histogram__bar.is-inspected')).toHaveLength(1)
    fireEvent.blur(slider)
    expect(document.querySelector('.activity-histogram__readout')).toBeNull()
  })
})
