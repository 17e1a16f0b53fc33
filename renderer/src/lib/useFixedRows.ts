/**
 * Windowing for a scrolling list whose rows all have one height: which rows to render, where,
 * and how to bring one into view, by arithmetic on the scroll offset. TanStack Virtual (still
 * used where rows are measured, as in the timeline) lays out every position up front, a loop
 * over all of them whenever the count changes: for the aggregate list's 100,000 positions that
 * was 6–22 ms on the page's main thread before the first row could show (Chromium CPU profiles
 * of page loads, issue 10). Here the work is the rows on screen, whatever the count.
 */
import { useCallback, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react'

export interface FixedRow {
  readonly index: number
  /** Rows are keyed by position. */
  readonly key: number
  /** Offset from the top of the list's canvas, px. */
  readonly start: number
  readonly size: number
}

export interface FixedRows {
  /** The rows on screen and `overscan` more on either side, in order. */
  readonly rows: readonly FixedRow[]
  /** The canvas's height: every position's. */
  readonly totalSize: number
  /** Scrolls as little as needed to show the whole row (none if it shows already). */
  scrollToIndex(index: number): void
}

interface Range {
  readonly first: number
  readonly last: number
}

function rangeOf(
  top: number,
  viewHeight: number,
  count: number,
  rowHeight: number,
  overscan: number,
): Range {
  if (count === 0) return { first: 0, last: -1 }
  const firstShown = Math.min(count - 1, Math.max(0, Math.floor(top / rowHeight)))
  const lastShown = Math.min(
    count - 1,
    Math.max(firstShown, Math.ceil((top + viewHeight) / rowHeight) - 1),
  )
  return {
    first: Math.max(0, firstShown - overscan),
    last: Math.min(count - 1, lastShown + overscan),
  }
}

export function useFixedRows(opts: {
  count: number
  rowHeight: number
  overscan: number
  scrollRef: RefObject<HTMLElement | null>
}): FixedRows {
  const { count, rowHeight, overscan, scrollRef } = opts
  // Until the element is read (before its first layout effect, or in jsdom): no height, so the
  // first `overscan` rows.
  const [view, setView] = useState({ top: 0, height: 0 })
  const read = useCallback(() => {
    const element = scrollRef.current
    if (!element) return
    const top = element.scrollTop
    const height = element.clientHeight
    setView((was) => (was.top === top && was.height === height ? was : { top, height }))
  }, [scrollRef])

  // The element may come and go (the list shows a message instead while empty): follow the one
  // there after each render, before it is painted.
  const watched = useRef<{ element: HTMLElement; stop(): void } | null>(null)
  useLayoutEffect(() => {
    const element = scrollRef.current
    if (watched.current?.element === element) return
    watched.current?.stop()
    watched.current = null
    if (!element) return
    element.addEventListener('scroll', read, { passive: true })
    const resize = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(read)
    resize?.observe(element)
    watched.current = {
      element,
      stop: () => {
        element.removeEventListener('scroll', read)
        resize?.disconnect()
      },
    }
    read()
  })
  useLayoutEffect(
    () => () => {
      watched.current?.stop()
      watched.current = null
    },
    [],
  )

  const { first, last } = rangeOf(view.top, view.height, count, rowHeight, overscan)
  const rows = useMemo(() => {
    const out: FixedRow[] = []
    for (let index = first; index <= last; index++)
      out.push({ index, key: index, start: index * rowHeight, size: rowHeight })
    return out
  }, [first, last, rowHeight])

  const scrollToIndex = useCallback(
    (index: number) => {
      const element = scrollRef.current
      if (!element || index < 0) return
      const top = index * rowHeight
      const bottom = top + rowHeight
      if (top < element.scrollTop) element.scrollTop = top
      else if (bottom > element.scrollTop + element.clientHeight)
        element.scrollTop = bottom - element.clientHeight
      else return
      // The scroll event follows; reading now renders the rows there without waiting for it.
      read()
    },
    [scrollRef, rowHeight, read],
  )

  const totalSize = count * rowHeight
  // One object while nothing changes: callers list it among their effects' dependencies.
  return useMemo(() => ({ rows, totalSize, scrollToIndex }), [rows, totalSize, scrollToIndex])
}
