/**
 * The event timeline: a virtualised table where row i is version i, fetched a page at a time
 * for the rows on screen (so 100,000 events cost what the viewport shows). A search or type
 * filter switches to the service's forward scan, appended as the user scrolls.
 */
import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useId, useMemo, useRef, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { explainError } from '../../ui/errors'
import { formatCount, type TimeZoneMode } from '../../lib/format'
import { useSelectionStore } from '../../stores/selectionStore'
import { EVENT_PAGE_SIZE, isFiltered, useTimelineStore } from '../../stores/timelineStore'
import { BrokenEventRow } from './BrokenEventRow'
import { EventRow, SkeletonEventRow, EVENT_ROW_HEIGHT } from './EventRow'
import { SearchIcon } from '../../ui/icons'
import { revealInvisible } from '../../ui/VisibleText'

const SEARCH_DEBOUNCE_MS = 250
const pageStart = (version: number) => Math.floor(version / EVENT_PAGE_SIZE) * EVENT_PAGE_SIZE

export function Timeline({ aggregateId }: { aggregateId: string }) {
  const ids = useId()
  const { t, actions, version, timezone, setVersionWithin } = useTimelineView(aggregateId)
  const [searchText, setSearchText] = useState(t.search)
  const scrollRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    const timer = setTimeout(() => actions.setSearch(searchText), SEARCH_DEBOUNCE_MS)
    return () => clearTimeout(timer)
  }, [searchText, actions])

  const filtered = isFiltered(t)
  const latest = t.latestVersion
  const current = version ?? latest
  // Snapshots within the loaded pages, and every one when there are few (the scrubber's).
  const snapshots = useMemo(
    () => new Set([...Object.values(t.snapshotsByPage).flat(), ...t.snapshotVersions]),
    [t.snapshotsByPage, t.snapshotVersions],
  )
  const count =
    !t.open || !t.known ? 0 : filtered ? t.filtered.length + (t.filteredDone ? 0 : 1) : latest + 1

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => EVENT_ROW_HEIGHT,
    overscan: 10,
    getItemKey: (index) => (filtered ? (t.filtered[index]?.version ?? `more-${index}`) : index),
  })
  const items = virtualizer.getVirtualItems()
  const first = items[0]?.index ?? 0
  const last = items.at(-1)?.index ?? -1

  useRowsOnScreen(t, actions, filtered, first, last)

  // Keep the current version in view as the scrubber moves.
  const currentIndex = filtered ? t.filtered.findIndex((e) => e.version === current) : current
  const hasRows = count > 0
  useEffect(() => {
    if (currentIndex >= 0 && currentIndex < count)
      virtualizer.scrollToIndex(currentIndex, { align: 'auto' })
    // Scroll when the version moves or the rows first arrive; not on every page that loads
    // (count) nor every render (the virtualizer is a new object each time).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [currentIndex, hasRows])

  const typeOptions =
    t.eventType && !t.seenTypes.includes(t.eventType) ? [...t.seenTypes, t.eventType] : t.seenTypes

  return (
    <div className="timeline">
      <div className="timeline-toolbar">
        <div className="search-field timeline-search">
          <label htmlFor={`${ids}-search`} className="visually-hidden">
            Search payloads
          </label>
          <SearchIcon />
          <input
            id={`${ids}-search`}
            className="input"
            type="search"
            placeholder="Search payloads"
            value={searchText}
            maxLength={200}
            onChange={(e) => setSearchText(e.target.value)}
            autoComplete="off"
          />
        </div>
        <label className="inline-field">
          <span className="inline-label">Type</span>
          <select
            className="select"
            value={t.eventType}
            onChange={(e) => actions.setEventType(e.target.value)}
            aria-label="Event type"
          >
            <option value="">All event types</option>
            {typeOptions.map((type) => (
              <option key={type} value={type}>
                {revealInvisible(type)}
              </option>
            ))}
          </select>
        </label>
        <span className="count timeline-count" aria-live="polite" aria-atomic="true">
          {countText(t, filtered)}
        </span>
      </div>

      {t.error && (
        <p className="alert alert-danger" role="alert">
          {explainError(t.error)} <span className="muted">{t.error.message}</span>
        </p>
      )}

      <div className="timeline-table" role="table" aria-label="Events" aria-rowcount={count + 1}>
        <div role="rowgroup" className="timeline-head">
          <div role="row" aria-rowindex={1} className="event-grid">
            <span role="columnheader">Version</span>
            <span role="columnheader">Type</span>
            <span role="columnheader">Time</span>
            <span role="columnheader">Payload</span>
            <span role="columnheader">
              <span className="visually-hidden">Actions</span>
            </span>
          </div>
        </div>
        <div role="rowgroup" ref={scrollRef} className="timeline-body">
          {!t.known ? (
            Array.from({ length: 8 }, (_, i) => <SkeletonEventRow key={i} />)
          ) : count === 0 ? (
            <div className="panel-message">
              <strong>{filtered ? 'No matching events' : 'No events'}</strong>
              {filtered && (
                <p className="muted">Nothing in the payloads matches this search and type.</p>
              )}
            </div>
          ) : (
            <div className="virtual-canvas" style={{ height: virtualizer.getTotalSize() }}>
              {items.map((row) => (
                <TimelineRow
                  key={row.key}
                  index={row.index}
                  start={row.start}
                  t={t}
                  filtered={filtered}
                  current={current}
                  snapshots={snapshots}
                  timezone={timezone}
                  measureRef={virtualizer.measureElement}
                  onToggleRaw={(v) => actions.toggleRaw(v)}
                  onSelect={(v) => setVersionWithin(v, latest)}
                />
              ))}
            </div>
          )}
        </div>
      </div>
    </div>
  )
}

/** What the timeline reads from its stores. */
function useTimelineView(aggregateId: string) {
  const t = useTimelineStore(
    useShallow((s) => ({
      open: s.aggregateId === aggregateId,
      latestVersion: s.latestVersion,
      known: s.known,
      search: s.search,
      eventType: s.eventType,
      byVersion: s.byVersion,
      pages: s.pages,
      breaks: s.breaks,
      filtered: s.filtered,
      filteredDone: s.filteredDone,
      filteredLoading: s.filteredLoading,
      filteredScanned: s.filteredScanned,
      error: s.error,
      rawOpen: s.rawOpen,
      raw: s.raw,
      snapshotsByPage: s.snapshotsByPage,
      snapshotVersions: s.snapshotVersions,
      seenTypes: s.seenTypes,
    })),
  )
  const actions = useTimelineStore(
    useShallow((s) => ({
      ensureRange: s.ensureRange,
      ensureSnapshotMarkers: s.ensureSnapshotMarkers,
      setSearch: s.setSearch,
      setEventType: s.setEventType,
      loadMoreFiltered: s.loadMoreFiltered,
      toggleRaw: s.toggleRaw,
    })),
  )
  const { version, timezone, setVersionWithin } = useSelectionStore(
    useShallow((s) => ({
      version: s.version,
      timezone: s.timezone,
      setVersionWithin: s.setVersionWithin,
    })),
  )
  return { t, actions, version, timezone, setVersionWithin }
}

type TimelineView = ReturnType<typeof useTimelineView>['t']
type TimelineActions = ReturnType<typeof useTimelineView>['actions']

/** Fetches what the rows from `first` to `last` need: their pages, or the next scan page. */
function useRowsOnScreen(
  t: TimelineView,
  actions: TimelineActions,
  filtered: boolean,
  first: number,
  last: number,
): void {
  useEffect(() => {
    if (!t.open || !t.known) return
    if (!filtered) actions.ensureRange(first, last)
    else if (!t.filteredDone && !t.filteredLoading && last >= t.filtered.length - 10)
      void actions.loadMoreFiltered()
  }, [
    t.open,
    t.known,
    filtered,
    first,
    last,
    t.filteredDone,
    t.filteredLoading,
    t.filtered.length,
    t.latestVersion,
    actions,
  ])

  // Filtered rows are scattered over many pages: ask for the markers of the ones on screen.
  useEffect(() => {
    if (!t.open || !filtered) return
    const versions = t.filtered.slice(first, last + 1).map((event) => event.version)
    if (versions.length > 0) actions.ensureSnapshotMarkers(versions)
  }, [t.open, filtered, first, last, t.filtered, actions])
}

function countText(t: TimelineView, filtered: boolean): string {
  if (!t.known) return ''
  const latest = t.latestVersion
  return filtered
    ? `${formatCount(t.filtered.length)} ${t.filtered.length === 1 ? 'match' : 'matches'}${t.filteredDone ? '' : '…'} · ${formatCount(t.filteredScanned)} scanned`
    : `${formatCount(latest + 1)} ${latest === 0 ? 'event' : 'events'}`
}

/** Row `index` of the table: its event, a placeholder while it loads, or where the history broke. */
function TimelineRow({
  index,
  start,
  t,
  filtered,
  current,
  snapshots,
  timezone,
  measureRef,
  onToggleRaw,
  onSelect,
}: {
  index: number
  start: number
  t: TimelineView
  filtered: boolean
  current: number
  snapshots: ReadonlySet<number>
  timezone: TimeZoneMode
  measureRef: (el: Element | null) => void
  onToggleRaw: (version: number) => void
  onSelect: (version: number) => void
}) {
  const event = filtered ? t.filtered[index] : t.byVersion[index]
  const style = { transform: `translateY(${start}px)` }
  const page = pageStart(index)
  const pageBreak = t.breaks[page]
  const failed = !filtered && !event && t.pages[page] === 'error'
  if (!filtered && !event && (failed || (pageBreak && index >= pageBreak.version))) {
    return (
      <BrokenEventRow
        index={index}
        version={index}
        measureRef={measureRef}
        style={style}
        brokenAt={pageBreak?.version ?? index}
        message={pageBreak?.message ?? t.error?.message ?? 'unknown error'}
        failed={failed}
      />
    )
  }
  if (!event) {
    return (
      <SkeletonEventRow
        index={index}
        measureRef={measureRef}
        style={style}
        label={filtered ? 'Searching…' : `Version ${index}, loading`}
      />
    )
  }
  return (
    <EventRow
      index={index}
      measureRef={measureRef}
      style={style}
      event={event}
      current={event.version === current}
      snapshot={snapshots.has(event.version)}
      rawOpen={!!t.rawOpen[event.version]}
      raw={t.raw[event.version]}
      timezone={timezone}
      onToggleRaw={() => onToggleRaw(event.version)}
      onSelect={() => onSelect(event.version)}
    />
  )
}
