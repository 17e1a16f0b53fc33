/**
 * The selected aggregate's events. Unfiltered, row i is version i, so pages of PAGE_SIZE are
 * fetched only for the rows on screen (100,000 events cost what the viewport shows). With a
 * search or type filter the service scans forward: results are appended page by page via
 * nextFromVersion. Raw stored records are fetched on demand and cached per version.
 * Snapshot markers are asked for the same way: the snapshots within each page's version range
 * (whatever period they were taken with), plus, for the scrubber, all of them when they are few.
 */
import { create } from 'zustand'
import type { EventDto, LogEntryDto, RawRecord } from '../../../shared/contract'
import { api } from '../api'
import { toUiError, type UiError } from '../ui/errors'

export const EVENT_PAGE_SIZE = 200
/** The scrubber draws snapshot markers only up to this many (more would be a solid bar). */
export const MAX_SCRUBBER_MARKERS = 400
/** Event types every aggregate has, offered in the filter before any page has shown them. */
const BASE_TYPES = ['Created', 'AttributeChanged', 'Discarded']

export type RawEntry =
  | { status: 'loading' }
  | { status: 'ready'; record: RawRecord }
  | { status: 'error'; error: UiError }
/** `broken`: the service refused the page at a version it could not verify (see `breaks`). */
export type PageStatus = 'loading' | 'loaded' | 'error' | 'broken'

/** Where a page's history stops being verifiable, and why (the service's words). */
export interface PageBreak {
  version: number
  message: string
}

interface TimelineState {
  aggregateId: string | null
  /** -1 before the first answer (and for an aggregate with no events). */
  latestVersion: number
  known: boolean
  search: string
  eventType: string
  /** Unfiltered mode: events by version, and the status of each page (keyed by first version). */
  byVersion: Record<number, EventDto>
  pages: Record<number, PageStatus>
  /** For `broken` pages (keyed like `pages`): the first version that failed the check. */
  breaks: Record<number, PageBreak>
  /** Filtered mode. */
  filtered: EventDto[]
  filteredNext: number | undefined
  filteredScanned: number
  filteredLoading: boolean
  filteredDone: boolean
  error: UiError | null
  rawOpen: Record<number, boolean>
  raw: Record<number, RawEntry>
  /** Snapshot versions within each loaded page of events (keyed like `pages`), for row markers. */
  snapshotsByPage: Record<number, number[]>
  /** Every snapshot version, ascending, when there are at most MAX_SCRUBBER_MARKERS; else []. */
  snapshotVersions: number[]
  seenTypes: string[]
}

interface TimelineActions {
  open(aggregateId: string | null): void
  ensureRange(first: number, last: number): void
  /** Snapshot markers for these versions' pages (filtered rows, whose pages may not be loaded). */
  ensureSnapshotMarkers(versions: number[]): void
  setSearch(search: string): void
  setEventType(type: string): void
  loadMoreFiltered(): Promise<void>
  toggleRaw(version: number): void
  loadSnapshots(): Promise<void>
  onChanges(entries: LogEntryDto[]): void
  /** Fetches again what is loaded (after a reconnect: changes meanwhile were never pushed). */
  reload(): void
  reset(): void
}

const initial: TimelineState = {
  aggregateId: null,
  latestVersion: -1,
  known: false,
  search: '',
  eventType: '',
  byVersion: {},
  pages: {},
  breaks: {},
  filtered: [],
  filteredNext: 0,
  filteredScanned: 0,
  filteredLoading: false,
  filteredDone: false,
  error: null,
  rawOpen: {},
  raw: {},
  snapshotsByPage: {},
  snapshotVersions: [],
  seenTypes: [...BASE_TYPES],
}

/** The version a DataIntegrityError names, and the latest version the service saw, if given. */
function integrityBreak(error: UiError): { version: number; latestVersion: number } | undefined {
  if (error.code !== 'DataIntegrityError') return undefined
  const details = error.details as
    { originatorVersion?: unknown; latestVersion?: unknown } | undefined
  const version = details?.originatorVersion
  if (typeof version !== 'number') return undefined
  const latest = typeof details?.latestVersion === 'number' ? details.latestVersion : version
  return { version, latestVersion: latest }
}

export const isFiltered = (s: Pick<TimelineState, 'search' | 'eventType'>) =>
  s.search.trim() !== '' || s.eventType !== ''

const pageStart = (version: number) => Math.floor(version / EVENT_PAGE_SIZE) * EVENT_PAGE_SIZE

function mergeTypes(seen: string[], events: EventDto[]): string[] {
  let next: Set<string> | null = null
  for (const e of events) {
    if (!seen.includes(e.type)) (next ??= new Set(seen)).add(e.type)
  }
  return next ? [...next].sort() : seen
}

