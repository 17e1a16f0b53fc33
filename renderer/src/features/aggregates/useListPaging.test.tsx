// @vitest-environment jsdom
import { renderHook } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import type { AggregateSummary } from '../../../../shared/contract'
import type { AggregateList } from '../../queries/aggregates'
import { summary } from '../../testing/fakeApi'
import { useListPaging } from './useListPaging'

const ROW = 30

/** The hook over a fully loaded list of `items`, newest first, scrolled to `scrollTop`. */
function renderPaging(items: AggregateSummary[], scrollTop: number) {
  const scroller = { scrollTop } as HTMLDivElement
  const props = (rows: AggregateSummary[]) => {
    const n = rows.length
    const list = {
      items: rows,
      total: n,
      anchor: 'start',
      hasBefore: false,
      hasAfter: false,
      loading: null,
      error: null,
      previous: false,
      loadMore: vi.fn(),
      loadPrevious: vi.fn(),
    } as unknown as AggregateList
    return {
      list,
      win: {
        offset: 0,
        count: n,
        setSize: n,
        positioned: true,
        loaded: n,
        total: n,
        anchor: 'start' as const,
        filtered: false,
        hasBefore: false,
        hasAfter: false,
      },
      shownRows: { rows: [], totalSize: n * ROW, scrollToIndex: vi.fn() },
      scrollRef: { current: scroller },
      rowHeight: ROW,
      selectedId: null,
      select: vi.fn(),
      setAnchor: vi.fn(),
    }
  }
  const hook = renderHook((rows: AggregateSummary[]) => useListPaging(props(rows)), {
    initialProps: items,
  })
  return { scroller, rerender: hook.rerender }
}

describe('aggregates changed since, put in at the top of a list newest first', () => {
  const [a, b, c, d] = [summary(1), summary(2), summary(3), summary(4)]

  it('at the very top: the new rows show there, the list does not scroll past them', () => {
    const { scroller, rerender } = renderPaging([b, c, d], 0)
    rerender([a, b, c, d])
    expect(scroller.scrollTop).toBe(0)
  })

  it('scrolled down: the list scrolls by as many rows, so the rows in view stay put', () => {
    const { scroller, rerender } = renderPaging([b, c, d], 2 * ROW)
    rerender([a, b, c, d])
    expect(scroller.scrollTop).toBe(3 * ROW)
  })
})
