/**
 * What the timeline shows, read through the queries in queries/timeline.ts: the pages of the
 * rows on screen (or the filtered scan), their snapshot markers, and the raw records opened.
 * Pushed changes reach it through the cache (serverEvents makes `['events', id]` stale).
 */
import { useInfiniteQuery, useQueries, useQuery } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import type { EventDto } from '../../../../shared/contract'
import { usePythonStore } from '../../stores/useWriteBlock'
import {
  BASE_TYPES,
  EVENT_PAGE_SIZE,
  eventInPage,
  eventPageOptions,
  eventScanOptions,
  mergeTypes,
  pageMarkersOptions,
  pageStart,
  rawRecordOptions,
  type EventPage,
  type PageBreak,
  type RawEntry,
} from '../../queries/timeline'
import { toUiError, type UiError } from '../../ui/errors'
import { useApi } from '../../service'

export interface TimelineData {
  /** -1 before the first answer (and for an aggregate with no events). */
  latestVersion: number
  /** The history's first version as the store reports it (0 ours, 1 Python's); rows start there. */
  firstVersion: number
  known: boolean
  filtered: EventDto[]
  filteredDone: boolean
  filteredLoading: boolean
  filteredScanned: number
  error: UiError | null
  snapshots: ReadonlySet<number>
  raw: Record<number, RawEntry>
  seenTypes: readonly string[]
  /** Unfiltered: the event at `version`, and whether its page failed or broke before it. */
  eventAt(version: number): EventDto | undefined
  pageFailed(version: number): boolean
  pageBreak(version: number): PageBreak | undefined
  loadMoreFiltered(): void
}

const NO_TYPES: readonly string[] = []

export function useTimelineData(
  id: string,
  filter: { search: string; eventType: string; on: boolean },
  /** The versions on screen (unfiltered), or the filtered rows' versions. */
  rows: { first: number; last: number; filteredVersions: number[] },
  rawOpen: number[],
): TimelineData {
  const api = useApi()
  // Page 0 is always asked for: its answer says how long the history is.
  const first = useQuery(eventPageOptions(api, id, 0))
  const scan = useInfiniteQuery({ ...eventScanOptions(api, id, filter), enabled: filter.on })
  const scanned = useMemo(() => scan.data?.pages ?? [], [scan.data])
  const latestFromScan = Math.max(-1, ...scanned.map((p) => p.latestVersion))
  const known = filter.on
    ? scan.data !== undefined || scan.isError
    : first.data !== undefined || first.isError
  const top = Math.max(first.data?.latestVersion ?? -1, latestFromScan)

  const starts: number[] = []
  if (!filter.on && known)
    for (
      let s = pageStart(Math.max(0, rows.first));
      s <= Math.min(rows.last, top);
      s += EVENT_PAGE_SIZE
    )
      starts.push(s)
  const pages = useQueries({ queries: starts.map((s) => eventPageOptions(api, id, s)) })
  const pageByStart = new Map<number, (typeof pages)[number]>()
  starts.forEach((s, i) => pageByStart.set(s, pages[i]!))
  const pageAt = (version: number) => {
    const start = pageStart(version)
    return start === 0 ? first : pageByStart.get(start)
  }
  const latestVersion = Math.max(top, ...pages.map((p) => p.data?.latestVersion ?? -1))
  const firstVersion =
    first.data?.firstVersion ?? pages.find((p) => p.data)?.data?.firstVersion ?? 0

  const markerStarts = filter.on ? [...new Set(rows.filteredVersions.map(pageStart))] : starts
  const markers = useQueries({ queries: markerStarts.map((s) => pageMarkersOptions(api, id, s)) })
  // The answers as one string: the set is rebuilt only when one of them changes.
  const markerKey = markers.map((m) => m.data?.join(',') ?? '').join(',')
  const snapshots = useMemo(
    () => new Set(markerKey.split(',').filter(Boolean).map(Number)),
    [markerKey],
  )

  const raws = useQueries({ queries: rawOpen.map((v) => rawRecordOptions(api, id, v)) })
  const raw: Record<number, RawEntry> = {}
  rawOpen.forEach((v, i) => {
    const q = raws[i]!
    raw[v] = q.data
      ? { status: 'ready', record: q.data }
      : q.error
        ? { status: 'error', error: toUiError(q.error) }
        : { status: 'loading' }
  })

  const filtered = useMemo(() => scanned.flatMap((p) => p.items), [scanned])
  const shownEvents = filter.on
    ? filtered
    : [first, ...pages].flatMap((p) => (p.data as EventPage | undefined)?.items ?? [])
  // Eventscope's base events mean nothing in a Python store: only the types seen are offered.
  // Started again when the connection's kind is known (it may come after the first render).
  const python = usePythonStore()
  const initialTypes = python ? NO_TYPES : BASE_TYPES
  const [seen, setSeen] = useState<{ id: string; python: boolean; types: readonly string[] }>({
    id,
    python,
    types: initialTypes,
  })
  const base = seen.id === id && seen.python === python ? seen.types : initialTypes
  const types = mergeTypes(base, shownEvents)
  if (types !== seen.types) setSeen({ id, python, types })

  const failedPage = [first, ...pages].find((p) => p.isError)
  const brokenPage = [first, ...pages].find((p) => p.data?.broken)
  const error =
    (filter.on && scan.error ? toUiError(scan.error) : null) ??
    (failedPage?.error ? toUiError(failedPage.error) : null) ??
    brokenPage?.data?.broken?.error ??
    null

  const { hasNextPage, isFetchingNextPage, fetchNextPage, isError: scanFailed } = scan
  return {
    latestVersion,
    firstVersion,
    known,
    filtered,
    // Stop at an error: the user retries by changing the filter, not by an endless loop.
    filteredDone: !hasNextPage || scanFailed,
    filteredLoading: scan.isFetching,
    filteredScanned: scanned.reduce((sum, p) => sum + p.scanned, 0),
    error,
    snapshots,
    raw,
    seenTypes: types,
    eventAt: (version) => eventInPage(pageAt(version)?.data, pageStart(version), version),
    pageFailed: (version) => pageAt(version)?.isError === true,
    pageBreak: (version) => pageAt(version)?.data?.broken,
    loadMoreFiltered: () => {
      if (hasNextPage && !isFetchingNextPage && !scanFailed) void fetchNextPage()
    },
  }
}
