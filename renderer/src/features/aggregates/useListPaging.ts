/**
 * The aggregate list's paging and keys: asks for the pages the rows in view need (see
 * listWindow.ts), keeps rows put in before the view from pushing it, and moves the selection
 * with ↑/↓, PageUp/PageDown and Home/End (Ctrl or not). Home/End read the list from that end
 * when it is not loaded; a key onto a row not loaded yet selects it once it arrives.
 */
import {
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type RefObject,
} from 'react'
import type { AggregateList } from '../../queries/aggregates'
import type { FixedRows } from '../../lib/useFixedRows'
import type { ListAnchor } from '../../stores/aggregateListStore'
import { keyTarget, pagingAction, sized, type ListWindow, type WindowInput } from './listWindow'

/** A selection waiting for its row to load: the first, the last, or a position. */
type Pending = 'first' | 'last' | number | null

export function useListPaging(opts: {
  list: AggregateList
  win: ListWindow & WindowInput
  shownRows: FixedRows
  scrollRef: RefObject<HTMLDivElement | null>
  rowHeight: number
  selectedId: string | null
  select(id: string): void
  setAnchor(anchor: ListAnchor): void
}) {
  const { list, win, shownRows, scrollRef, rowHeight, selectedId, select, setAnchor } = opts
  const { items, anchor, hasBefore, hasAfter, loading, error } = list
  // Filtered or not counted yet: loader rows stand for the unloaded sides, not positions.
  const positions = sized(win)
  const { loadMore, loadPrevious } = list
  const { offset, count } = win
  const itemAt = (index: number) => items[index - offset]
  const [pending, setPending] = useState<Pending>(null)
  const { rows: virtualItems, scrollToIndex } = shownRows
  const first = virtualItems[0]?.index ?? 0
  const last = virtualItems.at(-1)?.index ?? -1

  const action =
    loading === null && !error && !list.previous && last >= 0
      ? pagingAction({ first, last }, win)
      : null
  useEffect(() => {
    if (action === 'next') loadMore()
    else if (action === 'previous') loadPrevious()
    else if (action === 'fromEnd') setAnchor('end')
    else if (action === 'fromStart') setAnchor('start')
  }, [action, loadMore, loadPrevious, setAnchor])

  // Rows put in before the ones on screen (a filtered list's earlier page, or aggregates changed
  // since, at the top of a list newest first) would push them down: scroll by as much, so what
  // the user looks at stays put. Not at the very top of the list: there the new rows are what
  // the user is looking for, and they stay in view.
  const firstShown = useRef<{ id: string; index: number; anchor: string } | null>(null)
  useLayoutEffect(() => {
    const was = firstShown.current
    const head = items[0]
    firstShown.current = head ? { id: head.id, index: offset, anchor } : null
    const scroller = scrollRef.current
    if (!was || was.anchor !== anchor || !scroller) return
    if (was.index === 0 && !hasBefore && scroller.scrollTop < rowHeight / 2) return
    const at = items.findIndex((a) => a.id === was.id)
    if (at >= 0 && offset + at !== was.index)
      scroller.scrollTop += (offset + at - was.index) * rowHeight
  }, [items, offset, anchor, hasBefore, scrollRef, rowHeight])

  const selectedAt = selectedId ? items.findIndex((a) => a.id === selectedId) : -1
  const selectedIndex = selectedAt >= 0 ? selectedAt + offset : -1

  // Home/End and keys onto placeholders select once the row has loaded.
  useEffect(() => {
    if (pending === null || list.previous) return
    let index = -1
    if (pending === 'first' && anchor === 'start' && offset === 0) index = 0
    else if (pending === 'last' && !hasAfter) index = offset + items.length - 1
    else if (typeof pending === 'number') index = pending
    const target = items[index - offset]
    if (!target) return
    setPending(null)
    select(target.id)
    scrollToIndex(index)
  }, [pending, list.previous, anchor, offset, hasAfter, items, select, scrollToIndex])

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (items.length === 0) return
    const go = (index: number) => {
      event.preventDefault()
      const target = itemAt(index)
      scrollToIndex(index)
      if (target) {
        setPending(null)
        select(target.id)
      } else setPending(index)
    }
    if (event.key === 'Home' || event.key === 'End') {
      const toEnd = event.key === 'End'
      // Loaded already: select it. Else read the list from that end (keyset: no jumping).
      if (toEnd ? !hasAfter : !hasBefore && offset === 0)
        return go(toEnd ? offset + items.length - 1 : 0)
      event.preventDefault()
      setPending(toEnd ? 'last' : 'first')
      setAnchor(toEnd ? 'end' : 'start')
      // The size known, so is the position: show its placeholders while the page comes.
      if (positions) scrollToIndex(toEnd ? count - 1 : 0)
      return
    }
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 600) / rowHeight) - 1)
    const from = selectedIndex >= 0 ? selectedIndex : offset - 1
    let to = keyTarget(event.key, from, count, page)
    if (to === undefined) return
    // Loader rows are no positions: stay on loaded rows, paging follows.
    if (!positions) to = Math.max(offset, Math.min(offset + items.length - 1, to))
    go(to)
  }

  return { onKeyDown, selectedIndex, pending }
}
