/**
 * A virtualised listbox of aggregates. Only the rows on screen exist in the DOM; when the
 * user nears the end of what is loaded, the next page is fetched with nextPageToken.
 * Keyboard: ↑/↓, PageUp/PageDown, Home/End move the selection (selection follows focus).
 */
import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useId, useRef, type CSSProperties, type KeyboardEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { AggregateSummary } from '../../../../shared/contract'
import { explainError } from '../../ui/errors'
import { formatDateTime, formatShort } from '../../lib/format'
import { describeTopic, useAggregateList, useAggregateTypes } from '../../queries/aggregates'
import { useSelectionStore } from '../../stores/selectionStore'
import type { TimeZoneMode } from '../../lib/format'
import { revealInvisible, visible } from '../../ui/VisibleText'

export const AGGREGATE_ROW_HEIGHT = 60
const PREFETCH_ROWS = 20

export function AggregateList() {
  const listId = useId()
  const { items, total, filtered, hasMore, loading, error, loaded, loadMore, refresh } =
    useAggregateList()
  const { selectedId, select, timezone } = useSelectionStore(
    useShallow((s) => ({ selectedId: s.aggregateId, select: s.select, timezone: s.timezone })),
  )
  const { types, typesLoaded } = useAggregateTypes()
  const scrollRef = useRef<HTMLDivElement>(null)

  // `total` counts every aggregate, filters or not: a filtered list's size is unknown (-1)
  // until its last page has arrived.
  const setSize = !hasMore ? items.length : filtered ? -1 : Math.max(total, items.length)
  const count = items.length + (hasMore ? 1 : 0)
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => AGGREGATE_ROW_HEIGHT,
    overscan: 8,
    getItemKey: (index) => items[index]?.id ?? `loader-${index}`,
  })
  const virtualItems = virtualizer.getVirtualItems()
  const lastIndex = virtualItems.at(-1)?.index ?? -1

  useEffect(() => {
    if (hasMore && loading === null && !error && lastIndex >= items.length - PREFETCH_ROWS)
      loadMore()
  }, [hasMore, loading, error, lastIndex, items.length, loadMore])

  const selectedIndex = selectedId ? items.findIndex((a) => a.id === selectedId) : -1

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (items.length === 0) return
    const page = Math.max(
      1,
      Math.floor((scrollRef.current?.clientHeight ?? 600) / AGGREGATE_ROW_HEIGHT) - 1,
    )
    const to = keyTarget(event.key, selectedIndex, items.length, page)
    if (to === undefined) return
    event.preventDefault()
    const target = items[to]
    if (target) {
      select(target.id)
      virtualizer.scrollToIndex(to, { align: 'auto' })
    }
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
      tabIndex={0}
      aria-activedescendant={selectedIndex >= 0 ? `${listId}-${selectedIndex}` : undefined}
      onKeyDown={onKeyDown}
    >
      <div className="virtual-canvas" style={{ height: virtualizer.getTotalSize() }}>
        {virtualItems.map((row) => {
          const item = items[row.index]
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
                ) : (
                  <span className="spinner" />
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
              posinset={row.index + 1}
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

/** The row a navigation key moves the selection to, within the list; undefined for other keys. */
function keyTarget(key: string, from: number, length: number, page: number): number | undefined {
  let to: number
  switch (key) {
    case 'ArrowDown':
      to = from + 1
      break
    case 'ArrowUp':
      to = from <= 0 ? 0 : from - 1
      break
    case 'PageDown':
      to = from + page
      break
    case 'PageUp':
      to = from - page
      break
    case 'Home':
      to = 0
      break
    case 'End':
      to = length - 1
      break
    default:
      return undefined
  }
  return Math.max(0, Math.min(length - 1, to))
}

function AggregateOption(props: {
  id: string
  item: AggregateSummary
  selected: boolean
  posinset: number
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
