/**
 * The selected aggregate's events. Unfiltered, row i is version i, so pages of PAGE_SIZE are
 * fetched only for the rows on screen (100,000 events cost what the viewport shows). With a
 * search or type filter the service scans forward: results are appended page by page via
 * nextFromVersion. Raw stored records are fetched on demand and cached per version.
 */
import { create } from 'zustand'
import type { EventDto, LogEntryDto, RawRecord } from '../../../shared/contract'
import { api } from '../api'
import { toUiError, type UiError } from '../lib/errors'

export const EVENT_PAGE_SIZE = 200
/** Event types every aggregate has, offered in the filter before any page has shown them. */
const BASE_TYPES = ['Created', 'AttributeChanged', 'Discarded']

export type RawEntry =
  | { status: 'loading' }
  | { status: 'ready'; record: RawRecord }
  | { status: 'error'; error: UiError }
export type PageStatus = 'loading' | 'loaded' | 'error'

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
  /** Filtered mode. */
  filtered: EventDto[]
  filteredNext: number | undefined
  filteredScanned: number
  filteredLoading: boolean
  filteredDone: boolean
  error: UiError | null
  rawOpen: Record<number, boolean>
  raw: Record<number, RawEntry>
  snapshotVersions: number[]
  seenTypes: string[]
}

interface TimelineActions {
  open(aggregateId: string | null): void
  ensureRange(first: number, last: number): void
  setSearch(search: string): void
  setEventType(type: string): void
  loadMoreFiltered(): Promise<void>
  toggleRaw(version: number): void
  loadSnapshots(): Promise<void>
  onChanges(entries: LogEntryDto[]): void
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
  filtered: [],
  filteredNext: 0,
  filteredScanned: 0,
  filteredLoading: false,
  filteredDone: false,
  error: null,
  rawOpen: {},
  raw: {},
  snapshotVersions: [],
  seenTypes: [...BASE_TYPES],
}

export const isFiltered = (s: Pick<TimelineState, 'search' | 'eventType'>) =>
  s.search.trim() !== '' || s.eventType !== ''

// Bumped whenever the aggregate or filter changes; answers for an older generation are dropped.
let generation = 0
// Which request owns a page, so an invalidated page's late answer does not overwrite it.
const pageTokens = new Map<number, number>()
let tokenSeq = 0

function mergeTypes(seen: string[], events: EventDto[]): string[] {
  let next: Set<string> | null = null
  for (const e of events) {
    if (!seen.includes(e.type)) (next ??= new Set(seen)).add(e.type)
  }
  return next ? [...next].sort() : seen
}

export const useTimelineStore = create<TimelineState & TimelineActions>()((set, get) => {
  async function loadPage(start: number): Promise<void> {
    const { aggregateId } = get()
    if (!aggregateId) return
    const gen = generation
    const token = ++tokenSeq
    pageTokens.set(start, token)
    set((s) => ({ pages: { ...s.pages, [start]: 'loading' } }))
    try {
      const page = await api.listEvents({
        id: aggregateId,
        fromVersion: start,
        limit: EVENT_PAGE_SIZE,
      })
      if (gen !== generation || pageTokens.get(start) !== token) return
      set((s) => {
        const byVersion = { ...s.byVersion }
        for (const e of page.items) byVersion[e.version] = e
        return {
          byVersion,
          pages: { ...s.pages, [start]: 'loaded' },
          latestVersion: Math.max(s.latestVersion, page.latestVersion),
          known: true,
          error: null,
          seenTypes: mergeTypes(s.seenTypes, page.items),
        }
      })
    } catch (error) {
      if (gen !== generation || pageTokens.get(start) !== token) return
      set((s) => ({
        pages: { ...s.pages, [start]: 'error' },
        error: toUiError(error),
        known: true,
      }))
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
      for (
        let start = Math.floor(Math.max(0, first) / EVENT_PAGE_SIZE) * EVENT_PAGE_SIZE;
        start <= top;
        start += EVENT_PAGE_SIZE
      ) {
        if (pages[start] === undefined) void loadPage(start)
      }
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
        const snapshots = await api.listSnapshots({ id })
        if (get().aggregateId === id)
          set({ snapshotVersions: snapshots.map((s) => s.version).sort((a, b) => a - b) })
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
      const firstStale = Math.floor(Math.max(0, latestVersion) / EVENT_PAGE_SIZE) * EVENT_PAGE_SIZE
      const nextPages: Record<number, PageStatus> = {}
      for (const [key, status] of Object.entries(pages)) {
        const start = Number(key)
        if (start < firstStale) nextPages[start] = status
        else pageTokens.delete(start)
      }
      set((s) => ({
        latestVersion: newest,
        pages: nextPages,
        ...(s.filteredDone && !s.error
          ? { filteredDone: false, filteredNext: latestVersion + 1 }
          : {}),
      }))
      void get().loadSnapshots()
    },

    reset() {
      generation++
      pageTokens.clear()
      set({ ...initial })
    },
  }
})
