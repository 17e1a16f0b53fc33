/**
 * The event timeline: a virtualised table where row i is version firstVersion + i (the store
 * says where its histories start: 0 in ours, 1 in Python eventsourcing's), fetched a page at a time
 * for the rows on screen (so 100,000 events cost what the viewport shows). A search or type
 * filter switches to the service's forward scan, appended as the user scrolls.
 */
import { useVirtualizer } from '@tanstack/react-virtual'
import { useCallback, useEffect, useId, useRef, useState, type Key } from 'react'
import type { EventDto } from '../../../../shared/contract'
import { useShallow } from 'zustand/react/shallow'
import { explainError } from '../../ui/errors'
import { formatCount, type TimeZoneMode } from '../../lib/format'
import { useSelectionStore } from '../../stores/selectionStore'
import { isFiltered, useTimelineFilterStore } from '../../stores/timelineFilterStore'
import { useTimelineData, type TimelineData } from './useTimelineData'
import { BrokenEventRow } from './BrokenEventRow'
import { EventRow, SkeletonEventRow, EVENT_ROW_HEIGHT } from './EventRow'
import { SearchIcon } from '../../ui/icons'
import { revealInvisible } from '../../ui/VisibleText'

const SEARCH_DEBOUNCE_MS = 250

export function Timeline({ aggregateId }: { aggregateId: string }) {
  const { search, eventType, setSearch, setEventType } = useTimelineFilterStore()
  const { version, timezone, setVersionWithin } = useSelectionStore(
    useShallow((s) => ({
      version: s.version,
      timezone: s.timezone,
      setVersionWithin: s.setVersionWithin,
    })),
  )
  const [searchText, setSearchText] = useState(search)
  const [rawOpen, setRawOpen] = useState<ReadonlySet<number>>(new Set())
  // The versions on screen last render: they decide which pages are asked for.
  const [rows, setRows] = useState({ first: 0, last: -1, filteredVersions: [] as number[] })
  const scrollRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    const timer = setTimeout(() => setSearch(searchText), SEARCH_DEBOUNCE_MS)
    return () => clearTimeout(timer)
  }, [searchText, setSearch])

  const filtered = isFiltered({ search, eventType })
  const t = useTimelineData(aggregateId, { search: search.trim(), eventType, on: filtered }, rows, [
    ...rawOpen,
  ])
  const latest = t.latestVersion
  const base = t.firstVersion
  const current = version ?? latest
  const count = !t.known
    ? 0
    : filtered
      ? t.filtered.length + (t.filteredDone ? 0 : 1)
      : historyLength(t)

  const getItemKey = useRowKey(filtered ? t.filtered : undefined)
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => EVENT_ROW_HEIGHT,
    overscan: 10,
    getItemKey,
  })
  const items = virtualizer.getVirtualItems()
  const first = items[0]?.index ?? 0
  const last = items.at(-1)?.index ?? -1
  const visibleKey = filtered
    ? t.filtered
        .slice(first, last + 1)
        .map((e) => e.version)
        .join(',')
    : ''
  useEffect(() => {
    setRows({
      first: first + base,
      last: last + base,
      filteredVersions: visibleKey === '' ? [] : visibleKey.split(',').map(Number),
    })
  }, [first, last, base, visibleKey])

  // The filtered scan goes on as its last rows come into view.
  const { loadMoreFiltered } = t
  useEffect(() => {
    if (filtered && t.known && !t.filteredDone && last >= t.filtered.length - 10) loadMoreFiltered()
  }, [filtered, t.known, t.filteredDone, last, t.filtered.length, loadMoreFiltered])

  const toggleRaw = (v: number) =>
    setRawOpen((open) => {
      const next = new Set(open)
      if (!next.delete(v)) next.add(v)
      return next
    })

  // Keep the current version in view as the scrubber moves.
  const currentIndex = filtered
    ? t.filtered.findIndex((e) => e.version === current)
    : current - base
  const hasRows = count > 0
  useEffect(() => {
    if (currentIndex >= 0 && currentIndex < count)
      virtualizer.scrollToIndex(currentIndex, { align: 'auto' })
    // Scroll when the version moves or the rows first arrive; not on every page that loads
    // (count) nor every render (the virtualizer is a new object each time).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [currentIndex, hasRows])

  const typeOptions =
    eventType && !t.seenTypes.includes(eventType) ? [...t.seenTypes, eventType] : t.seenTypes

  return (
    <div className="timeline">
      <TimelineToolbar
        searchText={searchText}
        onSearchText={setSearchText}
        eventType={eventType}
        onEventType={setEventType}
        typeOptions={typeOptions}
        countText={countText(t, filtered)}
      />

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
                  rawOpen={rawOpen}
                  timezone={timezone}
                  measureRef={virtualizer.measureElement}
                  onToggleRaw={toggleRaw}
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

/** Events in the unfiltered history: firstVersion…latestVersion, as the store reports them. */
export function historyLength(t: Pick<TimelineData, 'latestVersion' | 'firstVersion'>): number {
  return Math.max(0, t.latestVersion - t.firstVersion + 1)
}

function countText(t: TimelineData, filtered: boolean): string {
  if (!t.known) return ''
  const events = historyLength(t)
  return filtered
    ? `${formatCount(t.filtered.length)} ${t.filtered.length === 1 ? 'match' : 'matches'}${t.filteredDone ? '' : '…'} · ${formatCount(t.filteredScanned)} scanned`
    : `${formatCount(events)} ${events === 1 ? 'event' : 'events'}`
}

/** Row `index` of the table: its event, a placeholder while it loads, or where the history broke. */
function TimelineRow({
  index,
  start,
  t,
  filtered,
  current,
  rawOpen,
  timezone,
  measureRef,
  onToggleRaw,
  onSelect,
}: {
  index: number
  start: number
  t: TimelineData
  filtered: boolean
  current: number
  rawOpen: ReadonlySet<number>
  timezone: TimeZoneMode
  measureRef: (el: Element | null) => void
  onToggleRaw: (version: number) => void
  onSelect: (version: number) => void
}) {
  const version = t.firstVersion + index
  const event = filtered ? t.filtered[index] : t.eventAt(version)
  const style = { transform: `translateY(${start}px)` }
  const pageBreak = filtered ? undefined : t.pageBreak(version)
  const failed = !filtered && !event && t.pageFailed(version)
  if (!filtered && !event && (failed || (pageBreak && version >= pageBreak.version))) {
    return (
      <BrokenEventRow
        index={index}
        version={version}
        measureRef={measureRef}
        style={style}
        brokenAt={pageBreak?.version ?? version}
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
        label={filtered ? 'Searching…' : `Version ${version}, loading`}
      />
    )
  }
  // The row above decides whether the date is shown; the version before, whether the time
  // went backwards (in a filtered list the two differ).
  const above = index === 0 ? undefined : filtered ? t.filtered[index - 1] : t.eventAt(version - 1)
  const previousVersion =
    above?.version === event.version - 1 ? above : t.eventAt(event.version - 1)
  return (
    <EventRow
      index={index}
      measureRef={measureRef}
      style={style}
      event={event}
      above={above}
      previousVersion={previousVersion}
      current={event.version === current}
      snapshot={t.snapshots.has(event.version)}
      rawOpen={rawOpen.has(event.version)}
      raw={t.raw[event.version]}
      timezone={timezone}
      onToggleRaw={() => onToggleRaw(event.version)}
      onSelect={() => onSelect(event.version)}
    />
  )
}

/** The search box, the type filter and the count. */
function TimelineToolbar({
  searchText,
  onSearchText,
  eventType,
  onEventType,
  typeOptions,
  countText,
}: {
  searchText: string
  onSearchText: (text: string) => void
  eventType: string
  onEventType: (type: string) => void
  typeOptions: readonly string[]
  countText: string
}) {
  const ids = useId()
  return (
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
          onChange={(e) => onSearchText(e.target.value)}
          autoComplete="off"
        />
      </div>
      <label className="inline-field">
        <span className="inline-label">Type</span>
        <select
          className="select"
          value={eventType}
          onChange={(e) => onEventType(e.target.value)}
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
        {countText}
      </span>
    </div>
  )
}

/**
 * The rows' key function, one per filtered list: a new one each render had the virtualizer
 * re-measure every row, 100,000 for a long history, on every render (issue 10).
 */
function useRowKey(filteredEvents: readonly EventDto[] | undefined): (index: number) => Key {
  return useCallback(
    (index: number) =>
      filteredEvents ? (filteredEvents[index]?.version ?? `more-${index}`) : index,
    [filteredEvents],
  )
}
