/**
 * The selected aggregate's events, as queries. Unfiltered, row i is version firstVersion + i
 * (0 in our stores, 1 in Python eventsourcing's, as the store reports it), so pages of
 * EVENT_PAGE_SIZE (`['events', id, start]`) are fetched only for the rows on screen: 100,000
 * events cost what the viewport shows. With a search or type filter the service scans forward,
 * page after page via nextFromVersion (an infinite query under `['events', id, 'scan', …]`).
 * Raw stored records (`['raw', id, v]`) are fetched when opened and kept: they never change.
 * Snapshot markers are versions only (listSnapshotVersions), per page of rows, and for the
 * scrubber when there are few: never the snapshots' states.
 */
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query'
import type { EventDto, ExplorerApi, RawRecord } from '../../../shared/contract'
import { toUiError, type UiError } from '../ui/errors'
import { keys } from './keys'

export const EVENT_PAGE_SIZE = 200
/** The scrubber draws snapshot markers only up to this many (more would be a solid bar). */
export const MAX_SCRUBBER_MARKERS = 400
/** Event types every aggregate has, offered in the filter before any page has shown them. */
export const BASE_TYPES: readonly string[] = ['Created', 'AttributeChanged', 'Discarded']

export const pageStart = (version: number) =>
  Math.floor(version / EVENT_PAGE_SIZE) * EVENT_PAGE_SIZE

export type RawEntry =
  | { status: 'loading' }
  | { status: 'ready'; record: RawRecord }
  | { status: 'error'; error: UiError }

/** Where a page's history stops being verifiable, and why (the service's words). */
export interface PageBreak {
  version: number
  message: string
  error: UiError
}

export interface EventPage {
  /** Consecutive versions from the page's start (up to the break, for a broken page). */
  items: EventDto[]
  latestVersion: number
  /** The history's first version as the store reports it (0 here, 1 in Python stores). */
  firstVersion: number
  /** Set when the service refused the page at a version it could not verify. */
  broken?: PageBreak
}

/** The version a DataIntegrityError names, and the history's ends the service saw, if given. */
function integrityBreak(
  error: UiError,
): { version: number; latestVersion: number; firstVersion: number } | undefined {
  if (error.code !== 'DataIntegrityError') return undefined
  const details = error.details as
    { originatorVersion?: unknown; latestVersion?: unknown; firstVersion?: unknown } | undefined
  const version = details?.originatorVersion
  if (typeof version !== 'number') return undefined
  const latest = typeof details?.latestVersion === 'number' ? details.latestVersion : version
  // Not reported: the history is known to reach down to the bad version, no further.
  const first = typeof details?.firstVersion === 'number' ? details.firstVersion : version
  return { version, latestVersion: latest, firstVersion: Math.min(first, version) }
}

/**
 * One page of events. A page refused for integrity is an answer, not an error: the rows
 * before the bad version still verify on their own and are shown, the rest say where it broke.
 */
export async function fetchEventPage(
  api: ExplorerApi,
  id: string,
  start: number,
): Promise<EventPage> {
  try {
    const page = await api.listEvents({ id, fromVersion: start, limit: EVENT_PAGE_SIZE })
    return { items: page.items, latestVersion: page.latestVersion, firstVersion: page.firstVersion }
  } catch (error) {
    const uiError = toUiError(error)
    const broken = integrityBreak(uiError)
    if (!broken) throw error
    let items: EventDto[] = []
    let firstVersion = broken.firstVersion
    if (broken.version > start) {
      try {
        const before = await api.listEvents({
          id,
          fromVersion: start,
          limit: broken.version - start,
        })
        items = before.items
        firstVersion = before.firstVersion
      } catch {
        // The page's break is reported already; its rows say what is known.
      }
    }
    return {
      items,
      latestVersion: broken.latestVersion,
      firstVersion,
      broken: { version: broken.version, message: uiError.message, error: uiError },
    }
  }
}

export function eventPageOptions(api: ExplorerApi, id: string, start: number) {
  return queryOptions({
    queryKey: keys.eventsPage(id, start),
    queryFn: () => fetchEventPage(api, id, start),
  })
}

/** The event at `version` in a page that starts at `start`, if the page holds it. */
export function eventInPage(page: EventPage | undefined, start: number, version: number) {
  const items = page?.items
  if (!items) return undefined
  const event = items[version - start]
  if (event?.version === version) return event
  // A store whose versions do not start at 0 (Python eventsourcing starts at 1): the page's
  // versions are still consecutive, from its first item.
  const first = items[0]
  const shifted = first ? items[version - first.version] : undefined
  return shifted?.version === version ? shifted : undefined
}

export interface ScanFilter {
  search: string
  eventType: string
}

/** The filtered forward scan, one page of matches at a time. */
export function eventScanOptions(api: ExplorerApi, id: string, { search, eventType }: ScanFilter) {
  return infiniteQueryOptions({
    queryKey: keys.eventsScan(id, search, eventType),
    queryFn: ({ pageParam }) =>
      api.listEvents({
        id,
        fromVersion: pageParam,
        limit: EVENT_PAGE_SIZE,
        ...(search ? { search } : {}),
        ...(eventType ? { types: [eventType] } : {}),
      }),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextFromVersion,
  })
}

/** The snapshot versions within one page of rows: at most EVENT_PAGE_SIZE, so one request. */
export function pageMarkersOptions(api: ExplorerApi, id: string, start: number) {
  const after = start > 0 ? start - 1 : null
  const before = start + EVENT_PAGE_SIZE
  return queryOptions({
    queryKey: keys.snapshotVersions(id, after, before),
    queryFn: async () => {
      const { versions } = await api.listSnapshotVersions({
        id,
        ...(after === null ? {} : { afterVersion: after }),
        beforeVersion: before,
        limit: EVENT_PAGE_SIZE,
      })
      return versions
    },
    // Markers are a convenience: the Snapshots tab reports errors.
    throwOnError: false,
  })
}

/** Every snapshot version, ascending, when there are at most MAX_SCRUBBER_MARKERS; else []. */
export function scrubberMarkersOptions(api: ExplorerApi, id: string) {
  return queryOptions({
    queryKey: keys.snapshotVersions(id, null, null),
    queryFn: async () => {
      const page = await api.listSnapshotVersions({ id, limit: MAX_SCRUBBER_MARKERS })
      // Too many to draw: the scrubber shows none rather than only the newest.
      return page.nextBeforeVersion === undefined ? [...page.versions].sort((a, b) => a - b) : []
    },
  })
}

export function rawRecordOptions(api: ExplorerApi, id: string, version: number) {
  return queryOptions({
    queryKey: keys.raw(id, version),
    queryFn: () => api.getRawRecord({ id, version, kind: 'event' }),
    // A stored record does not change (a new session drops the cache anyway).
    staleTime: Infinity,
  })
}

/** `seen` with the types of `events` added (the same array when nothing is new). */
export function mergeTypes(
  seen: readonly string[],
  events: readonly EventDto[],
): readonly string[] {
  let next: Set<string> | null = null
  for (const e of events) if (!seen.includes(e.type)) (next ??= new Set(seen)).add(e.type)
  return next ? [...next].sort() : seen
}
