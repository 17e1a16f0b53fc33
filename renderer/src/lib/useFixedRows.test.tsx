// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react'
import { useRef } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { useFixedRows, type FixedRows } from './useFixedRows'

afterEach(cleanup)

const ROW = 20

/** jsdom lays nothing out: the element's view height is set by hand. */
function sized(element: HTMLElement, height: number): void {
  Object.defineProperty(element, 'clientHeight', { configurable: true, value: height })
}

let latest: FixedRows | undefined

function List({ count, viewHeight }: { count: number; viewHeight: number }) {
  const scrollRef = useRef<HTMLDivElement | null>(null)
  const shown = useFixedRows({ count, rowHeight: ROW, overscan: 2, scrollRef })
  latest = shown
  return (
    <div
      ref={(element) => {
        scrollRef.current = element
        if (element) sized(element, viewHeight)
      }}
      role="list"
      aria-label="rows"
    >
      {shown.rows.map((row) => (
        <div key={row.key} role="listitem">
          {row.index}@{row.start}
        </div>
      ))}
    </div>
  )
}

const shownTexts = () => screen.getAllByRole('listitem').map((item) => item.textContent)

function scrollTo(top: number): void {
  const element = screen.getByRole('list')
  act(() => {
    element.scrollTop = top
    element.dispatchEvent(new Event('scroll'))
  })
}

describe('useFixedRows', () => {
  it('renders the rows in view and the overscan, at their offsets, whatever the count', () => {
    render(<List count={100_000} viewHeight={100} />)
    // 100 px of 20 px rows: rows 0–4, and 2 more below.
    expect(shownTexts()).toEqual(['0@0', '1@20', '2@40', '3@60', '4@80', '5@100', '6@120'])
    expect(latest!.totalSize).toBe(2_000_000)

    scrollTo(1_000_010) // row 50,000 half out of view at the top
    expect(shownTexts()).toEqual(
      [49_998, 49_999, 50_000, 50_001, 50_002, 50_003, 50_004, 50_005, 50_006, 50_007].map(
        (i) => `${i}@${i * ROW}`,
      ),
    )
  })

  it('stops at the last row, and shows nothing for no rows', () => {
    const { rerender } = render(<List count={3} viewHeight={100} />)
    expect(shownTexts()).toEqual(['0@0', '1@20', '2@40'])
    rerender(<List count={0} viewHeight={100} />)
    expect(screen.queryAllByRole('listitem')).toEqual([])
  })

  it('scrolls as little as needed to show a row, and not at all when it shows', () => {
    render(<List count={1_000} viewHeight={100} />)
    const element = screen.getByRole('list')
    act(() => latest!.scrollToIndex(3))
    expect(element.scrollTop).toBe(0)
    act(() => latest!.scrollToIndex(10)) // below: its bottom at the view's bottom
    expect(element.scrollTop).toBe(11 * ROW - 100)
    expect(shownTexts()[0]).toBe('4@80') // row 6 is the first in view, 2 before it
    act(() => latest!.scrollToIndex(999))
    expect(element.scrollTop).toBe(1_000 * ROW - 100)
    act(() => latest!.scrollToIndex(2)) // above: its top at the view's top
    expect(element.scrollTop).toBe(2 * ROW)
  })
})
