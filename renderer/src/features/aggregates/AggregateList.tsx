/**
 * A virtualised listbox of aggregates. Only the rows on screen exist in the DOM. The loaded
 * rows are one stretch read from the start or (after End) from the end; nearing its edge
 * fetches the page beyond it. Unfiltered, the scrollbar is the whole list's: positions not yet
 * loaded are placeholder rows (see listWindow.ts for what loads them).
 * Keyboard: ↑/↓, PageUp/PageDown, Home/End (with or without Ctrl) move the selection
 * (selection follows focus); onto a row not loaded yet, it follows once the row arrives.
 */
import { useVirtualizer } from '@tanstack/react-virtual'
import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
} from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { AggregateSummary } from '../../../../shared/contract'
import { explainError } from '../../ui/errors'
import { formatDateTime, formatShort } from '../../lib/format'
import { describeTopic, useAggregateList, useAggregateTypes } from '../../queries/aggregates'
import { useAggregateListStore } from '../../stores/aggregateListStore'
import { useSelectionStore } from '../../stores/selectionStore'
import type { TimeZoneMode } from '../../lib/format'
import { revealInvisible, visible } from '../../ui/VisibleText'
import { keyTarget, listWindow, pagingAction, withinReach } from './listWindow'

export const AGGREGATE_ROW_HEIGHT = 60

/** A selection waiting for its row to load: the first, the last, or a position. */
type Pending = 'first' | 'last' | number | null

export function AggregateList() {
  const listId = useId()
  const list = useAggregateList()
  const { items, total, anchor, filtered, hasBefore, hasAfter, loading, error, loaded } = list
  const { loadMore, loadPrevious, refresh } = list
  const { selectedId, select, timezone } = useSelectionStore(
    useShallow((s) => ({ selectedId: s.aggregateId, select: s.select, timezone: s.timezone })),
  )
  const setAnchor = useAggregateListStore((s) => s.setAnchor)
  const { types, typesLoaded } = useAggregateTypes()
  const scrollRef = useRef<HTMLDivElement>(null)
  const [pending, setPending] = useState<Pending>(null)

  const input = { loaded: items.length, total, anchor, filtered, hasBefore, hasAfter }
  const win = { ...input, ...listWindow(input) }
  const { offset, count, setSize, positioned } = win
  const itemAt = (index: number) => items[index - offset]
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => AGGREGATE_ROW_HEIGHT,
    overscan: 8,
    getItemKey: (index) => itemAt(index)?.id ?? `placeholder-${index}`,
  })
  const virtualItems = virtualizer.getVirtualItems()
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

  // Rows put in before the ones on screen (a filtered list's earlier page) would push them
  // down: scroll by as much, so what the user looks at stays put.
  const firstShown = useRef<{ id: string; index: number; anchor: string } | null>(null)
  useLayoutEffect(() => {
    const was = firstShown.current
    const head = items[0]
    firstShown.current = head ? { id: head.id, index: offset, anchor } : null
    if (!was || was.anchor !== anchor || !scrollRef.current) return
    const at = items.findIndex((a) => a.id === was.id)
    if (at >= 0 && offset + at !== was.index)
      scrollRef.current.scrollTop += (offset + at - was.index) * AGGREGATE_ROW_HEIGHT
  }, [items, offset, anchor])

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
    virtualizer.scrollToIndex(index, { align: 'auto' })
  }, [pending, list.previous, anchor, offset, hasAfter, items, select, virtualizer])

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (items.length === 0) return
    const go = (index: number) => {
      event.preventDefault()
      const target = itemAt(index)
      virtualizer.scrollToIndex(index, { align: 'auto' })
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
      // Unfiltered, the position is known: show its placeholders while the page comes.
      if (!filtered) virtualizer.scrollToIndex(toEnd ? count - 1 : 0, { align: 'auto' })
      return
    }
    const page = Math.max(
      1,
      Math.floor((scrollRef.current?.clientHeight ?? 600) / AGGREGATE_ROW_HEIGHT) - 1,
    )
    const from = selectedIndex >= 0 ? selectedIndex : offset - 1
    let to = keyTarget(event.key, from, count, page)
    if (to === undefined) return
    // A filtered list's loader rows are no positions: stay on loaded rows, paging follows.
    if (filtered) to = Math.max(offset, Math.min(offset + items.length - 1, to))
    go(to)
  }

  if (!loaded) {
    return (
      <div className="aggregate-list" aria-busy="true" aria-label="Loading aggregates">
        {Array.from({ length: 10 }, (_, i) => (
          <SkeletonRow key={i} />
        ))}
      </div>
    )
  }

  if (error && items.length === 0) {
    return (
      <div className="aggregate-list list-message" role="alert">
        <strong>{explainError(error)}</strong>
        <p className="muted">{error.message}</p>
        <button type="button" className="btn" onClick={refresh}>
          Retry
        </button>
      </div>
    )
  }

  if (items.length === 0) {
    return (
      <div className="aggregate-list list-message">
        {/* An empty store has no filters to blame: say so, and how to fill it. */}
        <strong>{filtered ? 'No aggregates match' : 'No aggregates yet'}</strong>
        <p className="muted">
          {filtered
            ? 'Nothing matches these filters: change or clear them.'
            : 'This store is empty. Create one with “New aggregate”, or seed demo data.'}
        </p>
      </div>
    )
  }

  return (
    <div
      ref={scrollRef}
      className="aggregate-list"
      role="listbox"
      aria-label="Aggregates"
      aria-busy={list.previous || pending !== null || undefined}
      tabIndex={0}
      aria-activedescendant={selectedIndex >= 0 ? `${listId}-${selectedIndex}` : undefined}
      onKeyDown={onKeyDown}
    >
      <div className="virtual-canvas" style={{ height: virtualizer.getTotalSize() }}>
        {virtualItems.map((row) => {
          const item = itemAt(row.index)
          const style = { transform: `translateY(${row.start}px)`, height: row.size }
          if (!item) {
            return (
              <div
                key={row.key}
                className="virtual-row list-loader"
                style={style}
                aria-hidden="true"
              >
                {error ? (
                  <span className="muted">Could not load more.</span>
                ) : withinReach(row.index, win) ? (
                  <span className="spinner" />
                ) : (
                  <span className="muted">Not loaded: Home, End or an id prefix get there.</span>
                )}
              </div>
            )
          }
          return (
            <AggregateOption
              key={row.key}
              id={`${listId}-${row.index}`}
              item={item}
              selected={item.id === selectedId}
              posinset={positioned ? row.index + 1 : undefined}
              setsize={setSize}
              timezone={timezone}
              typeName={describeTopic(types, typesLoaded, item.type)}
              style={style}
              onSelect={() => select(item.id)}
            />
          )
        })}
      </div>
    </div>
  )
}

