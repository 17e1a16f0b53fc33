/**
 * A virtualised listbox of aggregates. Only the rows on screen exist in the DOM. The loaded
 * rows are one stretch read from the start or (after End) from the end; nearing its edge
 * fetches the page beyond it. Unfiltered, the scrollbar is the whole list's: positions not yet
 * loaded are placeholder rows (see listWindow.ts for what loads them).
 * Keyboard: ↑/↓, PageUp/PageDown, Home/End (with or without Ctrl) move the selection
 * (selection follows focus); onto a row not loaded yet, it follows once the row arrives.
 */
import { useId, useRef, type CSSProperties } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { AggregateSummary } from '../../../../shared/contract'
import { explainError } from '../../ui/errors'
import { formatDateTime, formatShort } from '../../lib/format'
import { describeTopic, useAggregateList, useAggregateTypes } from '../../queries/aggregates'
import { useAggregateListStore } from '../../stores/aggregateListStore'
import { useSelectionStore } from '../../stores/selectionStore'
import { usePythonStore } from '../../stores/useWriteBlock'
import type { TimeZoneMode } from '../../lib/format'
import { revealInvisible, visible } from '../../ui/VisibleText'
import { useFixedRows } from '../../lib/useFixedRows'
import { listWindow, withinReach } from './listWindow'
import { useListPaging } from './useListPaging'

export const AGGREGATE_ROW_HEIGHT = 60

export function AggregateList() {
  const listId = useId()
  const list = useAggregateList()
  // A Python store is only read: nothing here can fill it.
  const python = usePythonStore()
  const { items, total, anchor, filtered, hasBefore, hasAfter, error, loaded } = list
  const { refresh } = list
  const { selectedId, select, timezone } = useSelectionStore(
    useShallow((s) => ({ selectedId: s.aggregateId, select: s.select, timezone: s.timezone })),
  )
  const setAnchor = useAggregateListStore((s) => s.setAnchor)
  const { types, typesLoaded } = useAggregateTypes()
  const scrollRef = useRef<HTMLDivElement>(null)

  const input = { loaded: items.length, total, anchor, filtered, hasBefore, hasAfter }
  const win = { ...input, ...listWindow(input) }
  const { offset, count, setSize, positioned } = win
  const itemAt = (index: number) => items[index - offset]
  // Rows of one height, keyed by position: the window is arithmetic, whatever the count.
  const shownRows = useFixedRows({
    count,
    rowHeight: AGGREGATE_ROW_HEIGHT,
    overscan: 8,
    scrollRef,
  })
  const virtualItems = shownRows.rows

  const { onKeyDown, selectedIndex, pending } = useListPaging({
    list,
    win,
    shownRows,
    scrollRef,
    rowHeight: AGGREGATE_ROW_HEIGHT,
    selectedId,
    select,
    setAnchor,
  })

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
            : python
              ? 'The Python application has stored no aggregates here yet.'
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
      <div className="virtual-canvas" style={{ height: shownRows.totalSize }}>
        {virtualItems.map((row) => {
          const item = itemAt(row.index)
          const style = { transform: `translateY(${row.start}px)`, height: row.size }
          if (!item)
            return (
              <PlaceholderRow
                key={row.key}
                style={style}
                error={error !== null}
                reachable={withinReach(row.index, win)}
              />
            )
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
        {item.lastModified === null ? (
          <span
            className="aggregate-time muted"
            title="Last modified: unknown (its events cannot be read, e.g. without their cipher key)"
          >
            <span aria-hidden="true">—</span>
            <span className="visually-hidden">last modified unknown</span>
          </span>
        ) : (
          <time
            className="aggregate-time"
            dateTime={item.lastModified}
            title={`Last modified ${formatDateTime(item.lastModified, timezone)}`}
          >
            {formatShort(item.lastModified, timezone)}
          </time>
        )}
      </div>
    </div>
  )
}

/** A position not loaded yet: loading, failed, or too far from the loaded rows to page to. */
function PlaceholderRow(props: { style: CSSProperties; error: boolean; reachable: boolean }) {
  return (
    <div className="virtual-row list-loader" style={props.style} aria-hidden="true">
      {props.error ? (
        <span className="muted">Could not load more.</span>
      ) : props.reachable ? (
        <span className="spinner" />
      ) : (
        <span className="muted">Not loaded: Home, End or an id prefix get there.</span>
      )}
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