export const useTimelineStore = create<TimelineState & TimelineActions>()((set, get) => {
  // Bumped whenever the aggregate or filter changes; answers for an older generation are dropped.
  let generation = 0
  // Which request owns a page, so an invalidated page's late answer does not overwrite it.
  const pageTokens = new Map<number, number>()
  // The same for the snapshot markers of a page (requested with the page, or alone when filtered).
  const snapshotTokens = new Map<number, number>()
  let tokenSeq = 0

  /** The snapshots taken within one page's versions: at most EVENT_PAGE_SIZE, so one request. */
  async function loadPageSnapshots(id: string, start: number): Promise<void> {
    const token = ++tokenSeq
    snapshotTokens.set(start, token)
    try {
      const { items } = await api.listSnapshots({
        id,
        ...(start > 0 ? { afterVersion: start - 1 } : {}),
        beforeVersion: start + EVENT_PAGE_SIZE,
        limit: EVENT_PAGE_SIZE,
      })
      if (get().aggregateId !== id || snapshotTokens.get(start) !== token) return
      const versions = items.map((snapshot) => snapshot.version).sort((a, b) => a - b)
      set((s) => ({ snapshotsByPage: { ...s.snapshotsByPage, [start]: versions } }))
    } catch {
      // Markers are a convenience; the Snapshots tab reports errors. A later look retries.
      if (snapshotTokens.get(start) === token) snapshotTokens.delete(start)
    }
  }

  async function loadPage(start: number): Promise<void> {
    const { aggregateId } = get()
    if (!aggregateId) return
    const token = ++tokenSeq
    pageTokens.set(start, token)
    set((s) => ({ pages: { ...s.pages, [start]: 'loading' } }))
    if (!snapshotTokens.has(start)) void loadPageSnapshots(aggregateId, start)
    try {
      const page = await api.listEvents({
        id: aggregateId,
        fromVersion: start,
        limit: EVENT_PAGE_SIZE,
      })
      // Only the token counts: a filter change (a new generation) leaves these pages valid.
      if (pageTokens.get(start) !== token) return
      set((s) => {
        const byVersion = { ...s.byVersion }
        for (const e of page.items) byVersion[e.version] = e
        const { [start]: _fixed, ...breaks } = s.breaks
        return {
          byVersion,
          pages: { ...s.pages, [start]: 'loaded' },
          breaks,
          latestVersion: Math.max(s.latestVersion, page.latestVersion),
          known: true,
          error: null,
          seenTypes: mergeTypes(s.seenTypes, page.items),
        }
      })
    } catch (error) {
      if (pageTokens.get(start) !== token) return
      const uiError = toUiError(error)
      const broken = integrityBreak(uiError)
      if (!broken) {
        set((s) => ({ pages: { ...s.pages, [start]: 'error' }, error: uiError, known: true }))
        return
      }
      set((s) => ({
        pages: { ...s.pages, [start]: 'broken' },
        breaks: { ...s.breaks, [start]: { version: broken.version, message: uiError.message } },
        latestVersion: Math.max(s.latestVersion, broken.latestVersion),
        error: uiError,
        known: true,
      }))
      // The rows before the bad version still verify on their own: show them.
      if (broken.version > start) {
        try {
          const before = await api.listEvents({
            id: aggregateId,
            fromVersion: start,
            limit: broken.version - start,
          })
          if (pageTokens.get(start) !== token) return
          set((s) => {
            const byVersion = { ...s.byVersion }
            for (const e of before.items) byVersion[e.version] = e
            return { byVersion, seenTypes: mergeTypes(s.seenTypes, before.items) }
          })
        } catch {
          // The page's error is on screen already; its rows say what is known.
        }
      }
    }
  }

  function startFiltered(): void {
    generation++
    set({
      filtered: [],
      filteredNext: 0,
      filteredScanned: 0,
      filteredLoading: false,
      filteredDone: false,
      error: null,
    })
    if (isFiltered(get())) void get().loadMoreFiltered()
  }

  return {
    ...initial,

    open(aggregateId) {
      if (aggregateId === get().aggregateId) return
      generation++
      pageTokens.clear()
      snapshotTokens.clear()
      // Filters stay (looking for the same event type across aggregates is common); data goes.
      const { search, eventType } = get()
      set({ ...initial, aggregateId, search, eventType })
      if (!aggregateId) return
      void loadPage(0)
      void get().loadSnapshots()
      if (isFiltered(get())) void get().loadMoreFiltered()
    },

    ensureRange(first, last) {
      const { aggregateId, pages, latestVersion, known } = get()
      if (!aggregateId) return
      const top = known ? Math.min(last, latestVersion) : last
      for (let start = pageStart(Math.max(0, first)); start <= top; start += EVENT_PAGE_SIZE) {
        if (pages[start] === undefined) void loadPage(start)
      }
    },

    ensureSnapshotMarkers(versions) {
      const { aggregateId } = get()
      if (!aggregateId) return
      for (const start of new Set(versions.map(pageStart)))
        if (!snapshotTokens.has(start)) void loadPageSnapshots(aggregateId, start)
    },

    setSearch(search) {
      if (search === get().search) return
      set({ search })
      startFiltered()
    },

    setEventType(eventType) {
      if (eventType === get().eventType) return
      set({ eventType })
      startFiltered()
    },

    async loadMoreFiltered() {
      const s = get()
      if (
        !s.aggregateId ||
        !isFiltered(s) ||
        s.filteredLoading ||
        s.filteredDone ||
        s.filteredNext === undefined
      )
        return
      const gen = generation
      set({ filteredLoading: true })
      try {
        const page = await api.listEvents({
          id: s.aggregateId,
          fromVersion: s.filteredNext,
          limit: EVENT_PAGE_SIZE,
          ...(s.search.trim() ? { search: s.search.trim() } : {}),
          ...(s.eventType ? { types: [s.eventType] } : {}),
        })
        if (gen !== generation) return
        set((cur) => ({
          filtered: [...cur.filtered, ...page.items],
          filteredNext: page.nextFromVersion,
          filteredDone: page.nextFromVersion === undefined,
          filteredScanned: cur.filteredScanned + page.scanned,
          filteredLoading: false,
          latestVersion: Math.max(cur.latestVersion, page.latestVersion),
          known: true,
          error: null,
          seenTypes: mergeTypes(cur.seenTypes, page.items),
        }))
      } catch (error) {
        if (gen !== generation) return
        // Stop here: the user can retry by changing the filter (an endless retry loop helps no one).
        set({ filteredLoading: false, filteredDone: true, error: toUiError(error) })
      }
    },

    toggleRaw(version) {
      const { aggregateId, rawOpen, raw } = get()
      if (!aggregateId) return
      const open = !rawOpen[version]
      set({ rawOpen: { ...rawOpen, [version]: open } })
      if (!open || raw[version]?.status === 'ready' || raw[version]?.status === 'loading') return
      const gen = generation
      set((s) => ({ raw: { ...s.raw, [version]: { status: 'loading' } } }))
      api.getRawRecord({ id: aggregateId, version, kind: 'event' }).then(
        (record) => {
          if (get().aggregateId === aggregateId)
            set((s) => ({ raw: { ...s.raw, [version]: { status: 'ready', record } } }))
        },
        (error: unknown) => {
          if (get().aggregateId === aggregateId || gen === generation) {
            set((s) => ({
              raw: { ...s.raw, [version]: { status: 'error', error: toUiError(error) } },
            }))
          }
        },
      )
    },

    async loadSnapshots() {
      const id = get().aggregateId
      if (!id) return
      try {
        const page = await api.listSnapshots({ id, limit: MAX_SCRUBBER_MARKERS })
        if (get().aggregateId !== id) return
        // Too many to draw: the scrubber shows none rather than only the newest.
        const versions =
          page.nextBeforeVersion === undefined
            ? page.items.map((s) => s.version).sort((a, b) => a - b)
            : []
        set({ snapshotVersions: versions })
      } catch {
        // Markers are a convenience; the Snapshots tab reports errors.
      }
    },

    onChanges(entries) {
      const { aggregateId, latestVersion, pages, known } = get()
      if (!aggregateId || !known) return
      let newest = -1
      for (const e of entries)
        if (e.originatorId === aggregateId) newest = Math.max(newest, e.toVersion)
      if (newest <= latestVersion) return
      // The page that held the old tail (and any after it) is now incomplete: forget it.
      const firstStale = pageStart(Math.max(0, latestVersion))
      const nextPages: Record<number, PageStatus> = {}
      for (const [key, status] of Object.entries(pages)) {
        const start = Number(key)
        if (start < firstStale) nextPages[start] = status
        else pageTokens.delete(start)
      }
      const breaks: Record<number, PageBreak> = {}
      for (const [key, value] of Object.entries(get().breaks)) {
        if (Number(key) < firstStale) breaks[Number(key)] = value
      }
      const snapshotsByPage: Record<number, number[]> = {}
      for (const [key, versions] of Object.entries(get().snapshotsByPage)) {
        if (Number(key) < firstStale) snapshotsByPage[Number(key)] = versions
      }
      for (const start of [...snapshotTokens.keys()])
        if (start >= firstStale) snapshotTokens.delete(start)
      set((s) => ({
        latestVersion: newest,
        pages: nextPages,
        breaks,
        snapshotsByPage,
        ...(s.filteredDone && !s.error
          ? { filteredDone: false, filteredNext: latestVersion + 1 }
          : {}),
      }))
      void get().loadSnapshots()
    },

    reload() {
      const { aggregateId, pages } = get()
      if (!aggregateId) return
      // The rows stay on screen while their pages are fetched again; a longer history shows
      // up through latestVersion, and the rows on screen then ask for the new pages.
      if (isFiltered(get())) startFiltered()
      pageTokens.clear()
      snapshotTokens.clear()
      const starts = Object.keys(pages).map(Number)
      for (const start of starts.length > 0 ? starts : [0]) void loadPage(start)
      void get().loadSnapshots()
    },

    reset() {
      generation++
      pageTokens.clear()
      snapshotTokens.clear()
      set({ ...initial })
    },
  }
})