function AggregateOption(props: {
  id: string
  item: AggregateSummary
  selected: boolean
  /** Unknown (a filtered list read from its end) leaves it out. */
  posinset: number | undefined
  setsize: number
  timezone: TimeZoneMode
  typeName: { name: string; unregistered: boolean }
  style: CSSProperties
  onSelect: () => void
}) {
  const { item, timezone } = props
  return (
    // The listbox has the focus and the keys (aria-activedescendant); a click is the pointer's way.
    // eslint-disable-next-line jsx-a11y-x/click-events-have-key-events, jsx-a11y-x/interactive-supports-focus
    <div
      id={props.id}
      role="option"
      aria-selected={props.selected}
      aria-posinset={props.posinset}
      aria-setsize={props.setsize}
      className={`virtual-row aggregate-row${props.selected ? ' is-selected' : ''}${item.discarded ? ' is-discarded' : ''}`}
      style={props.style}
      onClick={props.onSelect}
    >
      <div className="aggregate-row-main">
        <span className="mono aggregate-id truncate">{visible(item.id)}</span>
        <span className="version-pill">v{item.version}</span>
      </div>
      <div className="aggregate-row-meta">
        <span className="truncate" title={revealInvisible(item.type)}>
          {visible(props.typeName.name)}
        </span>
        {props.typeName.unregistered && <span className="badge badge-warn">no definition</span>}
        {item.discarded && <span className="badge badge-danger">discarded</span>}
        <time
          className="aggregate-time"
          dateTime={item.lastModified}
          title={`Last modified ${formatDateTime(item.lastModified, timezone)}`}
        >
          {formatShort(item.lastModified, timezone)}
        </time>
      </div>
    </div>
  )
}

function SkeletonRow() {
  return (
    <div className="aggregate-row skeleton-row" style={{ height: AGGREGATE_ROW_HEIGHT }}>
      <div className="aggregate-row-main">
        <span className="skeleton skeleton-text" style={{ width: '78%' }} />
        <span className="skeleton skeleton-text" style={{ width: '2.5rem' }} />
      </div>
      <div className="aggregate-row-meta">
        <span className="skeleton skeleton-text" style={{ width: '45%' }} />
      </div>
    </div>
  )
}
